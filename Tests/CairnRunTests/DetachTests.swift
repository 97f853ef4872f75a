import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// `--detach`: the run goes on in its own session after the command returns.
@Suite struct DetachTests {
    @Test func aDetachedRunOutlivesItsCommandAndStatusWatchFollowsItToTheEnd() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: d
            items: {i: {range: [0, 6]}}
            steps:
              - {name: s, run: 'sleep 0.5; echo {i} > {out.o}', outputs: {o: 'o/{i}'}}
            """)
        let started = try CairnBinary.run(["run", "p.yaml", "--detach", "-j", "2"], in: dir.path)
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stdout.contains("follow it: cairn status --watch"))
        let pid = try #require(started.stdout.split(separator: "(pid ").dropFirst().first.flatMap { Int32($0.prefix { $0.isNumber }) })
        #expect(processIsAlive(pid), "the run goes on after `cairn run --detach` returned")
        #expect(getsid(pid) == pid, "in a session of its own: a logout's SIGHUP does not reach it")
        let watch = try CairnBinary.run(["status", "--watch", "--interval", "0.3", ".cairn/runs/d"], in: dir.path)
        #expect(watch.status == 0)
        #expect(watch.stdout.contains("run d — running") && watch.stdout.hasSuffix("total  6/6        0        0       0            0        -     -\n"), "\(watch.stdout)")
        #expect((0..<6).allSatisfy { dir.read("o/\($0)") == "\($0)\n" })
        #expect(dir.read(".cairn/runs/d/controller.log")?.contains("done: 6/6 units committed") == true)
    }
}
