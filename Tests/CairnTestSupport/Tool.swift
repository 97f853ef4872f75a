import CairnSoak
import Foundation

/// Runs helper programs (tmux, mount…) for tests, through ``ChildProcess`` (`posix_spawn` and
/// `waitpid`): Foundation's `Process` has been seen to miss the exit of a program that daemonizes.
public enum Tool {
    /// Runs `path` with `arguments`, output discarded; returns the exit status (128+signal if killed).
    @discardableResult
    public static func run(_ path: String, _ arguments: [String]) -> Int32 {
        guard let child = try? ChildProcess(path: path, arguments: arguments, directory: FileManager.default.currentDirectoryPath,
                                            environment: ProcessInfo.processInfo.environment)
        else { return 127 }
        return child.wait()
    }

    /// Runs `path` with `arguments` and returns what it printed on stdout ("" if it could not start).
    public static func output(_ path: String, _ arguments: [String]) -> String {
        let file = "\(NSTemporaryDirectory())/cairn-tool-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard let child = try? ChildProcess(path: path, arguments: arguments, directory: FileManager.default.currentDirectoryPath,
                                            environment: ProcessInfo.processInfo.environment, stdout: file)
        else { return "" }
        _ = child.wait()
        return FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Runs a Python 3 script (with `input` on stdin) and returns its stdout lines.
    public static func python(_ script: String, input: String = "") throws -> [String] {
        let dir = NSTemporaryDirectory() + "/cairn-py-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try script.write(toFile: "\(dir)/script.py", atomically: true, encoding: .utf8)
        try input.write(toFile: "\(dir)/input", atomically: true, encoding: .utf8)
        let out = output("/bin/sh", ["-c", "python3 \"$0/script.py\" < \"$0/input\"", dir])
        return out.split(separator: "\n").map(String.init)
    }

    /// The first of `candidates` that is an executable file.
    public static func find(_ candidates: String...) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
