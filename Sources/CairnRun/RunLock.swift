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
    }

    /// Takes the lock or throws (exit code 3) naming the holder.
    public init(folder: RunFolder, host: HostIdentity = .current, now: Date = Date()) throws(RunError) {
        let fd = open(folder.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunError("cannot open \(folder.lock): \(String(cString: strerror(errno))); check the run folder's permissions", exitCode: 1) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.holder(of: folder)
            close(fd)
            let who = holder.map { "pid \($0.pid) on \($0.host), started \(ISO8601DateFormatter().string(from: $0.started))" } ?? "another process"
            throw RunError("run folder \(folder.path) is in use by \(who); wait for it to finish, or stop that run first", exitCode: 3)
        }
        self.fd = fd
        let note = Holder(host: host.host, pid: getpid(), started: now)
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
        guard holder.host == host.host else { return true }
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
