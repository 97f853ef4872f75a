import CairnCore
import CairnJournal
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// Keys by content: edits re-run exactly what they change, and `plan --why` says why.
@Suite(.serialized) struct ChangeDetectionTests {
    static let pipeline = """
        name: cd
        params: {lr: 0.1}
        items: {i: {range: [0, 4]}}
        steps:
          - name: prep
            run: echo "$CAIRN_UNIT" >> side.log; sh scripts/prep.sh {in.d} {lr} > {out.o}
            code: scripts/*.sh
            env: {MODE: fast}
            inputs: {d: 'data/{i}.txt'}
            outputs: {o: 'out/prep/{i}.txt'}
          - name: note
            run: echo "$CAIRN_UNIT" >> side.log
            needs: prep
          - name: fin
            run: echo "$CAIRN_UNIT" >> side.log; cat {in.o} > {out.f}
            inputs: {o: {from: prep.o}}
            outputs: {f: 'out/fin/{i}.txt'}
            needs: note
        """

    func setUp() -> TemporaryFolder {
        let dir = TemporaryFolder()
        for i in 0..<4 { dir.write("data/\(i).txt", "data \(i)\n") }
        dir.write("scripts/prep.sh", "cat \"$1\"; echo \"lr=$2 mode=$MODE\"\n")
        dir.write("p.yaml", Self.pipeline)
        return dir
    }

    /// Runs `cairn run p.yaml ARGS` and returns the units that ran (from side.log), clearing it.
    func run(_ dir: TemporaryFolder, _ args: [String] = [], expect status: Int32 = 0) throws -> (ran: [String], out: String) {
        let result = try CairnBinary.run(["run", "p.yaml", "-j", "2"] + args, in: dir.path)
        #expect(result.status == status, "\(result.stdout)\(result.stderr)")
        let ran = dir.lines("side.log").sorted()
        try? FileManager.default.removeItem(atPath: "\(dir.path)/side.log")
        return (ran, result.stdout + result.stderr)
    }

    func plan(_ dir: TemporaryFolder, _ args: [String] = []) throws -> String {
        let result = try CairnBinary.run(["plan", "p.yaml"] + args, in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test func identicalBytesNeverCauseARerun() throws {
        let dir = setUp()
        defer { dir.remove() }
        #expect(try run(dir).ran.count == 12)
        // touch, rewrite with the same bytes (a checkout), reorder the YAML's keys.
        #expect(utimes("\(dir.path)/data/1.txt", nil) == 0)
        dir.write("scripts/prep.sh", dir.read("scripts/prep.sh")!)
        dir.write("data/2.txt", "data 2\n")
        dir.write("p.yaml", Self.pipeline.replacingOccurrences(of: "name: cd\n        params: {lr: 0.1}", with: "params: {lr: 0.1}\nname: cd"))
        #expect(try plan(dir).contains("to run: 0; already committed: 12"))
        #expect(try run(dir).ran.isEmpty)
        // A copy of the whole tree, run folder included, elsewhere.
        let copy = TemporaryFolder()
        defer { copy.remove() }
        #expect(Tool.run("/bin/cp", ["-a", "\(dir.path)/.", copy.path]) == 0)
        let copied = try CairnBinary.run(["run", "p.yaml"], in: copy.path)
        #expect(copied.status == 0)
        #expect(copied.stdout.contains("to run: 0; already committed: 12"), "\(copied.stdout)")
        // --verify re-reads everything and still finds nothing changed.
        #expect(try plan(dir, ["--verify"]).contains("to run: 0; already committed: 12"))
    }

    @Test func eachKindOfChangeRerunsExactlyWhatItAffects() throws {
        let dir = setUp()
        defer { dir.remove() }
        _ = try run(dir)
        // One byte of one input: that item's prep, and its dependents.
        dir.write("data/2.txt", "data 3\n")
        let why = try plan(dir, ["--why"])
        #expect(why.contains("input file changed: 1 unit") && why.contains("data/2.txt"), "\(why)")
        #expect(try run(dir).ran == ["fin[i=2]", "note[i=2]", "prep[i=2]"])
        #expect(dir.read("out/fin/2.txt") == "data 3\nlr=0.1 mode=fast\n")
        // A code file: every unit of the step, and downstream.
        dir.write("scripts/prep.sh", "cat \"$1\"; echo \"lr=$2 mode=$MODE!\"\n")
        #expect(try plan(dir, ["--why"]).contains("code file changed: 4 units"))
        #expect(try run(dir).ran.count == 12)
        // An env value.
        dir.write("p.yaml", Self.pipeline.replacingOccurrences(of: "MODE: fast", with: "MODE: slow"))
        let envWhy = try plan(dir, ["--why"])
        #expect(envWhy.contains("env of step prep changed: 4 units") && envWhy.contains("MODE: fast → slow"), "\(envWhy)")
        #expect(try run(dir).ran.count == 12)
        // A param, shown with old and new value.
        dir.write("p.yaml", Self.pipeline.replacingOccurrences(of: "MODE: fast", with: "MODE: slow").replacingOccurrences(of: "lr: 0.1", with: "lr: 0.01"))
        #expect(try plan(dir, ["--why"]).contains("param lr changed: 4 units\n      from 0.1 to 0.01"))
        _ = try run(dir)
        // The command of the side-effect step: only it re-runs; fin, after it, does not.
        let edited = Self.pipeline.replacingOccurrences(of: "MODE: fast", with: "MODE: slow").replacingOccurrences(of: "lr: 0.1", with: "lr: 0.01")
            .replacingOccurrences(of: "run: echo \"$CAIRN_UNIT\" >> side.log\n    needs: prep", with: "run: echo \"$CAIRN_UNIT\" >> side.log; true\n    needs: prep")
        dir.write("p.yaml", edited)
        let noteWhy = try plan(dir, ["--why"])
        #expect(noteWhy.contains("command of step note changed: 4 units"), "\(noteWhy)")
        #expect(try run(dir).ran == (0..<4).map { "note[i=\($0)]" })
        // One unit explained in full, and as JSON.
        dir.write("data/0.txt", "changed\n")
        let one = try plan(dir, ["--why", "fin[i=0]"])
        #expect(one.contains("because: upstream unit re-runs: prep[i=0]"), "\(one)")
        let json = try plan(dir, ["--why", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let counts = object?["counts"] as? [String: Int]
        #expect(counts?["run"] == 3 && counts?["done"] == 9, "\(json)")
        let units = object?["units"] as? [[String: Any]] ?? []
        #expect(units.count == 12)
        #expect(units.contains { $0["unit"] as? String == "prep[i=0]" && (($0["reasons"] as? [[String: Any]])?.first?["kind"] as? String) == "input file changed" })
    }

    @Test func forceRerunsTheStepAndEverythingDownstreamEvenAfterAnInterruption() throws {
        let dir = setUp()
        defer { dir.remove() }
        _ = try run(dir)
        let forced = try run(dir, ["--force", "prep", "--items", "1:2"])
        #expect(forced.ran == ["fin[i=1]", "fin[i=2]", "note[i=1]", "note[i=2]", "prep[i=1]", "prep[i=2]"], "\(forced.out)")
        #expect(try run(dir).ran.isEmpty)
        // Forcing is journaled before anything runs: a forced run killed at once is finished by a plain run.
        let killed = try CairnBinary.run(["run", "p.yaml", "--force-all"], in: dir.path, environment: ["CAIRN_FAULT": "crash-after-spawn=1:0"])
        #expect(killed.status == 128 + SIGKILL)
        try? FileManager.default.removeItem(atPath: "\(dir.path)/side.log")
        #expect(try plan(dir, ["--why"]).contains("forced: "), "forced units stay owed")
        #expect(try run(dir).ran.count == 12)
        let state = try JournalState(directory: "\(dir.path)/.cairn/runs/cd/journal", repair: false)
        #expect(state.units.values.allSatisfy { $0.committed && !$0.forced })
    }

    @Test func neverRerunHoldsBackAndSkipFailedDoesNotRetry() throws {
        let dir = setUp()
        defer { dir.remove() }
        _ = try run(dir)
        dir.write("data/3.txt", "new data\n")
        let held = try run(dir, ["--never-rerun", "fin"], expect: 1)
        #expect(held.ran == ["note[i=3]", "prep[i=3]"])
        #expect(held.out.contains("fin would need recomputation"), "\(held.out)")
        #expect(try run(dir).ran == ["fin[i=3]"])
        // A failing unit is not retried with --skip-failed.
        dir.write("p.yaml", Self.pipeline.replacingOccurrences(of: "cat {in.o} > {out.f}", with: "test {i} != 2 && cat {in.o} > {out.f}"))
        let failed = try run(dir, [], expect: 1)
        #expect(failed.ran.count == 4)
        let skipped = try run(dir, ["--skip-failed"], expect: 1)
        #expect(skipped.ran.isEmpty, "\(skipped.out)")
        #expect(skipped.out.contains("--skip-failed"))
        #expect(try run(dir, [], expect: 1).ran == ["fin[i=2]"])
    }

    @Test func selectionsNarrowPlansAndRuns() throws {
        let dir = setUp()
        defer { dir.remove() }
        #expect(try plan(dir, ["--steps", "prep"]).contains("to run: 4 (never ran 4); already committed: 0; not selected: 8"))
        #expect(try plan(dir, ["--until", "note", "--where", "i=1:3"]).contains("to run: 4 (never ran 4); already committed: 0; not selected: 8"))
        let bad = try CairnBinary.run(["plan", "p.yaml", "--steps", "prpe"], in: dir.path)
        #expect(bad.status == 2 && bad.stderr.contains("no step 'prpe'; did you mean 'prep'?"), "\(bad.stderr)")
        let first = try run(dir, ["--items", "0:2", "--steps", "prep,fin"], expect: 1)
        #expect(first.ran == ["prep[i=0]", "prep[i=1]"], "fin needs note, which is not selected")
        #expect(try run(dir, ["--where", "i=0,1"]).ran == ["fin[i=0]", "fin[i=1]", "note[i=0]", "note[i=1]"])
        #expect(try run(dir).ran.count == 6)
    }

    @Test func resumeAfterAnEditKeepsTheSnapshotUnlessAskedAndSaysWhatChanged() throws {
        let dir = setUp()
        defer { dir.remove() }
        let killed = try CairnBinary.run(["run", "p.yaml", "-j", "1"], in: dir.path, environment: ["CAIRN_FAULT": "crash-after-spawn=3:0"])
        #expect(killed.status == 128 + SIGKILL)
        dir.write("p.yaml", Self.pipeline.replacingOccurrences(of: "lr: 0.1", with: "lr: 0.5"))
        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0)
        #expect(resumed.stderr.contains("changed since this run started; resuming the stored snapshot; add --use-current"), "\(resumed.stderr)")
        #expect(resumed.stderr.contains("param lr changed"), "\(resumed.stderr)")
        #expect(dir.read("out/fin/0.txt") == "data 0\nlr=0.1 mode=fast\n")
        dir.write("p.yaml", Self.pipeline.replacingOccurrences(of: "lr: 0.1", with: "lr: 0.9"))
        let current = try CairnBinary.run(["resume", "p.yaml", "--use-current"], in: dir.path)
        #expect(current.status == 0, "\(current.stderr)")
        #expect(current.stderr.contains("running the current version (--use-current)"), "\(current.stderr)")
        #expect(dir.read("out/fin/0.txt") == "data 0\nlr=0.9 mode=fast\n")
    }
}
