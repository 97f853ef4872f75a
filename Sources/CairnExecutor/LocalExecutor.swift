#if canImport(Glibc)
import Glibc
#endif
import CCairnSystem

/// Runs attempts as process groups on this machine, at most ``slots`` at a time.
///
/// One `poll` watches a pidfd per running process, the port's wake pipe, and optionally the
/// signal pipe. When a leader exits, the whole group is KILLed before the leader is reaped (so
/// the group id cannot be reused meanwhile): no background child of a unit outlives it.
/// Not thread-safe except its ``waker``: drive it from one thread. Closures are refused; run them
/// with ``InProcessExecutor`` or ``MixedExecutor``.
public final class LocalExecutor: Executor {
    struct Running {
        var request: AttemptRequest
        var pid: pid_t
        var pidfd: Int32
        var log: Int32
        var started: Double
        var deadline: Double?
        var killAt: Double?
        var timedOut = false
        var stopped = false
    }

    public let slots: Int
    private var running: [Int32: Running] = [:]  // by pid
    let port: EventPort

    /// - Parameters:
    ///   - slots: the most attempts at once (`-j`).
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
        guard case .process(let command, let environment, let workingDirectory) = attempt.work else {
            throw ExecutorError("the local process executor cannot run a Swift closure; use an in-process executor")
        }
        let log = open(attempt.logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw ExecutorError.errno("cannot open log \(attempt.logPath)", errno) }
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(command: command, environment: environment, workingDirectory: workingDirectory, output: log)
        } catch {
            close(log)
            throw error
        }
        let pidfd = cairn_pidfd_open(pid)
        let now = MonotonicClock.now()
        running[pid] = Running(request: attempt, pid: pid, pidfd: pidfd, log: log, started: now, deadline: attempt.timeout.map { now + $0 })
        return AttemptHandle(id: attempt.id, processID: pid, processStartTicks: ProcessTable.startTicks(of: pid) ?? 0)
    }

    public var waker: Waker { port.waker }

    public func stopAll(grace: Double) {
        let now = MonotonicClock.now()
        for (pid, var r) in running {
            kill(-pid, r.request.stopSignal)
            r.stopped = true
            r.killAt = min(r.killAt ?? .infinity, now + grace)
            running[pid] = r
        }
    }

    public func killAll() {
        for pid in running.keys { kill(-pid, SIGKILL) }
    }

    /// The earliest time a running process must be signalled (a timeout or a KILL after grace).
    var nextDeadline: Double? {
        var next: Double?
        for r in running.values {
            if let d = r.killAt ?? r.deadline { next = min(next ?? d, d) }
        }
        return next
    }

    public func wait(until deadline: Double?) -> ExecutorEvents {
        var events = ExecutorEvents()
        while true {
            let now = MonotonicClock.now()
            enforceDeadlines(now: now)
            var next = deadline
            if let d = nextDeadline { next = min(next ?? d, d) }
            var polled: [Int32] = []  // pid of each pidfd
            var descriptors: [Int32] = []
            var unwatched: [Int32] = []  // processes without a pidfd: probed every turn
            for r in running.values {
                if r.pidfd >= 0 {
                    descriptors.append(r.pidfd)
                    polled.append(r.pid)
                } else {
                    unwatched.append(r.pid)
                }
            }
            var timeout = EventPort.milliseconds(until: next, now: now)
            if !unwatched.isEmpty { timeout = timeout < 0 ? 20 : min(timeout, 20) }
            // pidfds are level-triggered: a process that already ended makes poll return at once.
            let seen = port.poll(descriptors, timeout: timeout)
            if seen.failed { return events }
            events.signals += seen.signals
            reap(unwatched + seen.ready.map { polled[$0] }, into: &events)
            if !events.ends.isEmpty || !events.signals.isEmpty || seen.woke { return events }
            if let deadline, MonotonicClock.now() >= deadline { return events }
        }
    }

    private func enforceDeadlines(now: Double) {
        for (pid, var r) in running {
            if let killAt = r.killAt, now >= killAt {
                kill(-pid, SIGKILL)
                r.killAt = .infinity
                running[pid] = r
            } else if r.killAt == nil, let d = r.deadline, now >= d {
                kill(-pid, r.request.stopSignal)
                r.timedOut = true
                r.killAt = now + r.request.grace
                running[pid] = r
            }
        }
    }

    /// Reaps those of `candidates` whose leader has exited.
    private func reap(_ candidates: [Int32], into events: inout ExecutorEvents) {
        for pid in candidates {
            guard let r = running[pid] else { continue }
            // Look without reaping, so the group id stays reserved while we sweep the group.
            guard cairn_peek_exit(pid) == 1 else { continue }
            kill(-pid, SIGKILL)
            // The exited leader's I/O counters are still readable until it is reaped.
            let io = ProcessIO.read(pid)
            var status: Int32 = 0
            var rusage = Glibc.rusage()
            while wait4(pid, &status, 0, &rusage) < 0 && errno == EINTR {}
            if r.pidfd >= 0 { close(r.pidfd) }
            close(r.log)
            running[pid] = nil
            let reason: AttemptEnd.Reason =
                (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
            events.ends.append(AttemptEnd(
                id: r.request.id, processID: pid, reason: reason, timedOut: r.timedOut, stopped: r.stopped,
                duration: MonotonicClock.now() - r.started, usage: ProcessIO.usage(rusage, io: io)))
        }
    }
}
