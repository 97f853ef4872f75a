@testable import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// Two pipelines of one workspace writing different files into one output folder share its
/// staging folder. A session starting removes the debris of killed sessions there — and must
/// leave the attempts of a session still running alone (they used to fail with "did not create
/// output").
@Suite struct SharedStagingTests {
    func pipeline(_ name: String, count: Int, sleep: String) -> String {
        "name: \(name)\nitems: {i: {range: [0, \(count)]}}\nsteps:\n  - {name: s, run: 'echo \(name){i} > {out.o}; sleep \(sleep)', outputs: {o: 'out/\(name)-{i}.txt'}}\n"
    }

    @Test func aSessionStartingLeavesALiveSessionsStagingAloneAndCleansAKilledOnes() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("live.yaml", pipeline("live", count: 40, sleep: "0.4"))
        dir.write("killed.yaml", "name: killed\nitems: {i: {range: [0, 50]}}\nsteps:\n  - {name: s, run: 'echo killed{i} > {out.o}; echo {i} >> killed.started; sleep 2', outputs: {o: 'out/killed-{i}.txt'}}\n")
        dir.write("late.yaml", pipeline("late", count: 4, sleep: "0"))
        let staging = "\(dir.path)/out/.cairn-staging"
        func attempts() -> Set<String> { Set((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []) }

        // A live session staging its attempts (about 4 s of them) while other pipelines' sessions start.
        let live = try CairnBinary.start(["run", "live.yaml", "-j", "4"], in: dir.path)
        _ = CairnBinary.waitFor(timeout: 30) { attempts().count >= 4 }
        // Another session killed with its units' outputs staged: debris of a dead process.
        let killed = try CairnBinary.start(["run", "killed.yaml", "-j", "3"], in: dir.path)
        _ = CairnBinary.waitFor(timeout: 30) { dir.lines("killed.started").count >= 3 }
        killed.signal(SIGKILL)
        _ = killed.wait()
        #expect(live.isRunning, "the live session outlasts the others' starts")
        let late = try CairnBinary.run(["run", "late.yaml"], in: dir.path)
        #expect(late.status == 0, "\(late.stderr)")
        #expect((late.stdout + late.stderr).contains("removed staging debris of 3 interrupted attempt(s)"),
                "the killed session's attempts are cleaned: \(late.stdout) \(late.stderr)")

        let ended = live.wait()
        #expect(ended.status == 0, "the live session's units failed: \(ended.stdout) \(ended.stderr)")
        for i in 0..<40 { #expect(dir.read("out/live-\(i).txt") == "live\(i)\n") }
        #expect(attempts().isEmpty, "\(attempts())")
        for i in 0..<4 { #expect(dir.read("out/late-\(i).txt") == "late\(i)\n") }
    }

    @Test func anAttemptIsLiveOnlyWhenItsProcessRunsOnThisHostAndStartedBeforeIt() throws {
        let parent = getppid()  // a process that runs, not this one, started before this test
        let now = Date().timeIntervalSince1970
        #expect(Staging.belongsToLiveSession("000003-my-host-1-\(parent)-9f3a-17", changed: now, host: "my-host-1"))
        #expect(!Staging.belongsToLiveSession("000003-my-host-1-\(parent)-9f3a-17", changed: now, host: "my-host"), "another machine's pid says nothing")
        #expect(!Staging.belongsToLiveSession("000003-vm-\(getpid())-9f3a-17", changed: now, host: "vm"), "this session's own attempts are debris")
        #expect(!Staging.belongsToLiveSession("000001-9", changed: now, host: "vm"), "older or foreign names are debris")
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let dead = ended.processIdentifier
        #expect(!Staging.belongsToLiveSession("000003-vm-\(dead)-9f3a-17", changed: now, host: "vm"), "a pid with no process")
        // A process that started after the folder last changed only reuses a dead session's pid.
        let later = Process()
        later.executableURL = URL(fileURLWithPath: "/bin/sleep")
        later.arguments = ["5"]
        try later.run()
        defer { later.terminate() }
        let pid = later.processIdentifier
        #expect(Staging.belongsToLiveSession("000003-vm-\(pid)-9f3a-17", changed: now + 3, host: "vm"))
        #expect(!Staging.belongsToLiveSession("000003-vm-\(pid)-9f3a-17", changed: now - 5, host: "vm"), "started after the folder last changed")
    }
}
