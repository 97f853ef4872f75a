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

    /// The first of `candidates` that is an executable file.
    public static func find(_ candidates: String...) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
