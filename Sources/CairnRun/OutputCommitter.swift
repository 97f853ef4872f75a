import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

/// Places finished attempts' outputs off the runner's thread: a few threads each check, hash,
/// fsync and rename one attempt's staged outputs (``Staging/place(outputs:staged:names:expected:folders:syncFiles:)``),
/// so the fsyncs of several units overlap (the file system commits them together) and the
/// runner goes on starting units meanwhile.
///
/// The runner takes what is done (``take()``), fsyncs the folders of the whole batch once
/// (``Staging/sync(_:)``) and only then journals the batch's commits: the order that makes a
/// commit's outputs durable before its record is, unchanged. Every thread wakes the runner's
/// wait through `waker` when it finishes a job. Only ``take()``, ``submit(_:)``, ``pending``
/// and ``close()`` may be called, from the runner's thread.
final class OutputCommitter: @unchecked Sendable {
    /// One attempt's outputs to place.
    struct Job: Sendable {
        /// The runner's token (the unit index).
        var unit: Int
        var outputs: OutputPaths
        var staged: [String]
        var names: [String]
    }

    /// A placed (or refused) job.
    struct Done {
        var unit: Int
        var result: Result<[OutputDigest], Staging.Failure>
        /// The folders renamed into, to fsync before the commit is journaled.
        var folders: Set<String>
        /// The attempt's staging folders, emptied, for later attempts (relative to the root).
        var spare: [String] = []
    }

    private let staging: Staging
    private let waker: Waker
    private let maxThreads: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [Job] = []
    private var queueHead = 0
    private var done: [Done] = []
    private var idle = 0
    private var threads = 0
    private var closed = false
    /// Submitted and not yet taken (the runner's thread only).
    private(set) var pending = 0

    /// - Parameters:
    ///   - staging: where the staged outputs are.
    ///   - threads: the most jobs placed at once (threads are started as jobs need them).
    ///   - waker: wakes the runner's wait when a job is done.
    init(staging: Staging, threads: Int, waker: Waker) {
        self.staging = staging
        self.maxThreads = max(1, threads)
        self.waker = waker
    }

    /// Queues a job; a thread places it.
    func submit(_ job: Job) {
        pending += 1
        condition.lock()
        queue.append(job)
        let start = idle == 0 && threads < maxThreads
        if start { threads += 1 }
        condition.signal()
        condition.unlock()
        if start {
            let thread = Thread { [self] in self.work() }
            thread.name = "cairn-commit"
            thread.start()
        }
    }

    /// Takes every job done so far (does not block).
    func take() -> [Done] {
        condition.lock()
        let taken = done
        done.removeAll(keepingCapacity: true)
        condition.unlock()
        pending -= taken.count
        return taken
    }

    /// Ends the threads once the queue is empty (call when nothing is pending).
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        condition.lock()
        while true {
            if queueHead < queue.count {
                let job = queue[queueHead]
                queueHead += 1
                if queueHead == queue.count {
                    queue.removeAll(keepingCapacity: true)
                    queueHead = 0
                }
                condition.unlock()
                let finished = place(job)
                condition.lock()
                done.append(finished)
                waker.wake()
                continue
            }
            if closed { break }
            idle += 1
            condition.wait()
            idle -= 1
        }
        threads -= 1
        condition.unlock()
    }

    private func place(_ job: Job) -> Done {
        var folders = Set<String>()
        do {
            let digests = try staging.place(outputs: job.outputs, staged: job.staged, names: job.names, expected: nil, folders: &folders)
            return Done(unit: job.unit, result: .success(digests), folders: folders, spare: staging.emptied(job.staged))
        } catch {
            // Nothing was renamed when a check failed before the renames; a failed rename may
            // have moved some: their folders are synced with the batch all the same.
            return Done(unit: job.unit, result: .failure(error), folders: folders)
        }
    }
}
