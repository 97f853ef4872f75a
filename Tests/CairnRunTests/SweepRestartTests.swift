import CairnTestSupport
import Foundation
import Testing

/// Guild's restart scenario with real runs: restart unchanged, narrow (orphans), widen (only
/// new trials), bring trials back (adopted, not re-run), and a widened restart killed mid-way.
@Suite(.serialized) struct SweepRestartTests {
    static let pipeline = """
        name: sweep
        items:
          x: [1.0, 2.0]
          y: [1, 2]
        steps:
          - name: train
            run: echo "$CAIRN_UNIT" >> side.log; sleep 0.{slow}; python3 -c 'import sys; print("loss:", float(sys.argv[1]) * int(sys.argv[2]))' {x} {y}
            metrics: log
        """

    func setUp(slow: Int = 0) -> TemporaryFolder {
        let dir = TemporaryFolder()
        dir.write("sweep.yaml", Self.pipeline.replacingOccurrences(of: "{slow}", with: String(slow)))
        return dir
    }

    /// Runs cairn and returns the units that ran (from side.log), clearing it.
    func cairn(_ dir: TemporaryFolder, _ args: [String], expect status: Int32 = 0) throws -> (ran: [String], out: String) {
        let r = try CairnBinary.run(args, in: dir.path)
        #expect(r.status == status, "\(args): \(r.stdout)\(r.stderr)")
        let ran = dir.lines("side.log").sorted()
        try? FileManager.default.removeItem(atPath: "\(dir.path)/side.log")
        return (ran, r.stdout + r.stderr)
    }

    func trials(_ dir: TemporaryFolder, _ args: [String] = []) throws -> [[String: Any]] {
        let r = try CairnBinary.run(["trials", "--json"] + args, in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return object?["trials"] as? [[String: Any]] ?? []
    }

    @Test func restartNarrowWidenAndBringBack() throws {
        let dir = setUp()
        defer { dir.remove() }
        #expect(try cairn(dir, ["run", "sweep.yaml"]).ran.count == 4)
        // Restart unchanged: nothing runs.
        #expect(try cairn(dir, ["run", "sweep.yaml"]).ran.isEmpty)
        #expect(try cairn(dir, ["resume"]).out.contains("nothing to resume"))

        // Narrow: x=1.0 only. Nothing runs; the x=2.0 trials are orphaned, not deleted.
        let narrowed = try cairn(dir, ["resume", "--set", "x=1.0"])
        #expect(narrowed.ran.isEmpty)
        #expect(narrowed.out.contains("to run: 0; already committed: 2"), "\(narrowed.out)")
        #expect(try trials(dir).count == 2)
        let all = try trials(dir, ["--all"])
        #expect(all.count == 4)
        #expect(all.filter { $0["status"] as? String == "orphaned" }.count == 2)
        #expect(all.allSatisfy { ($0["metrics"] as? [String: Double])?["loss"] != nil }, "\(all)")
        let status = try CairnBinary.run(["status"], in: dir.path)
        #expect(status.stdout.contains("orphaned: 2 trial(s)"), "\(status.stdout)")

        // Widen y: only the new trials run, with the stored x=1.0.
        let widened = try cairn(dir, ["resume", "--set", "y=[1, 2, 3, 4]"])
        #expect(widened.ran == ["train[x=1.0,y=3]", "train[x=1.0,y=4]"], "\(widened.ran)")
        // A plain resume keeps the values of the last restart.
        #expect(try cairn(dir, ["resume"]).ran.isEmpty)
        #expect(try trials(dir).count == 4)

        // Bring x=2.0 back: its committed trials are adopted; only x=2.0 × y=3,4 run.
        let back = try cairn(dir, ["resume", "--set", "x=[1.0, 2.0]"])
        #expect(back.ran == ["train[x=2.0,y=3]", "train[x=2.0,y=4]"], "\(back.ran)")
        #expect(try trials(dir, ["--all"]).filter { $0["status"] as? String == "orphaned" }.isEmpty)

        // Forcing one trial re-runs exactly that one.
        let forced = try cairn(dir, ["resume", "--force-all", "--where", "y=4", "--where", "x=2.0"])
        #expect(forced.ran == ["train[x=2.0,y=4]"], "\(forced.ran)")
    }

    @Test func killedWidenedRestartResumesWithTheWidenedValues() throws {
        let dir = setUp(slow: 4)
        defer { dir.remove() }
        #expect(try cairn(dir, ["run", "sweep.yaml", "-q"]).ran.count == 4)
        let run = try CairnBinary.start(["resume", "--set", "y=[1, 2, 3, 4, 5, 6]", "-j", "2", "-q"], in: dir.path)
        #expect(CairnBinary.waitFor { dir.lines("side.log").count >= 3 })
        run.signal(SIGKILL)
        _ = run.wait()
        let started = dir.lines("side.log")
        #expect(!started.contains { $0.hasSuffix("y=1]") || $0.hasSuffix("y=2]") }, "committed trials ran again: \(started)")
        let committedAtKill = try trials(dir).filter { $0["status"] as? String == "committed" }.count
        try FileManager.default.removeItem(atPath: "\(dir.path)/side.log")

        let resumed = try cairn(dir, ["resume"])
        #expect(!resumed.out.contains("changed since this run started"), "\(resumed.out)")
        // Exactly the trials not committed at the kill ran: 12 in all.
        #expect(resumed.ran.count == 12 - committedAtKill, "\(resumed.ran)")
        #expect(!resumed.ran.contains { $0.hasSuffix("y=1]") || $0.hasSuffix("y=2]") })
        let rows = try trials(dir)
        #expect(rows.count == 12)
        #expect(rows.allSatisfy { $0["status"] as? String == "committed" })
    }

    @Test func overrideErrorsAreOneLineWithExitTwo() throws {
        let dir = setUp()
        defer { dir.remove() }
        let cases: [([String], String)] = [
            (["run", "sweep.yaml", "--set", "z=3"], "--set z=3: no axis or param 'z'"),
            (["run", "sweep.yaml", "--set", "xx=1"], "did you mean 'x'?"),
            (["plan", "sweep.yaml", "--set", "x=[1,"], "--set x=[1,: invalid YAML"),
            (["plan", "sweep.yaml", "--set", "novalue"], "--set novalue: give NAME=VALUE"),
            (["plan", "sweep.yaml", "--set", "x={uniform: [2, 1]}"], "low (2.0) must be below high (1.0)"),
            (["plan", "sweep.yaml", "--set", "x={loguniform: [0, 1]}", "--max-trials", "3"], "loguniform bounds must be above 0"),
            (["plan", "sweep.yaml", "--max-trials", "0"], "--max-trials 0"),
            (["plan", "sweep.yaml", "--set", "x={uniform: [0, 1]}"], "needs `sample: {count: N, seed: S}`"),
        ]
        for (args, expected) in cases {
            let r = try CairnBinary.run(args, in: dir.path)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        #expect(!dir.exists(".cairn/runs/sweep"), "a refused command wrote a run folder")
    }
}
