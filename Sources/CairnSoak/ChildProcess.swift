import Foundation

/// A child process started with `posix_spawn` and watched with `waitpid` directly.
///
/// The test drivers use this instead of Foundation's `Process`, which has been seen here to miss
/// a child's exit (a zombie left unreaped, `waitUntilExit` hanging) under heavy process churn.
public final class ChildProcess: @unchecked Sendable {
    /// The child's pid.
    public let pid: pid_t
    // `finalStatus` is guarded by `lock`: `isRunning` and `wait` may be called from any thread.
    private let lock = NSLock()
    private var finalStatus: Int32?

    /// Starts `path` with `arguments` in `directory`; stdout and stderr go to the given files
    /// (created or truncated), or to /dev/null when nil.
    public init(path: String, arguments: [String], directory: String, environment: [String: String],
                stdout: String? = nil, stderr: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Change folder through a shell that then execs the program (same pid); the folder and
        // the arguments travel as data (environment, positional parameters), never as code.
        let argv: [UnsafeMutablePointer<CChar>?] =
            (["/bin/sh", "-c", "cd \"$CAIRN_CHILD_DIR\" && exec \"$0\" \"$@\"", path] + arguments).map { strdup($0) } + [nil]
        var env = environment
        env["CAIRN_CHILD_DIR"] = directory
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard rc == 0 else { throw SoakError("cannot start \(path): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    /// Whether the child has not ended yet (reaps it if it has).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if finalStatus != nil { return false }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid { finalStatus = Self.decode(status); return false }
        return rc == 0
    }

    /// Sends a signal to the child.
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the end; returns the exit code, or 128 + the signal that killed it.
    @discardableResult
    public func wait() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let finalStatus { return finalStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        finalStatus = Self.decode(status)
        return finalStatus!
    }

    static func decode(_ status: Int32) -> Int32 {
        (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
