import CairnCore
import CairnJournal
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// What `kill -9` leaves behind, and how the next run deals with it.
@Suite(.serialized) struct CrashRecoveryTests {
    func journal(_ dir: TemporaryFolder, _ name: String) throws -> JournalState {
        try JournalState(directory: "\(dir.path)/.cairn/runs/\(name)/journal", repair: false)
    }

    @Test func resumeKillsWhatAKilledControllerLeftRunningBeforeAnythingElse() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: orphans
            items: {i: [1, 2]}
            steps:
              - name: s
                run: 'if [ -e done-{i} ]; then for p in $(cat bg-1 bg-2); do s=$(cut -d" " -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo $p; done > still-running-{i}; exit 0; fi; sleep 7777 & echo $! > bg-{i}; sleep 7776'
            """)
        let first = try CairnBinary.start(["run", "p.yaml", "-j", "2"], in: dir.path)
        #expect(CairnBinary.waitFor { dir.exists("bg-1") && dir.exists("bg-2") })
        usleep(100_000)
        first.signal(SIGKILL)
        _ = first.wait()
        let orphans = [dir.read("bg-1"), dir.read("bg-2")].compactMap { $0.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        #expect(orphans.count == 2)
        #expect(orphans.allSatisfy(processIsAlive), "the background children outlive a SIGKILLed controller")
        #expect(try journal(dir, "orphans").openAttempts.count == 2)
        dir.write("done-1", "")
        dir.write("done-2", "")
        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("killed 4 leftover process(es) of 2 attempt(s)"), "\(resumed.stderr)")
        #expect(orphans.allSatisfy { !processIsAlive($0) })
        #expect(dir.read("still-running-1") == "" && dir.read("still-running-2") == "", "orphans were gone before the units ran again")
        let state = try journal(dir, "orphans")
        #expect(state.openAttempts.isEmpty)
        #expect(state.commitRecords == 2)
    }

    /// A controller killed after spawning a unit but before its attempt record was durable:
    /// the journal knows nothing of the unit's children, and one of them left its process
    /// group. The sweep finds all three (two sleeps in the group, one outside) by the run folder
    /// in their environment.
    @Test func resumeKillsProcessesNoJournaledAttemptAccountsFor() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: strays
            items: {i: [1]}
            steps:
              - name: s
                run: 'if [ -e done ]; then exit 0; fi; sleep 7777 & echo $! > bg; setsid sh -c "echo \\$\\$ > escaped; exec sleep 7778" & sleep 7776'
            """)
        let first = try CairnBinary.run(["run", "p.yaml"], in: dir.path, environment: ["CAIRN_FAULT": "crash-after-spawn=1:1500"])
        #expect(first.status == 128 + SIGKILL, "status \(first.status)")
        let pids = [dir.read("bg"), dir.read("escaped")].compactMap { $0.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        try #require(pids.count == 2)
        #expect(pids.allSatisfy(processIsAlive), "the unit's children outlive the SIGKILLed controller")
        #expect(getpgid(pids[1]) == pids[1], "the escaped child leads its own group")
        #expect(try journal(dir, "strays").openAttempts.isEmpty, "the crash came before the attempt record")
        dir.write("done", "")
        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("killed 3 leftover process(es) of this run that no journaled attempt accounts for"), "\(resumed.stderr)")
        #expect(CairnBinary.waitFor(timeout: 5) { pids.allSatisfy { !processIsAlive($0) } })
    }

    @Test func resumeCountsOnlyInterruptedAttemptsAsDebrisNotTheSpareFoldersAKilledSessionKept() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: spares
            items: {i: {range: [0, 300]}}
            steps:
              - name: s
                run: 'echo {i} > {out.o}'
                outputs: {o: 'out/{i}/x.txt'}
            """)
        // A folder per item: each commit leaves an emptied staging folder kept for reuse.
        let crashed = try CairnBinary.run(["run", "p.yaml", "-j", "2"], in: dir.path, environment: ["CAIRN_FAULT": "crash-after-rename=150"])
        #expect(crashed.status == 128 + SIGKILL)
        let spares = (0..<300).filter { dir.exists("out/\($0)/.cairn-staging") }.count
        #expect(spares > 100, "the killed session left its spare folders (\(spares))")
        dir.write("out/299/.cairn-staging/a-killed-attempt/x.txt", "half")
        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let said = resumed.stderr.split(separator: "\n").first { $0.contains("removed staging debris of") } ?? ""
        let count = Int(said.split(separator: " ").first { Int($0) != nil } ?? "") ?? 0
        #expect((1...3).contains(count), "the interrupted attempts are the one made here and at most -j in flight: \(said)")
        #expect((0..<300).allSatisfy { dir.read("out/\($0)/x.txt") == "\($0)\n" && !dir.exists("out/\($0)/.cairn-staging") })
    }

    @Test func aCrashBetweenRenameAndCommitRecordReRunsTheUnitAndReplacesItsOutputs() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: window
            items: {i: {range: [0, 6]}}
            steps:
              - name: s
                run: 'echo {i} >> side.log; echo "value {i} {seed}" > {out.o}'
                outputs: {o: 'out/{i}.txt'}
            """)
        let crashed = try CairnBinary.run(["run", "p.yaml", "-j", "1"], in: dir.path, environment: ["CAIRN_FAULT": "crash-after-rename=3"])
        #expect(crashed.status == 128 + SIGKILL)
        let state = try journal(dir, "window")
        #expect(state.commitRecords == 2, "the third unit's outputs are in place, but its commit was never journaled")
        #expect(dir.exists("out/2.txt"))
        let resumed = try CairnBinary.run(["resume", "-j", "1"], in: dir.path)
        #expect(resumed.status == 0)
        #expect(dir.lines("side.log") == ["0", "1", "2", "2", "3", "4", "5"], "only the unjournaled unit ran twice")
        let plan = try Planner.plan(try PipelineLoader().load(file: "\(dir.path)/p.yaml"))
        for unit in plan.units { #expect(dir.read("out/\(unit.item!).txt") == "value \(unit.item!) \(unit.seed)\n") }
        #expect(try journal(dir, "window").commitRecords == 6)
    }
}
