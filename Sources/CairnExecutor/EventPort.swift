#if canImport(Glibc)
import Glibc
#endif
import CCairnSystem

/// Where an executor's waits wake up: a wake pipe any thread may write to, and optionally the
/// signal pipe. Executors that run side by side (``MixedExecutor``) share one port, so one
/// `poll` waits for all of them.
public final class EventPort: @unchecked Sendable {
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// Read end of the signal pipe, if signals should wake waits.
    let signalFD: Int32?

    /// What one ``poll(_:timeout:)`` saw.
    struct Seen {
        var woke = false
        var signals: [Int32] = []
        /// Indices into the extra descriptors that are readable.
        var ready: [Int] = []
        var failed = false
    }

    public init(signalFD: Int32? = nil) {
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

    /// A handle other threads can use to wake a wait on this port.
    public var waker: Waker { Waker(fd: wakeWrite) }

    /// Polls the wake pipe, the signal pipe and `extra` descriptors for at most `timeout`
    /// milliseconds (-1: no limit).
    func poll(_ extra: [Int32], timeout: Int32) -> Seen {
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        if let signalFD { fds.append(pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)) }
        let fixed = fds.count
        for fd in extra { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        var seen = Seen()
        let n = Glibc.poll(&fds, nfds_t(fds.count), timeout)
        if n < 0 && errno != EINTR { seen.failed = true; return seen }
        if fds[0].revents != 0 { drain(wakeRead); seen.woke = true }
        if signalFD != nil, fds[1].revents != 0 { seen.signals = drainSignals() }
        for i in extra.indices where fds[fixed + i].revents != 0 { seen.ready.append(i) }
        return seen
    }

    /// Milliseconds from `now` to `next` for a poll (-1 for no deadline).
    static func milliseconds(until next: Double?, now: Double) -> Int32 {
        guard let next else { return -1 }
        return Int32(max(0, min(3_600_000, ((next - now) * 1000).rounded(.up))))
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
