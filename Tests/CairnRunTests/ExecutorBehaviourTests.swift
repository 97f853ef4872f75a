import CairnCore
import CairnJournal
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// Timeouts, retries, process groups and atomic outputs, through the library with real processes.
@Suite(.serialized) struct ExecutorBehaviourTests {
    func run(_ dir: TemporaryFolder, _ text: String, jobs: Int = 2, grace: Double = 0.3) throws -> RunSummary {
        let path = dir.write("p.yaml", text)
        let spec = try PipelineLoader().load(file: path)
        let snapshot = Snapshot(file: path, pipeline: spec)
        return try RunSession.execute(snapshot: snapshot, folder: RunFolder.defaultFor(pipelineFile: path, name: spec.name),
                                      options: RunOptions(jobs: jobs, grace: grace), observer: SilentObserver())
    }

    @Test func timeoutKillsTheWholeProcessGroup() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let summary = try run(dir, """
            name: t
            items: {i: [1]}
            steps:
              - name: slow
                timeout: 0.5
                run: 'sleep 1000 & echo $! > child.pid; trap "" TERM; echo started; sleep 1000'
            """)
        #expect(summary.failures.count == 1)
        #expect(summary.failures.first?.reason.contains("timed out after 0.5s") == true)
        let child = Int32(dir.read("child.pid")!.trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(CairnBinary.waitFor(timeout: 5) { !processIsAlive(child) }, "the unit's background child was killed")
    }

    @Test func backgroundChildrenDoNotOutliveASuccessfulUnit() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let summary = try run(dir, "name: bg\nitems: {i: [1]}\nsteps:\n  - {name: s, run: 'sleep 1000 & echo $! > child.pid'}\n")
        #expect(summary.exitCode == 0)
        let child = Int32(dir.read("child.pid")!.trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(CairnBinary.waitFor(timeout: 5) { !processIsAlive(child) })
    }

    @Test func retriesWithBackoffUntilSuccess() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let started = Date()
        let summary = try run(dir, """
            name: r
            items: {i: [1]}
            steps:
              - name: flaky
                retries: 3
                retry_backoff: 0.2
                run: 'echo {attempt} >> attempts.txt; [ {attempt} -ge 3 ] && echo ok > {out.o}'
                outputs: {o: result.txt}
            """)
        #expect(summary.exitCode == 0)
        #expect(dir.lines("attempts.txt") == ["1", "2", "3"])
        #expect(dir.read("result.txt") == "ok\n")
        #expect(Date().timeIntervalSince(started) >= 0.6, "backoff 0.2 s then 0.4 s")
    }

    @Test func retriesAreBounded() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let summary = try run(dir, "name: r\nitems: {i: [1]}\nsteps:\n  - {name: f, retries: 2, retry_backoff: 0, run: 'echo x >> tries.txt; exit 3'}\n")
        #expect(summary.exitCode == 1)
        #expect(dir.lines("tries.txt").count == 3)
        #expect(summary.failures.first?.reason == "attempt 3 exited with code 3")
    }

    @Test func aUnitKilledMidWriteLeavesNoFileAtTheFinalPath() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let summary = try run(dir, """
            name: a
            items: {i: [1, 2]}
            steps:
              - name: w
                timeout: 0.4
                run: 'printf partial > {out.o}; [ {i} = 1 ] && exec sleep 1000; printf " and done" >> {out.o}'
                outputs: {o: 'out/{i}.txt'}
            """)
        #expect(summary.failures.count == 1)
        #expect(!dir.exists("out/1.txt"), "the killed unit's partial file never reached its final path")
        #expect(dir.read("out/2.txt") == "partial and done")
        #expect(!dir.exists("out/.cairn-staging"), "staging debris is removed")
    }

    @Test func exitZeroWithoutADeclaredOutputFails() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let summary = try run(dir, "name: m\nitems: {i: [1]}\nsteps:\n  - {name: s, run: 'true', outputs: {img: 'o/{i}.png'}}\n")
        #expect(summary.failures.first?.reason.contains("did not create output 'img' (o/1.png)") == true)
    }

    @Test func stagingDebrisOfADeadAttemptIsRemovedOnTheNextRun() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("o/.cairn-staging/000001-9/1.txt", "debris")
        let summary = try run(dir, "name: d\nitems: {i: [1]}\nsteps:\n  - {name: s, run: 'echo hi > {out.x}', outputs: {x: 'o/{i}.txt'}}\n")
        #expect(summary.exitCode == 0)
        #expect(!dir.exists("o/.cairn-staging"))
        #expect(dir.read("o/1.txt") == "hi\n")
    }

    @Test func unitsSeeTheirPlaceholdersAndEnvironment() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let summary = try run(dir, """
            name: env
            seed: 5
            items: {name: ["a/b"], n: [7]}
            steps:
              - name: show
                env: {GREETING: 'hello {name}'}
                run: 'echo "$GREETING|$CAIRN_ITEM_NAME|$CAIRN_ITEM_N|$CAIRN_SEED|{seed}|$CAIRN_ATTEMPT|$CAIRN_STEP|$CAIRN_UNIT" > {out.o}'
                outputs: {o: 'out/{n:03d}.txt'}
            """)
        #expect(summary.exitCode == 0)
        let item = Item(index: 0, values: [.string("a/b"), .int(7)]).json(axes: ["name", "n"])
        let seed = UnitSeed.derive(runSeed: 5, itemJSON: item)
        #expect(dir.read("out/007.txt") == "hello a/b|a/b|7|\(seed)|\(seed)|1|show|show[name=a/b,n=7]\n")
    }
}
