import CairnExecutor
import Foundation

/// The behaviour every ``Executor`` must have, checked against a real executor with real work:
/// success, failure, timeout, stop (heeded and ignored), outputs written, concurrency up to its
/// slots, and waking a wait from another thread. Returns what went wrong, one line per problem
/// (empty when it conforms), so any test framework can assert on it.
public enum ExecutorConformance {
    public static func check(_ subject: some ExecutorSubject, scratch: String) -> [String] {
        var problems: [String] = []
        func expect(_ ok: Bool, _ what: String) { if !ok { problems.append("\(subject.name): \(what)") } }
        let log = "\(scratch)/conformance.log"

        func runOne(_ behaviour: Behaviour, timeout: Double? = nil, grace: Double = 0.3, stopAfter: Double? = nil) -> (AttemptEnd?, Double) {
            let executor = subject.makeExecutor(slots: 2, signalFD: nil)
            let request = AttemptRequest(id: 7, work: subject.work(behaviour), logPath: log, timeout: timeout, grace: grace)
            let started = MonotonicClock.now()
            do { _ = try executor.start(request) } catch {
                problems.append("\(subject.name): could not start: \(error)")
                return (nil, 0)
            }
            var stopSent = false
            while MonotonicClock.now() - started < 15 {
                var deadline = started + 15
                if let stopAfter, !stopSent { deadline = started + stopAfter }
                let events = executor.wait(until: deadline)
                if let end = events.ends.first { return (end, MonotonicClock.now() - started) }
                if let stopAfter, !stopSent, MonotonicClock.now() - started >= stopAfter {
                    executor.stopAll(grace: grace)
                    stopSent = true
                }
            }
            executor.killAll()
            return (nil, MonotonicClock.now() - started)
        }

        let (ok, _) = runOne(.succeed)
        expect(ok?.succeeded == true && ok?.id == 7 && ok?.stopped == false && ok?.timedOut == false, "a successful attempt did not end succeeded with its id (\(String(describing: ok)))")
        let (failed, _) = runOne(.fail)
        expect(failed != nil && failed?.succeeded == false && failed?.exitCode != 0, "a failing attempt did not end failed (\(String(describing: failed)))")
        let (timed, timedTook) = runOne(.sleep(30), timeout: 0.3)
        expect(timed?.timedOut == true && timed?.succeeded == false && timedTook < 5, "an attempt past its timeout was not stopped (\(String(describing: timed)), \(timedTook) s)")
        let (stubborn, stubbornTook) = runOne(.ignoreStop(20), timeout: 0.3, grace: 0.3)
        expect(stubborn?.timedOut == true && stubbornTook < 5, "an attempt ignoring its timeout's stop request was not ended after the grace period (\(String(describing: stubborn)), \(stubbornTook) s)")
        let (stopped, stoppedTook) = runOne(.sleep(30), stopAfter: 0.3)
        expect(stopped?.stopped == true && stopped?.timedOut == false && stoppedTook < 5, "stopAll did not stop an attempt (\(String(describing: stopped)), \(stoppedTook) s)")
        let (ignored, ignoredTook) = runOne(.ignoreStop(20), grace: 0.3, stopAfter: 0.3)
        expect(ignored?.stopped == true && ignoredTook < 5, "an attempt ignoring stopAll was not ended after the grace period (\(String(describing: ignored)), \(ignoredTook) s)")
        let path = "\(scratch)/written-\(UUID().uuidString)"
        let (wrote, _) = runOne(.write(path: path, text: "é✓"))
        expect(wrote?.succeeded == true && (try? String(contentsOfFile: path, encoding: .utf8)) == "é✓", "an attempt's output was not written")

        // Up to `slots` at once, each end reported once.
        let executor = subject.makeExecutor(slots: 3, signalFD: nil)
        let started = MonotonicClock.now()
        for id in 0..<3 { _ = try? executor.start(AttemptRequest(id: id, work: subject.work(.sleep(0.5)), logPath: log, timeout: nil, grace: 1)) }
        expect(executor.runningCount == 3, "three started attempts are not all running (\(executor.runningCount))")
        var ids: [Int] = []
        while ids.count < 3 && MonotonicClock.now() - started < 10 { ids += executor.wait(until: started + 10).ends.map(\.id) }
        let together = MonotonicClock.now() - started
        expect(ids.sorted() == [0, 1, 2] && executor.runningCount == 0, "three attempts did not each end once (\(ids))")
        expect(together < 1.4, "three 0.5 s attempts on three slots took \(together) s: not run at once")

        // wake() from another thread ends a wait with nothing running.
        let idle = subject.makeExecutor(slots: 1, signalFD: nil)
        let waker = idle.waker
        let t0 = MonotonicClock.now()
        Thread.detachNewThread { usleep(200_000); waker.wake() }
        _ = idle.wait(until: t0 + 10)
        expect(MonotonicClock.now() - t0 < 5, "wake() from another thread did not end a wait")
        return problems
    }
}
