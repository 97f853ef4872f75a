import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The threads that run in-process attempts, and where their ends wait for the driving thread.
///
/// Each worker is one long-lived task on a thread of its own (an ``AttemptThread`` it prefers)
/// that takes attempts from a shared queue and runs them one after another. Ending one attempt
/// and taking the next is one lock; while attempts keep coming, a worker costs no task creation
/// and no thread wake-up, and the driving thread is woken only when it sleeps.
///
/// A worker is woken when attempts are queued and no other worker is looking for one
/// (*searching*). Attempts queued together are first left to that one worker, which runs short
/// ones in a row; ``cover(queuedBefore:)`` (the executor calls it for attempts queued longer
/// than ``coverDelay``) wakes enough workers that attempts that compute for long run side by side.
///
/// A worker that found the queue empty first watches it for ``spinTime`` (one at a time), so a
/// runner that hands over the next attempts at once wakes no thread. On a busy machine the
/// spinning worker can lose its CPU to another process for milliseconds while it still counts
/// as searching; attempts queued then would wait for it (or for ``coverDelay``). So the spinner
/// notes the time of each look, and a spinner that has not looked for ``stallTime`` is not
/// counted: another worker is woken instead.
///
/// Cancelling an attempt cancels its worker's task; Swift cannot un-cancel a task, so that
/// worker retires once the attempt ends and a new one takes its place. An abandoned attempt's
/// worker is forgotten with its thread (see ``InProcessExecutor``). Thread-safe.
final class ClosureWorkers: Sendable {
    /// An attempt waiting for a worker, or running on one.
    struct Job: Sendable {
        var token: UInt64
        var body: @Sendable (AttemptLog) async throws -> Void
        var log: AttemptLog
        /// When it was queued (monotonic).
        var queuedAt: Double
    }

    /// An attempt that ended (monotonic time `ended`).
    struct Finished: Sendable {
        var token: UInt64
        var reason: AttemptEnd.Reason
        var ended: Double
    }

    struct Worker {
        var task: Task<Void, Never>?
        /// The attempt it runs now.
        var current: UInt64?
        /// Its task was (or is to be) cancelled: it retires after this attempt.
        var cancelled = false
        /// Its attempt was given up on: it ends without reporting.
        var abandoned = false
    }

    struct State {
        var queue: [Job] = []
        var head = 0
        var parked: [UnsafeContinuation<Void, Never>] = []
        var workers: [Int: Worker] = [:]
        /// Workers awake and not running an attempt.
        var searching = 0
        /// Workers that may take attempts (neither retiring nor abandoned).
        var live = 0
        var nextID = 0
        var threads: [AttemptThread] = []
        /// Ends the driving thread has not taken yet.
        var ends: [Finished] = []
        /// The driving thread sleeps until woken.
        var waiting = false

        var queued: Int { queue.count - head }

        /// When the first queued attempt that no searching worker will take was queued.
        var firstUncovered: Double? { queued > searching ? queue[head + searching].queuedAt : nil }

        mutating func pop() -> Job? {
            guard head < queue.count else { return nil }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            return job
        }

        mutating func remove(_ token: UInt64) -> Bool {
            guard let at = queue[head...].firstIndex(where: { $0.token == token }) else { return false }
            queue.remove(at: at)
            return true
        }

        /// Leaves an end; true when the driving thread must be woken for it.
        mutating func post(_ end: Finished) -> Bool {
            ends.append(end)
            defer { waiting = false }
            return waiting
        }
    }

    /// What to do outside the lock to get another worker searching.
    enum Wake {
        case resume(UnsafeContinuation<Void, Never>)
        case spawn(id: Int, thread: AttemptThread?)
    }

    /// How long attempts submitted together are left to one worker before more are woken.
    static let coverDelay = 0.0005

    /// How long a worker that found the queue empty keeps looking before it parks (one at a
    /// time): a runner that hands over the next attempts within it wakes no thread.
    static let spinTime = 0.00005

    /// How long a spinning worker may go without looking at the queue before it is taken to
    /// have lost its CPU (each look takes well under a microsecond while it has one).
    static let stallTime = 0.00002

    let limit: Int
    let waker: Waker
    let state = Mutex(State())
    /// The queue's length as last changed under the lock, for a spinning worker to watch.
    private let queuedHint = Atomic<Int>(0)
    /// A worker is spinning.
    private let spinning = Atomic<Bool>(false)
    /// When the spinning worker last looked at the queue (monotonic nanoseconds).
    private let spinLook = Atomic<Int>(0)

    /// - Parameters:
    ///   - limit: the most workers at once (the executor's slots).
    ///   - waker: wakes the driving thread when an end comes while it sleeps.
    init(limit: Int, waker: Waker) {
        self.limit = max(1, limit)
        self.waker = waker
    }

    /// Queues attempts; wakes or starts a worker if none is searching. Returns when to call
    /// ``cover(queuedBefore:)`` if attempts are left waiting for a worker (nil: none are).
    func submit(_ jobs: [Job]) -> Double? {
        let (wake, next) = state.withLock { s -> (Wake?, Double?) in
            s.queue.append(contentsOf: jobs)
            queuedHint.store(s.queued, ordering: .relaxed)
            let wake = s.searching - stalledSpinner() <= 0 ? Self.another(&s, limit: limit) : nil
            return (wake, s.firstUncovered.map { $0 + Self.coverDelay })
        }
        if let wake { perform(wake) }
        return next
    }

    /// Wakes workers until every attempt queued before `time` has one searching. Returns when
    /// to call it again for attempts queued later (nil: none are waiting).
    func cover(queuedBefore time: Double) -> Double? {
        let stalled = stalledSpinner()
        while true {
            let (wake, next) = state.withLock { s -> (Wake?, Double?) in
                let old = s.queue[s.head...].prefix { $0.queuedAt <= time }.count
                // With every worker busy, the first to finish takes the next attempt.
                if old > s.searching - stalled { return (Self.another(&s, limit: limit), nil) }
                return (nil, s.firstUncovered.map { $0 + Self.coverDelay })
            }
            guard let wake else { return next }
            perform(wake)
        }
    }

    /// Takes every end left so far.
    func takeEnds() -> [Finished] {
        state.withLock { s in
            defer { s.ends.removeAll(keepingCapacity: true) }
            return s.ends
        }
    }

    /// Marks the driving thread as about to sleep, unless ends are waiting (false).
    func willSleep() -> Bool {
        state.withLock { s in
            guard s.ends.isEmpty else { return false }
            s.waiting = true
            return true
        }
    }

    /// The driving thread woke up.
    func awake() { state.withLock { $0.waiting = false } }

    /// Cancels `token`'s attempt: a queued one never runs and ends as cancelled at once, a
    /// running one's worker task is cancelled.
    func cancel(_ token: UInt64, at now: Double) {
        let task = state.withLock { s -> Task<Void, Never>? in
            if s.remove(token) {
                queuedHint.store(s.queued, ordering: .relaxed)
                _ = s.post(Finished(token: token, reason: .threw("cancelled"), ended: now))
                return nil
            }
            guard let id = s.workers.first(where: { $0.value.current == token })?.key else { return nil }
            if !s.workers[id]!.cancelled {
                s.workers[id]!.cancelled = true
                s.live -= 1
            }
            return s.workers[id]!.task
        }
        task?.cancel()
    }

    /// Gives up on `token`'s attempt: its worker, if it runs it, is forgotten and reports nothing.
    func abandon(_ token: UInt64) {
        let task = state.withLock { s -> Task<Void, Never>? in
            if s.remove(token) {
                queuedHint.store(s.queued, ordering: .relaxed)
                return nil
            }
            guard let id = s.workers.first(where: { $0.value.current == token })?.key else { return nil }
            if !s.workers[id]!.cancelled { s.live -= 1 }
            s.workers[id]!.cancelled = true
            s.workers[id]!.abandoned = true
            return s.workers[id]!.task
        }
        task?.cancel()
    }

    // MARK: - Workers

    /// Marks one more worker searching: a parked one, or a new one while under the limit.
    private static func another(_ s: inout State, limit: Int) -> Wake? {
        if let parked = s.parked.popLast() {
            s.searching += 1
            return .resume(parked)
        }
        guard s.live < limit else { return nil }
        s.live += 1
        s.searching += 1
        s.nextID += 1
        s.workers[s.nextID] = Worker()
        return .spawn(id: s.nextID, thread: s.threads.popLast())
    }

    private func perform(_ wake: Wake) {
        switch wake {
        case .resume(let continuation): continuation.resume()
        case .spawn(let id, let reused):
            let thread = reused ?? AttemptThread()
            let task = Task(executorPreference: thread) { await self.work(id: id, thread: thread) }
            let cancel = state.withLock { s -> Bool in
                s.workers[id]?.task = task
                return s.workers[id]?.cancelled ?? false
            }
            if cancel { task.cancel() }
        }
    }

    /// A worker's life: report the last attempt's end and take the next (one lock), run it;
    /// park while none is queued; stop once cancelled or abandoned.
    private func work(id: Int, thread: AttemptThread) async {
        var done: Finished?
        while true {
            let (job, wake, retire) = state.withLock { s -> (Job?, Bool, Bool) in
                var wake = false
                if let end = done {
                    let w = s.workers[id]!
                    if !w.abandoned { wake = s.post(end) }
                    if w.cancelled {
                        s.workers[id] = nil
                        if !w.abandoned { s.threads.append(thread) }
                        return (nil, wake, true)
                    }
                    s.workers[id]!.current = nil
                    s.searching += 1
                }
                guard let job = s.pop() else { return (nil, wake, false) }
                queuedHint.store(s.queued, ordering: .relaxed)
                s.searching -= 1
                s.workers[id]!.current = job.token
                return (job, wake, false)
            }
            if wake { waker.wake() }
            if retire { return }
            guard let job else {
                done = nil
                if !spinBriefly() { await park() }
                continue
            }
            let reason: AttemptEnd.Reason
            do {
                try await job.body(job.log)
                reason = .returned
            } catch {
                reason = .threw(describeClosureError(error))
            }
            done = Finished(token: job.token, reason: reason, ended: MonotonicClock.now())
        }
    }

    /// Watches the queue for ``spinTime`` unless another worker already does, yielding the CPU
    /// meanwhile; true when an attempt was queued. The worker stays counted as searching.
    private func spinBriefly() -> Bool {
        guard spinning.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { spinning.store(false, ordering: .releasing) }
        var now = MonotonicClock.now()
        let end = now + Self.spinTime
        while true {
            spinLook.store(Self.nanoseconds(now), ordering: .relaxed)
            if queuedHint.load(ordering: .relaxed) > 0 { return true }
            if now >= end { return false }
            sched_yield()
            now = MonotonicClock.now()
        }
    }

    /// 1 when a worker spins but has not looked at the queue for ``stallTime`` (it lost its
    /// CPU), else 0: the number of searching workers not to count on.
    private func stalledSpinner() -> Int {
        guard spinning.load(ordering: .relaxed) else { return 0 }
        let since = Self.nanoseconds(MonotonicClock.now()) - spinLook.load(ordering: .relaxed)
        return since > Self.nanoseconds(Self.stallTime) ? 1 : 0
    }

    private static func nanoseconds(_ seconds: Double) -> Int { Int(seconds * 1e9) }

    /// Sleeps until ``another(_:limit:)`` picks this worker (at once if an attempt came meanwhile).
    private func park() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let resume = state.withLock { s -> Bool in
                if s.queued > 0 { return true }
                s.searching -= 1
                s.parked.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }
}
