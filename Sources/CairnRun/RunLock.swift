import Foundation

/// Keeps two controllers off one run folder: an exclusive `flock` on `lock`, holding a note of
/// who has it. The kernel drops the lock when its holder dies, so a dead holder on this host is
/// taken over without any manual step.
public final class RunLock {
    private let fd: Int32

    /// Who holds a run folder.
    public struct Holder: Codable, Sendable, Equatable {
        public var host: String
        public var pid: Int32
        public var started: Date
        /// When the holder last renewed its lease (see ``RunLock/renew(now:)``).
        public var renewed: Date?

        public init(host: String, pid: Int32, started: Date, renewed: Date?) {
            self.host = host
            self.pid = pid
            self.started = started
            self.renewed = renewed
        }
    }

    /// How often a holder renews its lease.
    public static let renewInterval = 10.0
    /// A holder on another host whose lease is older than this is taken to be dead.
    public static let leaseTimeout = 60.0

    /// Takes the lock or throws (exit code 3) naming the holder.
    public init(folder: RunFolder, host: HostIdentity = .current, now: Date = Date()) throws(RunError) {
        let fd = open(folder.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunError("cannot open \(folder.lock): \(String(cString: strerror(errno))); check the run folder's permissions") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.holder(of: folder)
            close(fd)
            let who = holder.map { "pid \($0.pid) on \($0.host), started \(ISO8601DateFormatter().string(from: $0.started))" } ?? "another process"
            if let holder, holder.host != host.host, let renewed = holder.renewed, now.timeIntervalSince(renewed) > Self.leaseTimeout {
                throw RunError.busy("run folder \(folder.path) is held by \(who), whose lease was last renewed \(Int(now.timeIntervalSince(renewed)))s ago, so it looks dead; its file lock is released when the file server expires that host's locks (NFS: about 90 s). Try again then")
            }
            throw RunError.busy("run folder \(folder.path) is in use by \(who); wait for it to finish, or stop that run first")
        }
        self.fd = fd
        note = Holder(host: host.host, pid: getpid(), started: now, renewed: now)
        write()
    }

    private var note: Holder

    /// Renews the lease: rewrites the holder note with the current time.
    public func renew(now: Date = Date()) {
        note.renewed = now
        write()
    }

    private func write() {
        let data = (try? JSONEncoder().encode(note)) ?? Data()
        ftruncate(fd, 0)
        _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }

    /// The holder recorded in the lock file, if any.
    public static func holder(of folder: RunFolder) -> Holder? {
        guard let data = FileManager.default.contents(atPath: folder.lock), !data.isEmpty else { return nil }
        return try? JSONDecoder().decode(Holder.self, from: data)
    }

    /// Whether a live process holds the folder (checked read-only, without taking the lock).
    public static func isLive(_ folder: RunFolder, host: HostIdentity = .current) -> Bool {
        guard let holder = holder(of: folder) else { return false }
        guard holder.host == host.host else {
            // Another host: alive while it keeps renewing its lease.
            return Date().timeIntervalSince(holder.renewed ?? holder.started) < leaseTimeout
        }
        guard kill(holder.pid, 0) == 0 || errno == EPERM else { return false }
        // The pid is alive; it holds the lock only if the flock is taken.
        let probe = open(folder.lock, O_RDONLY | O_CLOEXEC)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        if flock(probe, LOCK_SH | LOCK_NB) == 0 {
            flock(probe, LOCK_UN)
            return false
        }
        return true
    }
}
