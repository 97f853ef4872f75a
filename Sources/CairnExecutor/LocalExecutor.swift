import CCairnSystem

#if canImport(Glibc)
import Glibc
#endif

/// Runs jobs as process groups on this machine, at most ``slots`` at a time.
///
/// One `poll` watches a pidfd per running job, a wake pipe, and optionally the signal pipe.
/// When a job's leader exits, the whole group is KILLed before the leader is reaped (so the
/// group id cannot be reused meanwhile): no background child of a unit outlives it.
/// Not thread-safe except ``wake()``: drive it from one thread.
public final class LocalExecutor: Executor {
    struct Running {
        var job: Job
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
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let signalFD: Int32?

    /// - Parameters:
    ///   - slots: the most jobs at once (`-j`).
    ///   - signalFD: read end of the signal pipe, if signals should wake waits.
    public init(slots: Int, signalFD: Int32? = nil) {
        self.slots = max(1, slots)
        self.signalFD = signalFD
        var fds: [Int32] = [0, 0]
        cairn_pipe(&fds)
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    public var runningCount: Int { running.count }

    public func start(_ job: Job) throws(ExecutorError) -> Int32 {
        let log = open(job.logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw ExecutorError.errno("cannot open log \(job.logPath)", errno) }
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(command: job.command, environment: job.environment, workingDirectory: job.workingDirectory, output: log)
        } catch {
            close(log)
            throw error
        }
        let pidfd = cairn_pidfd_open(pid)
        let now = MonotonicClock.now()
        running[pid] = Running(job: job, pid: pid, pidfd: pidfd, log: log, started: now, deadline: job.timeout.map { now + $0 })
        return pid
    }

    public func wake() { waker.wake() }

    /// A handle other threads can use to wake this executor.
    public var waker: Waker { Waker(fd: wakeWrite) }

    public func stopAll(grace: Double) {
        let now = MonotonicClock.now()
        for (pid, var r) in running {
            kill(-pid, r.job.stopSignal)
            r.stopped = true
            r.killAt = min(r.killAt ?? .infinity, now + grace)
            running[pid] = r
        }
    }

    public func killAll() {
        for pid in running.keys { kill(-pid, SIGKILL) }
    }

    public func wait(until deadline: Double?) -> ExecutorEvents {
        var events = ExecutorEvents()
        while true {
            let now = MonotonicClock.now()
            enforceDeadlines(now: now)
            var next = deadline
            for r in running.values {
                if let d = r.killAt ?? r.deadline { next = min(next ?? d, d) }
            }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            if let signalFD { fds.append(pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)) }
            let fixed = fds.count
            var polled: [Int32] = []  // pid of each pidfd entry after the fixed ones
            var unwatched: [Int32] = []  // jobs without a pidfd: probed every turn
            for r in running.values {
                if r.pidfd >= 0 {
                    fds.append(pollfd(fd: r.pidfd, events: Int16(POLLIN), revents: 0))
                    polled.append(r.pid)
                } else {
                    unwatched.append(r.pid)
                }
            }
            var timeout: Int32 = -1
            if let next { timeout = Int32(max(0, min(3_600_000, ((next - now) * 1000).rounded(.up)))) }
            if !unwatched.isEmpty { timeout = timeout < 0 ? 20 : min(timeout, 20) }
            // pidfds are level-triggered: a job that already ended makes poll return at once.
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n < 0 && errno != EINTR { return events }
            var woke = false
            if fds[0].revents != 0 { drain(wakeRead); woke = true }
            if signalFD != nil, fds[1].revents != 0 {
                events.signals += drainSignals()
            }
            var ended = unwatched
            for (i, pid) in polled.enumerated() where fds[fixed + i].revents != 0 { ended.append(pid) }
            reap(ended, into: &events)
            if !events.completions.isEmpty || !events.signals.isEmpty || woke { return events }
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
                kill(-pid, r.job.stopSignal)
                r.timedOut = true
                r.killAt = now + r.job.grace
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
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            if r.pidfd >= 0 { close(r.pidfd) }
            close(r.log)
            running[pid] = nil
            let termination: JobCompletion.Termination =
                (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
            events.completions.append(JobCompletion(
                id: r.job.id, pid: pid, termination: termination, timedOut: r.timedOut, stopped: r.stopped,
                duration: MonotonicClock.now() - r.started))
        }
    }

    private func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(fd, &buffer, buffer.count) > 0 {}
    }

    private func drainSignals() -> [Int32] {
        guard let signalFD else { return [] }
        var out: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(signalFD, &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer[0..<n].map { Int32($0) }
        }
        return out
    }
}
