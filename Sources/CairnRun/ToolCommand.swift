import Foundation

/// Runs a command-line tool (`sbatch`, `squeue`, `scontrol`, `git`) to the end and returns its exit
/// status and output. Arguments are passed as an argument vector, never through a shell.
/// Output goes through temporary files, so a chatty tool cannot block on a full pipe.
struct ToolCommand {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `tool` (looked up on PATH) with `arguments`; nil if it could not be started.
    static func run(_ tool: String, _ arguments: [String]) -> Output? {
        let base = "\(NSTemporaryDirectory())/cairn-tool-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let outPath = base + ".out", errPath = base + ".err"
        defer { unlink(outPath); unlink(errPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, tool, &actions, nil, argv, environ)
        guard rc == 0 else { return nil }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let read = { (path: String) in FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        return Output(status: code, stdout: read(outPath), stderr: read(errPath))
    }
}
