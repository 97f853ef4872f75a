import CairnCore
import CairnRun
import CairnSoak
import CairnTestSupport
import Foundation
import Testing

/// A value keeps its identity — kind, key, rendering — through every persisted form: the
/// pipeline file, the run folder's snapshot, the journal's replay and `status`.
@Suite(.serialized) struct ValueIdentityTests {
    /// One generated value: the YAML text a user writes, and the value it must decode to.
    struct Case {
        var yaml: String
        var value: ItemValue
    }

    static func generate(_ rng: inout SplitMix) -> Case {
        switch rng.next() % 9 {
        case 0:
            let i = Int(bitPattern: UInt(rng.next())) >> Int(rng.next() % 64)
            return Case(yaml: String(i), value: .int(i))
        case 1:
            let digits = (0..<(20 + Int(rng.next() % 20))).map { _ in String(rng.next() % 10) }.joined()
            let text = "9" + digits  // more than Int64 holds: kept exactly, as its digits
            return Case(yaml: text, value: .string(text))
        case 2:
            // Any finite double, written as its shortest repr (1.0, 1e-05, -0.0, 1.2345e+300).
            var d: Double
            repeat { d = Double(bitPattern: rng.next()) } while !d.isFinite
            return Case(yaml: CanonicalJSON.format(d), value: .double(d))
        case 3:
            // Integral floats and exponent forms as people type them.
            let forms: [(String, Double)] = [("1.0", 1), ("2.0", 2), ("-0.0", -0.0), ("0.0", 0), ("1e-3", 1e-3), ("1E5", 1e5),
                                             ("1.5e+10", 1.5e10), ("3.", 3), (".5", 0.5), ("-2.50", -2.5), ("1_000.5", 1000.5)]
            let (text, d) = forms[Int(rng.next() % UInt64(forms.count))]
            return Case(yaml: text, value: .double(d))
        case 4:
            let texts = ["1.0", "007", "1e3", "-0.0", "true", "null", "0x1F", " 5", "NaN", "1,5"]
            let t = texts[Int(rng.next() % UInt64(texts.count))]
            return Case(yaml: "'\(t)'", value: .string(t))
        case 5:
            let b = rng.next() % 2 == 0
            let spellings = b ? ["true", "True", "TRUE"] : ["false", "False", "FALSE"]
            return Case(yaml: spellings[Int(rng.next() % 3)], value: .bool(b))
        case 6:
            let texts = ["héllo", "日本語", "emoji 🧪", "ß-ẞ", "naïve café", "a/b", "$(touch pwned)", "it's \"quoted\""]
            let t = texts[Int(rng.next() % UInt64(texts.count))]
            return Case(yaml: "'\(t.replacingOccurrences(of: "'", with: "''"))'", value: .string(t))
        case 7:
            let words = ["yes", "no", "on", "off"]
            let w = words[Int(rng.next() % 4)]
            return Case(yaml: w, value: .string(w))
        default:
            let n = Int(rng.next() % 1000)
            return Case(yaml: "v\(n)", value: .string("v\(n)"))
        }
    }

    static func pipeline(_ cases: [Case], param: Case) -> String {
        """
        name: ids
        params: {p: \(param.yaml)}
        items:
          x: [\(cases.map(\.yaml).joined(separator: ", "))]
          k: {range: [0, 2]}
        steps:
          - name: s
            run: echo {x} {p} {k} > {out.o}
            outputs: {o: 'out/{k}/{x}'}
        """
    }

    /// Round trip: pipeline text → spec → snapshot bytes → spec; equal specs, equal keys, equal commands.
    @Test func generatedValuesSurviveTheSnapshot() throws {
        var rng = SplitMix(seed: 20_261_202)
        var floats: [Double] = []
        for round in 0..<400 {
            var cases: [Case] = []
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let c = Self.generate(&rng)
                // Two values that render alike would be an output collision; keep distinct texts.
                if !cases.contains(where: { $0.value.description == c.value.description || $0.value == c.value }) { cases.append(c) }
            }
            let param = Self.generate(&rng)
            let text = Self.pipeline(cases, param: param)
            let spec = try PipelineDecoder.decode(text: text, file: "p.yaml")
            #expect(spec.axes[0].literalValues == cases.map(\.value), "round \(round): \(text)")
            #expect(spec.param("p") == param.value)
            for c in cases + [param] { if case .double(let d) = c.value { floats.append(d) } }

            let snapshot = Snapshot(pipelineFile: "/nowhere/p.yaml", root: "/nowhere", pipeline: spec)
            let decoded = try JSONDecoder().decode(Snapshot.self, from: snapshot.encoded())
            #expect(decoded == snapshot, "round \(round): \(text)")
            #expect(decoded.encoded() == snapshot.encoded())

            let a = try Planner.plan(spec), b = try Planner.plan(decoded.pipeline)
            #expect(a.units.map(\.key) == b.units.map(\.key))
            #expect(a.units.map(\.outputs) == b.units.map(\.outputs))
            let run = try Template(spec.steps[0].run)
            for (ua, ub) in zip(a.units, b.units) {
                func render(_ plan: Plan, _ u: PlannedUnit) throws -> String {
                    try run.render(shellQuote: true) { name in
                        switch name {
                        case "x": .value(plan.items[u.item!].values[0])
                        case "k": .value(plan.items[u.item!].values[1])
                        case "p": plan.pipeline.param("p").map { .value($0) }
                        default: .list(["OUT"])
                        }
                    }
                }
                #expect(try render(a, ua) == render(b, ub))
            }
        }
        // Floats render with the shortest text that reads back as the same number: Python's repr.
        for d in floats { #expect(Double(CanonicalJSON.format(d))!.bitPattern == d.bitPattern) }
        let reprs = try Tool.python("import sys\nfor t in sys.stdin.read().split():\n    print(repr(float.fromhex(t)))",
                               input: floats.map { hexFloat($0) }.joined(separator: "\n"))
        #expect(reprs == floats.map(CanonicalJSON.format))
    }

    /// Bytes that are not UTF-8 (from a glob or a list file) survive the snapshot too.
    @Test func rawByteValuesSurviveTheSnapshot() throws {
        var rng = SplitMix(seed: 7)
        for _ in 0..<200 {
            let bytes = (0..<(1 + Int(rng.next() % 12))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }.filter { $0 != 0 && $0 != 47 }
            guard !bytes.isEmpty else { continue }
            let value = ItemValue.string(RawBytes.string(from: bytes))
            let spec = PipelineSpec(name: "raw", seed: 1, axes: [AxisSpec(name: "f", source: .list([value]))],
                                    steps: [StepSpec(name: "s", run: "cat {f}")])
            let snapshot = Snapshot(pipelineFile: "/x/p.yaml", root: "/x", pipeline: spec)
            let decoded = try JSONDecoder().decode(Snapshot.self, from: snapshot.encoded())
            #expect(decoded == snapshot)
            guard case .string(let s) = decoded.pipeline.axes[0].literalValues![0] else { Issue.record("not a string"); continue }
            #expect(RawBytes.bytes(of: s) == bytes)
            #expect(try Planner.plan(spec).units[0].key == Planner.plan(decoded.pipeline).units[0].key)
        }
    }

    /// The user's view end to end: run, SIGKILL mid-run, resume, status — with floats that
    /// look like integers, exponents, signed zeros, booleans, big integers and Unicode.
    @Test func killedRunWithFloatsResumesWithoutRerunningAnything() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: fl
            params: {scale: 1.0}
            items:
              x: [1.0, 2.0, 1e-3, 1e-4, -0.0, 0.0, 12345678901234567890, 'ünï', '1.0x']
              use_bn: [true, false]
            steps:
              - name: s
                run: echo "$CAIRN_UNIT" >> side.log; sleep 0.4; echo {x} {use_bn} {scale} > {out.o}
                outputs: {o: 'out/{x}-{use_bn}.txt'}
            """)
        let run = try CairnBinary.start(["run", "p.yaml", "-j", "3", "-q"], in: dir.path)
        #expect(CairnBinary.waitFor(timeout: 60) { dir.lines("side.log").count >= 8 })
        run.signal(SIGKILL)
        _ = run.wait()
        let before = dir.lines("side.log").count
        let status = try CairnBinary.run(["status", "--json"], in: dir.path)
        #expect(status.status == 0, "\(status.stderr)")
        let committedBefore = try Self.committed(status.stdout)
        #expect(committedBefore >= 2 && committedBefore < 18, "\(status.stdout)")

        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(!resumed.stderr.contains("changed since this run started"), "\(resumed.stderr)")
        // Exactly the units not committed at the kill ran again: none of the committed ones.
        #expect(dir.lines("side.log").count == before + (18 - committedBefore))
        #expect(dir.read("out/1.0-true.txt") == "1.0 true 1.0\n")
        #expect(dir.read("out/0.001-false.txt") == "0.001 false 1.0\n")
        #expect(dir.read("out/-0.0-true.txt") == "-0.0 true 1.0\n")
        #expect(dir.read("out/12345678901234567890-true.txt") == "12345678901234567890 true 1.0\n")
        #expect(dir.exists("out/ünï-false.txt"))

        let done = try CairnBinary.run(["status", "--json"], in: dir.path)
        #expect(try Self.committed(done.stdout) == 18, "\(done.stdout)")
        let again = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(again.stdout.contains("to run: 0; already committed: 18"), "\(again.stdout)")
    }

    /// `x: [-0.0, 0.0]` is two values for every command, not only for `run`.
    @Test func signedZerosAgreeBetweenRunAndStatus() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: z\nitems: {x: [-0.0, 0.0]}\nsteps:\n  - {name: s, run: 'echo {x} > {out.o}', outputs: {o: 'out/{x}'}}\n")
        #expect(try CairnBinary.run(["run", "p.yaml", "-q"], in: dir.path).status == 0)
        for args in [["status"], ["plan", "p.yaml"], ["resume"], ["log", "s[x=-0.0]"]] {
            let r = try CairnBinary.run(args, in: dir.path)
            #expect(r.status == 0, "\(args): \(r.stdout)\(r.stderr)")
        }
        #expect(dir.read("out/-0.0") == "-0.0\n")
        #expect(dir.read("out/0.0") == "0.0\n")
    }

    static func committed(_ statusJSON: String) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(statusJSON.utf8)) as? [String: Any]
        return (object?["total"] as? [String: Any])?["committed"] as? Int ?? -1
    }

    func hexFloat(_ d: Double) -> String {
        String(format: "%a", d)
    }


}
