import Foundation

/// A thread that runs one in-process attempt's task at a time (a task executor the attempt's
/// task prefers), so a closure that computes for long without suspending — what dataset blocks
/// do — holds its own thread, not one of the few threads of Swift's shared pool, and a closure
/// that never returns (abandoned after a stop) takes only its own thread with it.
final class AttemptThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init() {
        let thread = Thread { [unowned(unsafe) self] in self.loop() }
        thread.stackSize = 8 << 20
        thread.name = "cairn-attempt"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: executor) }
        }
    }
}
