import CairnCore
import CCairnSystem

#if canImport(Glibc)
import Glibc
#endif

/// Starts `/bin/sh -c COMMAND` in its own process group (see `cairn_spawn` in CCairnSystem).
///
/// The child gets SIGKILL as parent-death signal, so a controller that is killed does not leave
/// its unit's shell running. Linux delivers that signal when the *thread* that spawned the child
/// ends, so spawn from a thread that lives as long as the run (the executor's loop).
enum ProcessSpawner {
    static let devNull: Int32 = open("/dev/null", O_RDONLY | O_CLOEXEC)

    static func spawn(command: String, environment: [String], workingDirectory: String, output: Int32) throws(ExecutorError) -> pid_t {
        // Item values may carry bytes that are not UTF-8 (see RawBytes): pass them on exactly.
        let copy = { (s: String) in RawBytes.withCString(s) { strdup($0) } }
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map(copy) + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map(copy) + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = RawBytes.withCString(workingDirectory) { cwd in
            cairn_spawn("/bin/sh", argv, envp, cwd, devNull, output, output, SIGKILL, &pid)
        }
        guard rc == 0 else { throw ExecutorError.errno("cannot start /bin/sh in \(workingDirectory)", rc) }
        return pid
    }
}
