import CairnExecutor
import Foundation
import Synchronization
import Testing

/// The in-process executor's workers: attempts queued together are run one after another by
/// one worker, yet a long attempt never holds up the ones queued behind it, a worker whose
/// attempt was cancelled never runs another one cancelled, and every attempt ends exactly once.
@Suite struct ClosureWorkersTests {
    /// Waits until `count` ends arrived (or 20 s passed), returning them with their arrival times.
    func collect(_ executor: InProcessExecutor, count: Int, from start: Double) -> [(end: AttemptEnd, at: Double)] {
        var ends: [(AttemptEnd, Double)] = []
        while ends.count < count && MonotonicClock.now() - start < 20 {
            for end in executor.wait(until: start + 20).ends { ends.append((end, MonotonicClock.now() - start)) }
        }
        return ends
    }

    func request(_ id: Int, timeout: Double? = nil, _ body: @escaping @Sendable (AttemptLog) async throws -> Void) -> AttemptRequest {
        AttemptRequest(id: id, work: .closure(body), logPath: "/dev/null", timeout: timeout, grace: 5)
    }

    @Test func aLongAttemptDoesNotHoldUpShortOnesStartedWithIt() throws {
        let executor = InProcessExecutor(slots: 4)
        let start = MonotonicClock.now()
        _ = try executor.start(request(0) { _ in usleep(1_500_000) })  // computes without suspending
        for id in 1...3 { _ = try executor.start(request(id) { _ in }) }
        let ends = collect(executor, count: 4, from: start)
        let short = ends.filter { $0.end.id != 0 }
        #expect(short.count == 3 && short.allSatisfy { $0.at < 0.5 }, "short attempts waited for the long one: \(short.map(\.at))")
        #expect(ends.count == 4 && ends.allSatisfy(\.end.succeeded))
    }

    @Test func aWorkerWhoseAttemptWasCancelledRunsNoOtherAttemptCancelled() throws {
        let executor = InProcessExecutor(slots: 1)
        let start = MonotonicClock.now()
        // Times out after 0.1 s, notices nothing, returns on its own 0.3 s later.
        _ = try executor.start(request(0, timeout: 0.1) { _ in usleep(400_000) })
        let first = collect(executor, count: 1, from: start)
        #expect(first.first?.end.timedOut == true && first.first?.end.reason == .returned)
        let seen = Mutex<[Bool]>([])
        for id in 1...5 { _ = try executor.start(request(id) { _ in seen.withLock { $0.append(Task.isCancelled) } }) }
        let rest = collect(executor, count: 5, from: MonotonicClock.now())
        #expect(rest.count == 5 && rest.allSatisfy(\.end.succeeded))
        #expect(seen.withLock { $0 } == [false, false, false, false, false])
    }

    @Test func attemptsStoppedBeforeAnyWorkerTookThemEachEndOnce() throws {
        let executor = InProcessExecutor(slots: 8)
        let ran = Mutex(0)
        for id in 0..<8 {
            _ = try executor.start(request(id) { _ in
                ran.withLock { $0 += 1 }
                try await Task.sleep(for: .seconds(30))
            })
        }
        executor.stopAll(grace: 5)  // before any wait: some attempts are still queued
        let start = MonotonicClock.now()
        let ends = collect(executor, count: 8, from: start)
        #expect(ends.map(\.end.id).sorted() == Array(0..<8), "\(ends.map(\.end.id))")
        #expect(ends.allSatisfy { $0.end.stopped && !$0.end.succeeded && $0.at < 2 })
        #expect(executor.wait(until: MonotonicClock.now() + 0.2).ends.isEmpty, "an attempt ended twice")
        #expect(ran.withLock { $0 } <= 8)
    }

    @Test func tenThousandShortAttemptsEachEndOnce() throws {
        let executor = InProcessExecutor(slots: 8)
        let ran = Mutex(0)
        var started = 0, ended: [Int] = []
        let start = MonotonicClock.now()
        while ended.count < 10_000 && MonotonicClock.now() - start < 60 {
            while started < 10_000 && executor.runningCount < executor.slots {
                _ = try executor.start(request(started) { _ in ran.withLock { $0 += 1 } })
                started += 1
            }
            ended += executor.wait(until: start + 60).ends.filter(\.succeeded).map(\.id)
        }
        #expect(ended.sorted() == Array(0..<10_000))
        #expect(ran.withLock { $0 } == 10_000)
    }
}
