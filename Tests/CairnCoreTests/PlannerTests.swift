@testable import CairnCore
import Foundation
import Testing

@Suite struct PlannerTests {
    static let text = """
        name: k
        seed: 1
        items: {i: {range: [0, 3]}}
        steps:
          - {name: a, run: 'echo {i} > {out.o}', outputs: {o: 'a/{i}.txt'}}
          - {name: b, run: 'cat {in.x} > {out.o}', inputs: {x: {from: a.o}}, outputs: {o: 'b/{i}.txt'}}
          - {name: c, foreach: once, run: 'cat {in.x} > {out.o}', inputs: {x: {from: b.o}}, outputs: {o: 'c.txt'}}
        """

    func plan(_ text: String = text) throws -> Plan { try Planner.plan(try PipelineDecoder.decode(text: text, file: "k.yaml")) }

    @Test func unitsComeInDependencyOrderWithResolvedPaths() throws {
        let p = try plan()
        #expect(p.units.count == 7)
        #expect(p.units.map { p.label(of: $0) } == ["a[i=0]", "a[i=1]", "a[i=2]", "b[i=0]", "b[i=1]", "b[i=2]", "c"])
        #expect(p.units[4].inputs == [["a/1.txt"]])
        #expect(p.units[4].needs == [1])
        #expect(p.units[6].inputs == [["b/0.txt", "b/1.txt", "b/2.txt"]])
        #expect(p.units[6].needs == [3, 4, 5])
        for unit in p.units { for need in unit.needs { #expect(need < unit.index) } }
    }

    @Test func keysAreStableAcrossPlansAndKeyOrder() throws {
        let reordered = """
            seed: 1
            name: k
            items: {i: {range: [0, 3]}}
            steps:
              - {run: 'echo {i} > {out.o}', name: a, outputs: {o: 'a/{i}.txt'}}
              - {name: b, outputs: {o: 'b/{i}.txt'}, run: 'cat {in.x} > {out.o}', inputs: {x: {from: a.o}}}
              - {name: c, foreach: once, run: 'cat {in.x} > {out.o}', inputs: {x: {from: b.o}}, outputs: {o: 'c.txt'}}
            """
        #expect(try plan().units.map(\.key) == plan(reordered).units.map(\.key))
        #expect(Set(try plan().units.map(\.key)).count == 7)
    }

    @Test func aChangeFlowsDownstream() throws {
        let base = try plan()
        let changed = try plan(Self.text.replacingOccurrences(of: "echo {i} >", with: "echo {i}; echo >"))
        #expect(zip(base.units, changed.units).allSatisfy { $0.key != $1.key })
        let seedChanged = try plan(Self.text.replacingOccurrences(of: "seed: 1", with: "seed: 2"))
        #expect(base.units[0].seed != seedChanged.units[0].seed)
        let bChanged = try plan(Self.text.replacingOccurrences(of: "cat {in.x} > {out.o}', inputs: {x: {from: a.o}}", with: "cat {in.x}  > {out.o}', inputs: {x: {from: a.o}}"))
        #expect(bChanged.units[0].key == base.units[0].key)
        #expect(bChanged.units[3].key != base.units[3].key)
        #expect(bChanged.units[6].key != base.units[6].key)
    }

    @Test func schedulerSkipsDependentsOfAFailureAndRunsTheRest() throws {
        let p = try plan()
        var s = Scheduler(plan: p, include: [Bool](repeating: true, count: 7))
        var started: [Int] = []
        while let u = s.next() { started.append(u) }
        #expect(started == [0, 1, 2])  // b needs a; c needs all b
        s.succeeded(0)
        #expect(s.next() == 3)  // item-major: b[0] before anything else ready
        s.failed(1)
        #expect(s.states[4] == .skipped && s.states[6] == .skipped)
        s.succeeded(3)
        s.succeeded(2)
        #expect(s.next() == 5)
        s.succeeded(5)
        #expect(s.next() == nil)
        #expect(s.isFinished)
    }

    @Test func schedulerRetriesAfterTheBackoff() throws {
        let p = try plan()
        var s = Scheduler(plan: p, include: [true, false, false, false, false, false, false])
        #expect(s.next() == 0)
        s.retry(0, at: 10)
        #expect(s.next() == nil)
        #expect(s.release(now: 5) == 10)
        #expect(s.next() == nil)
        s.release(now: 10)
        #expect(s.next() == 0)
    }

    @Test func keyWriterEmitsExactlyTheCanonicalJSON() throws {
        let step = StepSpec(name: "r\u{e9}nder", run: "echo \"{x}\" > {out.b}", outputs: [.init(name: "b", pattern: "o/{x}"), .init(name: "a", pattern: "p/{x}")],
                            inputs: [.init(name: "z", source: .path("in/{x}")), .init(name: "y", source: .path("j"))],
                            env: [.init(name: "B", value: "2"), .init(name: "A", value: "tab\there")])
        let axes = ["x", "Z", "\u{e9}"]
        let values: [ItemValue] = [.string("a\"b"), .double(0.5), .int(-3)]
        let needs = [Digest(of: "n1"), Digest(of: "n0")]
        let fast = UnitKeyWriter(step: step, axes: axes).json(values: ItemValues(values), seed: 99, outputs: ["o/1", "p/1"], inputs: [["in/1"], ["j", "k"]], needs: needs)
        var valueMembers: [String: CanonicalJSON] = [:]
        for (a, v) in zip(axes, values) { valueMembers[a] = v.json }
        let reference = CanonicalJSON.object([
            "v": .int(1), "step": .string(step.name), "run": .string(step.run),
            "env": .array(step.env.map { .array([.string($0.name), .string($0.value)]) }),
            "foreach": .string("item"), "values": .object(valueMembers), "seed": .int(99),
            "outputs": .object(["b": .string("o/1"), "a": .string("p/1")]),
            "inputs": .object(["z": .array([.string("in/1")]), "y": .array([.string("j"), .string("k")])]),
            "needs": .array(needs.map { .string($0.hex) }),
        ]).text
        #expect(fast == reference)
    }

    /// The key is the SHA-256 of exactly the text `json` returns (the key is hashed from bytes
    /// written directly, the text is those bytes decoded).
    @Test func theKeyIsTheDigestOfTheCanonicalJSON() {
        let step = StepSpec(name: "s", run: "echo {x}", outputs: [.init(name: "o", pattern: "o/{x}")], inputs: [.init(name: "i", source: .path("in/\u{e9}"))])
        let writer = UnitKeyWriter(step: step, axes: ["x", "y"], params: [("lr", .double(1.0))])
        let needs = [Digest(of: "a"), Digest(of: "b")]
        let values: [ItemValue] = [.string("q\"\n"), .bool(false)]
        let text = writer.json(values: ItemValues(values), seed: 7, outputs: ["o/1"], inputs: [["in/\u{e9}"]], needs: needs, files: [("in/\u{e9}", nil)])
        #expect(writer.key(values: ItemValues(values), seed: 7, outputs: ["o/1"], inputs: [["in/\u{e9}"]], needs: needs, files: [("in/\u{e9}", nil)]) == Digest(of: text))
        #expect(text.contains(needs[0].hex) && text.contains("\"lr\":1.0"), "\(text)")
    }

    /// Paths are rendered from templates bound once per step; they must render what the
    /// template renders with the planner's lookup (`step`, then params, then axes).
    @Test func boundTemplatesRenderWhatTemplatesRender() throws {
        let axes = ["n", "name", "lr"]
        let params: [String: ItemValue] = ["tag": .string("v1"), "lr": .double(0.5), "name": .string("param-wins")]
        let values: [ItemValue] = [.int(7), .string("é x"), .double(1.0)]
        let templates = ["out/{step}/{n:05d}.txt", "{tag}/{lr}/{name}", "%03d-%s-%.2f", "lit/only", "{n:>4}|{{x}}|${HOME}", "{tag:.1}", "{missing}/x", "%d %d %d %d"]
        for text in templates {
            let t = try Template(text, printf: true)
            let lookup: (String) -> PlaceholderValue? = { name in
                if name == "step" { return .value(.string("gen")) }
                if let p = params[name] { return .value(p) }
                return axes.firstIndex(of: name).map { .value(values[$0]) }
            }
            let bound = BoundTemplate(t, step: "gen", params: { params[$0] }, axes: axes, overItems: true)
            let expected = Result { () throws(TemplateError) in try t.render(shellQuote: false, positional: values, lookup: lookup) }
            let got = Result { () throws(TemplateError) in try bound.render(ItemValues(values)) }
            switch (expected, got) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(text)")
            case (.failure(let a), .failure(let b)): #expect(a.description == b.description, "\(text)")
            default: Issue.record("\(text): \(expected) against \(got)")
            }
        }
        // Over no items (a `foreach: once` step) an axis placeholder has no value.
        let once = BoundTemplate(try Template("t/{n}"), step: "gen", params: { _ in nil }, axes: axes, overItems: false)
        #expect(throws: TemplateError.self) { try once.render([]) }
    }

    @Test func keyWriterEmitsCodeFilesAndParamsAsCanonicalJSON() throws {
        let step = StepSpec(name: "s", run: "python3 train.py --lr {lr} > {out.m}", outputs: [.init(name: "m", pattern: "m/{x}")],
                            inputs: [.init(name: "d", source: .path("data/{x}"))])
        let code: [(path: String, digest: Digest?)] = [("train.py", Digest(of: "t")), ("cfg/\u{e9}.yaml", nil), ("a.py", Digest(of: "a"))]
        let params: [(name: String, value: ItemValue)] = [("lr", .double(0.01)), ("depth", .int(3))]
        let files: [(path: String, digest: Digest?)] = [("data/1", Digest(of: "d1")), ("/abs/x", nil)]
        let fast = UnitKeyWriter(step: step, axes: ["x"], code: code, params: params)
            .json(values: [.int(1)], seed: 5, outputs: ["m/1"], inputs: [["data/1"]], needs: [], files: files)
        func table(_ f: [(path: String, digest: Digest?)]) -> CanonicalJSON {
            var members: [String: CanonicalJSON] = [:]
            for (p, d) in f { members[p] = d.map { .string($0.hex) } ?? .null }
            return .object(members)
        }
        let reference = CanonicalJSON.object([
            "v": .int(1), "step": .string("s"), "run": .string(step.run), "env": .array([]),
            "foreach": .string("item"), "values": .object(["x": .int(1)]), "seed": .int(5),
            "outputs": .object(["m": .string("m/1")]), "inputs": .object(["d": .array([.string("data/1")])]),
            "needs": .array([]), "code": table(code), "files": table(files),
            "params": .object(["lr": .double(0.01), "depth": .int(3)]),
        ]).text
        #expect(fast == reference)
    }

    @Test func digestRoundTripsThroughHexAndBytes() {
        let d = Digest(of: "hello")
        #expect(d.hex == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(Digest(hex: d.hex) == d)
        #expect(Digest(bytes: d.bytes) == d)
        #expect(Digest(of: "a") < Digest(of: "b") || Digest(of: "b") < Digest(of: "a"))
    }
}

/// Large steps are planned on every core; the plan must be the one a serial planner makes.
@Suite struct ParallelPlanningTests {
    static let text = """
        name: par
        seed: 9
        params: {scale: 1.5}
        items: {i: {range: [0, 3000]}, kind: [a, b, 四角]}
        steps:
          - {name: gen, run: 'echo {i} {kind} {scale} > {out.o}', outputs: {o: 'out/{kind}/{i:05d}.txt'}}
          - name: use
            run: 'cat {in.o} {in.cfg} > {out.u}'
            inputs: {o: {from: gen.o}, cfg: 'cfg/{kind}.txt'}
            outputs: {u: 'use/{kind}/{i}.txt'}
          - {name: all, foreach: once, run: 'cat {in.u} > {out.t}', inputs: {u: {from: use.u}}, outputs: {t: total.txt}}
        """

    @Test func parallelAndSerialPlansAreIdentical() throws {
        let spec = try PipelineDecoder.decode(text: Self.text, file: "p.yaml")
        let digest = { (path: String) -> Digest? in path.hasSuffix("b.txt") ? nil : Digest(of: path) }
        let serial = try Planner.plan(spec, files: digest, parallelFrom: .max)
        let parallel = try Planner.plan(spec, files: digest, parallelFrom: 1)
        let chunked = try Planner.plan(spec, files: digest, parallelFrom: 1, draftChunk: 1000)
        #expect(serial.units.count == 18001)
        #expect(serial.units.map(\.key) == chunked.units.map(\.key) && serial.units.map(\.inputs) == chunked.units.map(\.inputs))
        #expect(serial.units.map(\.key) == parallel.units.map(\.key))
        #expect(serial.units.map(\.outputs) == parallel.units.map(\.outputs))
        #expect(serial.units.map(\.inputs) == parallel.units.map(\.inputs))
        #expect(serial.units.map(\.needs) == parallel.units.map(\.needs))
        #expect(serial.units.map(\.seed) == parallel.units.map(\.seed))
        #expect(serial.files == parallel.files)
        // A partial aggregate too.
        var mask = [Bool](repeating: true, count: serial.items.count)
        for i in stride(from: 0, to: mask.count, by: 7) { mask[i] = false }
        let a = try Planner.plan(spec, files: digest, aggregateItems: [2: mask], parallelFrom: .max)
        let b = try Planner.plan(spec, files: digest, aggregateItems: [2: mask], parallelFrom: 1)
        #expect(a.units.last!.key == b.units.last!.key && a.units.last!.needs == b.units.last!.needs)
        #expect(a.units.last!.key != serial.units.last!.key)
    }

    @Test func parallelPlanningReportsTheErrorASerialPlanWould() throws {
        // Many items format to the same path ({i:.0e}): the first collision in item order is named.
        let colliding = Self.text.replacingOccurrences(of: "'out/{kind}/{i:05d}.txt'", with: "'out/{kind}/{i:.0e}.txt'")
        let spec = try PipelineDecoder.decode(text: colliding, file: "p.yaml")
        var messages: [String] = []
        for (threshold, chunk) in [(Int.max, 65_536), (1, 65_536), (1, 7)] {
            do {
                _ = try Planner.plan(spec, parallelFrom: threshold, draftChunk: chunk)
                Issue.record("expected a collision")
            } catch {
                messages.append(error.description)
            }
        }
        #expect(messages.count == 3 && Set(messages).count == 1, "\(messages)")
        #expect(messages[0].contains("gives the same path"), "\(messages)")
    }

    @Test func aPathCollisionNamesBothOutputsAndBothUnits() throws {
        let cases = [
            ("  - {name: a, run: true, outputs: {x: 'o/{i}', y: 'o/{i:d}'}}\n",
             "steps.a.outputs.y: gives the same path 'o/1' as steps.a.outputs.x for a[i=1] and a[i=1]"),
            ("  - {name: a, run: true, outputs: {x: 'o/{i}'}}\n  - {name: b, run: true, needs: [a], outputs: {y: 'o/{i:d}'}}\n",
             "steps.b.outputs.y: gives the same path 'o/1' as steps.a.outputs.x for a[i=1] and b[i=1]"),
            ("  - {name: s, run: true, foreach: once, outputs: {y: 'o/2'}}\n  - {name: a, run: true, outputs: {x: 'o/{i}'}}\n",
             "steps.a.outputs.x: gives the same path 'o/2' as steps.s.outputs.y for s and a[i=2]"),
            ("  - {name: a, run: true, outputs: {x: 'o/{i:.0f}'}}\n",
             "steps.a.outputs.x: gives the same path 'o/2' as steps.a.outputs.x for a[i=1.5] and a[i=2.0]"),
        ]
        for (steps, expected) in cases {
            let items = expected.contains("1.5") ? "[1.5, 2.0]" : "[1, 2]"
            let spec = try PipelineDecoder.decode(text: "name: c\nitems: {i: \(items)}\nsteps:\n" + steps, file: "c.yaml")
            for threshold in [Int.max, 1] {
                do {
                    _ = try Planner.plan(spec, parallelFrom: threshold)
                    Issue.record("expected a collision: \(expected)")
                } catch {
                    #expect(error.description.contains(expected + "; include every axis"), "\(error.description)")
                }
            }
        }
    }
}
