import CairnCore
import CairnTestSupport
import Foundation
import Testing

/// Metrics journaled with commits, `cairn trials` (sort, top, where, JSON, CSV), staged runs,
/// trials files written and read back, and random search checked against Python.
@Suite(.serialized) struct TrialTableTests {
    static let metricsPipeline = """
        name: m
        items:
          lr: [1e-3, 1e-2, 0.1]
          use_bn: [true, false]
        steps:
          - name: train
            run: >-
              echo "$CAIRN_UNIT" >> side.log; sleep 0.{slow};
              python3 -c 'import json, sys; json.dump({"acc": float(sys.argv[2]) * (2 if sys.argv[3] == "true" else 1), "note": "text", "flag": True}, open(sys.argv[1], "w"))' {out.m} {lr} {use_bn}
            outputs: {m: 'out/{lr}-{use_bn}.json'}
            metrics: {file: out.m}
          - name: eval
            run: 'echo "epoch 1 loss=9"; echo "epoch 2 loss={lr}"'
            inputs: {m: {from: train.m}}
            metrics: {pattern: 'loss=(?<loss>\\S+)'}
          - name: report
            run: 'echo "val_acc: 0.5"; echo "steps=10 lr_used={lr}"'
            needs: eval
            metrics: log
        """

    func setUp(slow: Int = 0) -> TemporaryFolder {
        let dir = TemporaryFolder()
        dir.write("p.yaml", Self.metricsPipeline.replacingOccurrences(of: "{slow}", with: String(slow)))
        return dir
    }

    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    @Test func metricsOfEveryKindReachTheTrialTable() throws {
        let dir = setUp()
        defer { dir.remove() }
        #expect(try CairnBinary.run(["run", "p.yaml", "-q"], in: dir.path).status == 0)
        let table = try CairnBinary.run(["trials", "--sort", "-acc"], in: dir.path)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true)
            == ["#", "lr", "use_bn", "status", "time", "acc", "loss", "lr_used", "steps", "val_acc"], "\(lines[0])")
        #expect(lines[1].hasPrefix("5 ") && lines[1].contains("0.2"), "\(table.stdout)")
        #expect(lines.last == "best: #5 — acc=0.2 (lr=0.1, use_bn=true)", "\(table.stdout)")

        let parsed = try json(try CairnBinary.run(["trials", "--json", "--sort", "loss", "--top", "2"], in: dir.path).stdout)
        let rows = parsed["trials"] as? [[String: Any]] ?? []
        #expect(rows.count == 2)
        let metrics = rows[0]["metrics"] as? [String: Double] ?? [:]
        #expect(metrics == ["acc": 0.002, "loss": 0.001, "val_acc": 0.5, "steps": 10, "lr_used": 0.001], "\(rows[0])")
        #expect((rows[0]["values"] as? [String: Any])?["use_bn"] as? Bool == true)
        #expect(((parsed["best"] as? [String: Any])?["number"] as? Int) == 1)

        let filtered = try CairnBinary.run(["trials", "--csv", "--where", "acc=0.01:1", "--where", "use_bn=false"], in: dir.path)
        let csv = filtered.stdout.split(separator: "\n").map(String.init)
        #expect(csv.count == 3, "\(filtered.stdout)")
        #expect(csv[0] == "#,lr,use_bn,status,time,acc,loss,lr_used,steps,val_acc")
        #expect(csv[1].hasPrefix("4,0.01,false,committed,"), "\(csv)")

        for (args, expected) in [(["trials", "--sort", "-accc"], "did you mean 'acc'?"), (["trials", "--where", "nope=1"], "no axis or metric 'nope'"),
                                 (["trials", "--top", "0"], "--top 0")] {
            let r = try CairnBinary.run(args, in: dir.path)
            #expect(r.status == 2 && r.stderr.contains(expected) && r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
    }

    @Test func metricsSurviveAKillAndAResume() throws {
        let dir = setUp(slow: 5)
        defer { dir.remove() }
        let run = try CairnBinary.start(["run", "p.yaml", "-j", "2", "-q"], in: dir.path)
        #expect(CairnBinary.waitFor { dir.lines("side.log").count >= 4 })
        run.signal(SIGKILL)
        _ = run.wait()
        let mid = try json(try CairnBinary.run(["trials", "--json"], in: dir.path).stdout)["trials"] as? [[String: Any]] ?? []
        #expect(mid.count == 6)
        #expect(try CairnBinary.run(["resume", "-q"], in: dir.path).status == 0)
        let rows = try json(try CairnBinary.run(["trials", "--json"], in: dir.path).stdout)["trials"] as? [[String: Any]] ?? []
        #expect(rows.allSatisfy { $0["status"] as? String == "committed" && ($0["metrics"] as? [String: Double])?.count == 5 }, "\(rows)")
    }

    @Test func aMissingMetricsFileFailsTheUnitWithItsPath() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: mf\nitems: {i: [1]}\nsteps:\n  - name: s\n    run: 'true'\n    metrics: {file: 'out/m-{i}.json'}\n")
        let r = try CairnBinary.run(["run", "p.yaml", "-q"], in: dir.path)
        #expect(r.status == 1)
        #expect((r.stdout + r.stderr).contains("wrote no metrics file out/m-1.json"), "\(r.stdout)\(r.stderr)")
        dir.write("p.yaml", "name: mf\nitems: {i: [1]}\nsteps:\n  - name: s\n    run: 'echo nope > out-{i}.json'\n    metrics: {file: 'out-{i}.json'}\n")
        let bad = try CairnBinary.run(["run", "p.yaml", "-q"], in: dir.path)
        #expect((bad.stdout + bad.stderr).contains("metrics file out-1.json is not a JSON object"), "\(bad.stdout)\(bad.stderr)")
        dir.write("p.yaml", "name: mf\nitems: {i: [1]}\nsteps:\n  - name: s\n    run: 'true'\n    metrics: {pattern: 'loss=(?<loss\\S+)'}\n")
        let regex = try CairnBinary.run(["plan", "p.yaml"], in: dir.path)
        #expect(regex.status == 2 && regex.stderr.contains("p.yaml:6: steps.s.metrics.pattern:"), "\(regex.stderr)")
    }

    @Test func stagedRunsAreQueuedAndRunInTurn() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        for name in ["a", "b"] {
            dir.write("\(name)/p.yaml", "name: st\(name)\nitems: {x: [1.0, 2.0]}\nsteps:\n  - name: s\n    run: echo '\(name) {x}' >> ../side.log\n")
        }
        #expect(try CairnBinary.run(["run", "a/p.yaml", "--stage"], in: dir.path).status == 0)
        #expect(try CairnBinary.run(["run", "b/p.yaml", "--stage", "--set", "x=[3, 4, 5]"], in: dir.path).status == 0)
        #expect(!dir.exists("side.log"))
        let staged = try CairnBinary.run(["trials", "b/p.yaml"], in: dir.path)
        #expect(staged.stdout.contains("3 trial(s): 3 staged"), "\(staged.stdout)")
        let status = try CairnBinary.run(["status", "--json", "a/p.yaml"], in: dir.path)
        #expect(status.stdout.contains("\"state\" : \"staged\""), "\(status.stdout)")
        let refused = try CairnBinary.run(["run", "a/p.yaml", "--stage", "--steps", "s"], in: dir.path)
        #expect(refused.status == 2)

        let all = try CairnBinary.run(["resume", "--all", "-q"], in: dir.path)
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        #expect(dir.lines("side.log") .sorted() == ["a 1.0", "a 2.0", "b 3", "b 4", "b 5"])
        #expect(try CairnBinary.run(["resume", "--all"], in: dir.path).stdout.contains("nothing to resume"))
    }

    @Test func savedTrialTablesReadBackIdentically() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("grid.yaml", """
            name: grid
            params: {epochs: 3}
            items:
              lr: [1.0, 1e-3]
              name: ['0.5', 'ünï, "q"', 'yes', adam]
              bn: [true, false]
            steps:
              - {name: s, run: 'echo {lr} {name} {bn} {epochs}'}
            """)
        let listed = try CairnBinary.run(["plan", "grid.yaml", "--trials"], in: dir.path)
        #expect(listed.stdout.contains("16 trial(s)"))
        #expect(listed.stdout.split(separator: "\n")[0].split(separator: " ", omittingEmptySubsequences: true) == ["#", "lr", "name", "bn", "epochs"])
        let reference = try CairnBinary.run(["plan", "grid.yaml", "--trials", "--json"], in: dir.path).stdout
        for format in ["csv", "json", "yaml"] {
            #expect(try CairnBinary.run(["plan", "grid.yaml", "--save-trials", "t.\(format)"], in: dir.path).status == 0)
            dir.write("from.yaml", "name: from\nparams: {epochs: 3}\ntrials: t.\(format)\nsteps:\n  - {name: s, run: 'echo {lr} {name} {bn} {epochs}'}\n")
            let back = try CairnBinary.run(["plan", "from.yaml", "--trials", "--json"], in: dir.path)
            #expect(back.status == 0, "\(format): \(back.stderr)")
            #expect(try normalized(back.stdout) == normalized(reference), "\(format):\n\(back.stdout)")
        }
        // Multiplied with items, narrowed with --set.
        dir.write("from.yaml", "name: from\nparams: {epochs: 3}\ntrials: t.csv\nitems: {rep: {range: [0, 2]}}\nsteps:\n  - {name: s, run: 'echo {lr} {rep}'}\n")
        #expect(try CairnBinary.run(["plan", "from.yaml", "--trials"], in: dir.path).stdout.contains("32 trial(s)"))
        #expect(try CairnBinary.run(["plan", "from.yaml", "--trials", "--set", "lr=1.0", "--set", "bn=false"], in: dir.path).stdout.contains("8 trial(s)"))
        // A row with a missing column, and a param the table changes: one line, file and line, exit 2.
        dir.write("bad.csv", "#,lr,bn\n1,0.1,true\n2,0.2\n")
        dir.write("bad.yaml", "name: bad\ntrials: bad.csv\nsteps:\n  - {name: s, run: 'echo {lr}'}\n")
        let missing = try CairnBinary.run(["plan", "bad.yaml"], in: dir.path)
        #expect(missing.status == 2 && missing.stderr.contains("bad.csv:3: the row has 2 field(s), the header 3; column 'bn' is missing"), "\(missing.stderr)")
        dir.write("bad.json", "[{\"lr\": 0.1, \"bn\": true}, {\"lr\": 0.2}]\n")
        dir.write("bad.yaml", "name: bad\ntrials: bad.json\nsteps:\n  - {name: s, run: 'echo {lr}'}\n")
        let missingKey = try CairnBinary.run(["plan", "bad.yaml"], in: dir.path)
        #expect(missingKey.status == 2 && missingKey.stderr.contains("bad.json:1: bn: this trial has no 'bn'"), "\(missingKey.stderr)")
    }

    /// Trial values as a comparable list: JSON text per trial with `epochs` present.
    func normalized(_ text: String) throws -> [String] {
        let rows = try json(text)["trials"] as? [[String: Any]] ?? []
        return try rows.map { row in
            String(decoding: try JSONSerialization.data(withJSONObject: row["values"] ?? [:], options: [.sortedKeys]), as: UTF8.self)
        }
    }

    @Test func randomSearchMatchesPythonAndGrowsBySuperset() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("rs.yaml", """
            name: rs
            items:
              lr: {loguniform: [1e-5, 1e-1]}
              drop: {uniform: [-0.5, 0.5]}
              layers: {randint: [1, 4]}
              opt: {choice: [adam, sgd, 1.0]}
              wd: [0, 1e-4]
            sample: {count: 40, seed: 2026}
            steps:
              - {name: s, run: 'echo {lr} {drop} {layers} {opt} {wd}'}
            """)
        let first = try json(try CairnBinary.run(["plan", "rs.yaml", "--trials", "--json"], in: dir.path).stdout)["trials"] as? [[String: Any]] ?? []
        let more = try json(try CairnBinary.run(["plan", "rs.yaml", "--trials", "--json", "--max-trials", "60"], in: dir.path).stdout)["trials"] as? [[String: Any]] ?? []
        #expect(first.count == 40 && more.count == 60)
        func values(_ rows: [[String: Any]]) -> [String] {
            rows.map { "\(($0["values"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key })" }
        }
        #expect(Array(values(more).prefix(40)) == values(first), "raising the count changed earlier trials")
        let script = """
            import hashlib, json, math
            def h(seed, t, axis): return int.from_bytes(hashlib.sha256(f"cairn-draw-v1:{seed}:{t}:{axis}".encode()).digest()[:8], "big")
            def u(seed, t, axis): return (h(seed, t, axis) >> 11) * 2**-53
            out = []
            for t in range(60):
                s = 2026
                lr = math.exp(math.log(1e-5) + (math.log(1e-1) - math.log(1e-5)) * u(s, t, "lr"))
                drop = -0.5 + (0.5 - -0.5) * u(s, t, "drop")
                layers = 1 + (h(s, t, "layers") * 4 >> 64)
                opt = ["adam", "sgd", 1.0][h(s, t, "opt") * 3 >> 64]
                wd = [0, 1e-4][h(s, t, "wd") * 2 >> 64]
                out.append(json.dumps({"lr": lr, "drop": drop, "layers": layers, "opt": opt, "wd": wd}, sort_keys=True))
            print("\\n".join(out))
            """
        let python = try Tool.python(script)
        let ours = try more.map { row in
            String(decoding: try JSONSerialization.data(withJSONObject: row["values"] ?? [:], options: [.sortedKeys]), as: UTF8.self)
        }
        let theirs = try python.map { line in
            String(decoding: try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(line.utf8)), options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(ours == theirs)
    }
}
