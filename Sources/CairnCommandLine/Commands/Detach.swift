import ArgumentParser
import CairnRun
import Foundation

/// `--detach`: runs this same command again without `--detach`, in a new session (no
/// controlling terminal, so logging out sends it no SIGHUP), with its output appended to the
/// run folder's `controller.log`, and returns at once.
enum Detach {
    static func start(folder: RunFolder) throws {
        if RunLock.isLive(folder) {
            throw RunError.busy("\(Terminal.relative(folder.path)) is already in use by a live run; follow it with `cairn status --watch \(Terminal.relative(folder.path))`")
        }
        try folder.create()
        let log = "\(folder.path)/controller.log"
        let arguments = Array(CommandLine.arguments.dropFirst()).filter { $0 != "--detach" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, 0x80)  // POSIX_SPAWN_SETSID (glibc defines it only under _GNU_SOURCE)
        let executable = SlurmOptions.thisExecutable
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw RunError("cannot start the background run: \(String(cString: strerror(rc)))") }
        // Return once it holds the run (so `status` finds it), or say why it stopped.
        for _ in 0..<200 {
            if RunLock.isLive(folder) { break }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(3).joined(separator: "\n") ?? ""
                let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                if code != 0 {
                    // Its own exit code, passed on: the background run said what went wrong.
                    Terminal.standardError.write("cairn: the background run stopped at once (exit \(code)): \(tail)\n")
                    throw ExitCode(code)
                }
                break
            }
            usleep(50_000)
        }
        Terminal.standardOutput.line("started in the background (pid \(pid)); output: \(Terminal.relative(log))\nfollow it: cairn status --watch \(Terminal.relative(folder.path))")
    }
}
