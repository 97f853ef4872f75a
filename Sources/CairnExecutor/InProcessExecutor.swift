import Synchronization

/// Runs attempts that are Swift closures in this process, at most ``slots`` at a time, on
/// worker threads that take one attempt after another (``ClosureWorkers``): closures that
/// compute without suspending run side by side, cannot starve each other or Swift's shared
/// pool, and child tasks a closure creates run on its worker's thread too unless it asks for
/// another executor.
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
        var started: Double
        var deadline: Double?
        var grace: Double
        var killAt: Double?
        var timedOut = false
        var stopped = false
    }

    public let slots: Int
    let port: EventPort
    private var running: [UInt64: Running] = [:]  // by token
    private var nextToken: UInt64 = 0
    private let workers: ClosureWorkers
    /// Attempts started since the last wait, handed to the workers together.
    private var submitted: [ClosureWorkers.Job] = []
    /// When attempts left queued are given more workers (see ``ClosureWorkers``).
    private var coverAt: Double?

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
        workers = ClosureWorkers(limit: self.slots, waker: port.waker)
    }

    public var runningCount: Int { running.count }

    public func start(_ attempt: AttemptRequest) throws(ExecutorError) -> AttemptHandle {
        guard case .closure(let body) = attempt.work else {
            throw ExecutorError("the in-process executor runs Swift closures only; run shell commands with a process executor")
        }
        nextToken += 1
        let token = nextToken
        let now = MonotonicClock.now()
        running[token] = Running(id: attempt.id, started: now, deadline: attempt.timeout.map { now + $0 }, grace: attempt.grace)
        submitted.append(ClosureWorkers.Job(token: token, body: body, log: AttemptLog(locate: attempt.logLocator), queuedAt: now))
        return AttemptHandle(id: attempt.id, processID: nil)
    }

    public var waker: Waker { port.waker }

    public func stopAll(grace: Double) {
        let now = MonotonicClock.now()
        for (token, var r) in running {
            cancel(token)
            r.stopped = true
            r.killAt = min(r.killAt ?? .infinity, now + grace)
            running[token] = r
        }
    }

    public func killAll() {
        let now = MonotonicClock.now()
        for (token, var r) in running {
            cancel(token)
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
    func willSleep() -> Bool { workers.willSleep() }

    func awake() { workers.awake() }

    /// Cancels an attempt's closure; one still queued never runs and ends as cancelled at once.
    private func cancel(_ token: UInt64) {
        handOver()
        workers.cancel(token, at: MonotonicClock.now())
    }

    /// Gives the workers the attempts started since the last call.
    private func handOver() {
        guard !submitted.isEmpty else { return }
        if let at = workers.submit(submitted) { coverAt = min(coverAt ?? at, at) }
        submitted.removeAll(keepingCapacity: true)
    }

    /// The earliest time a running closure must be cancelled or given up on.
    var nextDeadline: Double? {
        var next = coverAt
        for r in running.values {
            if let d = r.killAt ?? r.deadline { next = min(next ?? d, d) }
        }
        return next
    }

    /// Enforces timeouts and grace periods, and moves ended attempts into `events`; does not block.
    func collect(into events: inout ExecutorEvents) {
        handOver()
        if let at = coverAt, MonotonicClock.now() >= at {
            coverAt = workers.cover(queuedBefore: MonotonicClock.now() - ClosureWorkers.coverDelay)
        }
        let done = workers.takeEnds()
        for f in done {
            guard let r = running.removeValue(forKey: f.token) else { continue }  // abandoned before
            events.ends.append(AttemptEnd(id: r.id, processID: nil, reason: f.reason, timedOut: r.timedOut, stopped: r.stopped,
                                          duration: f.ended - r.started))
        }
        let now = MonotonicClock.now()
        for (token, var r) in running {
            if let killAt = r.killAt, now >= killAt {
                workers.abandon(token)
                running[token] = nil
                events.ends.append(AttemptEnd(id: r.id, processID: nil, reason: .abandoned, timedOut: r.timedOut, stopped: r.stopped,
                                              duration: now - r.started))
            } else if r.killAt == nil, let d = r.deadline, now >= d {
                cancel(token)
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
