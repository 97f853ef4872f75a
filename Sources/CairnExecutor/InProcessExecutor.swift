import Synchronization

/// Runs attempts that are Swift closures, each in its own task in this process, at most
/// ``slots`` at a time. Each attempt's task prefers a thread of its own (reused by later
/// attempts), so closures that compute without suspending run side by side and cannot starve
/// each other or Swift's shared pool; child tasks a closure creates run on that thread too
/// unless it asks for another executor.
///
/// Stopping cancels the attempt's task; a closure is expected to notice (`Task.isCancelled`,
/// `try Task.checkCancellation()`, or any cancellable `await`) and return or throw. One that
/// has not ended `grace` seconds after its cancellation is *abandoned*: it ends with
/// ``AttemptEnd/Reason/abandoned`` and keeps running detached until the process exits, its
/// result ignored, and its thread is not reused. (Swift cannot kill a task; the process that
/// owns the executor exits at the end of its session, which ends such closures.) Not thread-safe except its ``waker``.
public final class InProcessExecutor: Executor {
    struct Running {
        var id: Int
        var task: Task<Void, Never>
        var thread: AttemptThread
        var started: Double
        var deadline: Double?
        var grace: Double
        var killAt: Double?
        var timedOut = false
        var stopped = false
    }

    struct Finished {
        var token: UInt64
        var reason: AttemptEnd.Reason
        var ended: Double
    }

    /// Where tasks leave their ends for the driving thread. A task wakes the driving thread
    /// only when it is about to sleep (`waiting`), so a busy runner pays no system call per end.
    final class Inbox: Sendable {
        struct State {
            var list: [Finished] = []
            var waiting = false
        }
        let state = Mutex(State())

        /// Leaves an end; wakes the driving thread if it waits.
        func post(_ end: Finished, waker: Waker) {
            let wake = state.withLock { s in
                s.list.append(end)
                defer { s.waiting = false }
                return s.waiting
            }
            if wake { waker.wake() }
        }

        /// Takes every end left so far.
        func take() -> [Finished] {
            state.withLock { s in
                defer { s.list.removeAll(keepingCapacity: true) }
                return s.list
            }
        }

        /// Marks the driving thread as about to sleep, unless ends are waiting (false).
        func willSleep() -> Bool {
            state.withLock { s in
                guard s.list.isEmpty else { return false }
                s.waiting = true
                return true
            }
        }

        func awake() { state.withLock { $0.waiting = false } }
    }

    public let slots: Int
    let port: EventPort
    private var running: [UInt64: Running] = [:]  // by token
    private var nextToken: UInt64 = 0
    private let finished = Inbox()
    /// Threads whose attempts ended, kept for the next ones (an abandoned attempt keeps its own).
    private var idleThreads: [AttemptThread] = []

    /// - Parameters:
    ///   - slots: the most attempts at once.
    ///   - signalFD: read end of the signal pipe, if signals should wake waits.
    public convenience init(slots: Int, signalFD: Int32? = nil) {
        self.init(slots: slots, port: EventPort(signalFD: signalFD))
    }

    /// An executor waking on a shared port.
    public init(slots: Int, port: EventPort) {
        self.slots = max(1, slots)
        self.port = port
    }

    public var runningCount: Int { running.count }

    public func start(_ attempt: AttemptRequest) throws(ExecutorError) -> AttemptHandle {
        guard case .closure(let body) = attempt.work else {
            throw ExecutorError("the in-process executor runs Swift closures only; run shell commands with a process executor")
        }
        nextToken += 1
        let token = nextToken
        let log = AttemptLog(locate: attempt.logLocator)
        let finished = self.finished
        let waker = port.waker
        let thread = idleThreads.popLast() ?? AttemptThread()
        let task = Task(executorPreference: thread) {
            let reason: AttemptEnd.Reason
            do {
                try await body(log)
                reason = .returned
            } catch {
                reason = .threw(describeClosureError(error))
            }
            let ended = MonotonicClock.now()
            finished.post(Finished(token: token, reason: reason, ended: ended), waker: waker)
        }
        let now = MonotonicClock.now()
        running[token] = Running(id: attempt.id, task: task, thread: thread, started: now, deadline: attempt.timeout.map { now + $0 }, grace: attempt.grace)
        return AttemptHandle(id: attempt.id, processID: nil)
    }

    public var waker: Waker { port.waker }

    public func stopAll(grace: Double) {
        let now = MonotonicClock.now()
        for (token, var r) in running {
            r.task.cancel()
            r.stopped = true
            r.killAt = min(r.killAt ?? .infinity, now + grace)
            running[token] = r
        }
    }

    public func killAll() {
        let now = MonotonicClock.now()
        for (token, var r) in running {
            r.task.cancel()
            r.killAt = now
            running[token] = r
        }
    }

    public func wait(until deadline: Double?) -> ExecutorEvents {
        var events = ExecutorEvents()
        while true {
            collect(into: &events)
            if !events.ends.isEmpty { return events }
            let now = MonotonicClock.now()
            var next = deadline
            if let d = nextDeadline { next = min(next ?? d, d) }
            guard willSleep() else { continue }
            let seen = port.poll([], timeout: EventPort.milliseconds(until: next, now: now))
            awake()
            events.signals += seen.signals
            collect(into: &events)
            if seen.failed || !events.ends.isEmpty || !events.signals.isEmpty || seen.woke { return events }
            if let deadline, MonotonicClock.now() >= deadline { return events }
        }
    }

    /// Call before sleeping on the port: false when ends are already waiting (collect them
    /// instead); otherwise the next end wakes the port. Call ``awake()`` after the sleep.
    func willSleep() -> Bool { finished.willSleep() }

    func awake() { finished.awake() }

    /// The earliest time a running closure must be cancelled or given up on.
    var nextDeadline: Double? {
        var next: Double?
        for r in running.values {
            if let d = r.killAt ?? r.deadline { next = min(next ?? d, d) }
        }
        return next
    }

    /// Enforces timeouts and grace periods, and moves ended attempts into `events`; does not block.
    func collect(into events: inout ExecutorEvents) {
        let done = finished.take()
        for f in done {
            guard let r = running.removeValue(forKey: f.token) else { continue }  // abandoned before
            idleThreads.append(r.thread)
            events.ends.append(AttemptEnd(id: r.id, processID: nil, reason: f.reason, timedOut: r.timedOut, stopped: r.stopped,
                                          duration: f.ended - r.started))
        }
        let now = MonotonicClock.now()
        for (token, var r) in running {
            if let killAt = r.killAt, now >= killAt {
                running[token] = nil
                events.ends.append(AttemptEnd(id: r.id, processID: nil, reason: .abandoned, timedOut: r.timedOut, stopped: r.stopped,
                                              duration: now - r.started))
            } else if r.killAt == nil, let d = r.deadline, now >= d {
                r.task.cancel()
                r.timedOut = true
                r.killAt = now + r.grace
                running[token] = r
            }
        }
    }

}

/// A closure's error as one line.
func describeClosureError(_ error: any Error) -> String {
    if error is CancellationError { return "cancelled" }
    let text = String(describing: error)
    return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
}
