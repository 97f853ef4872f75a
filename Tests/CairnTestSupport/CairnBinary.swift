import CairnSoak
import Foundation

/// Runs the real `cairn` executable built beside the tests (`swift build` builds it; the
/// project's test command does that first).
public enum CairnBinary {
    /// Path of the built `cairn`.
    public static var path: String {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["CAIRN_BINARY"],
            ((CommandLine.arguments.first ?? "") as NSString).deletingLastPathComponent + "/cairn",
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("cairn").path,
            FileManager.default.currentDirectoryPath + "/.build/debug/cairn",
        ]
        let existing = candidates.compactMap { $0 }
        for c in existing where FileManager.default.isExecutableFile(atPath: c) { return c }
        fatalError("cairn executable not found (looked in \(existing)); run `swift build` before `swift test`")
    }

    /// The result of a finished command.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `cairn ARGS` in `directory` to the end.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:], timeout: Double = 120, executable: String? = nil) throws -> Result {
        let process = try start(arguments, in: directory, environment: environment, executable: executable)
        return process.wait(timeout: timeout)
    }

    /// Starts `cairn ARGS` (or another `executable` built on Cairn) in `directory` without waiting.
    public static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:], executable: String? = nil) throws -> Running {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["CAIRN_PROGRESS_INTERVAL"] = "3600"
        for (k, v) in environment { env[k] = v }
        // Outside `directory`: the folder under test may be a full or read-only file system.
        let outFile = "\(NSTemporaryDirectory())/cairn-test-stdout-\(UUID().uuidString)"
        let errFile = "\(NSTemporaryDirectory())/cairn-test-stderr-\(UUID().uuidString)"
        let child = try ChildProcess(path: executable ?? path, arguments: arguments, directory: directory, environment: env, stdout: outFile, stderr: errFile)
        return Running(child: child, outFile: outFile, errFile: errFile)
    }

    /// A started `cairn`.
    public final class Running: Sendable {
        public let child: ChildProcess
        let outFile: String
        let errFile: String

        init(child: ChildProcess, outFile: String, errFile: String) {
            self.child = child
            self.outFile = outFile
            self.errFile = errFile
        }

        public var pid: Int32 { child.pid }

        /// Whether the controller is still running.
        public var isRunning: Bool { child.isRunning }

        /// Sends a signal to the controller.
        public func signal(_ signal: Int32) { child.signal(signal) }

        /// Waits for the end and collects its output. After `timeout` seconds the controller
        /// gets TERM, so that it stops its units' process groups (a KILLed controller leaves a
        /// unit's children running: one that writes forever fills the disk), and KILL 15 s later.
        public func wait(timeout: Double = 120) -> Result {
            let deadline = Date().addingTimeInterval(timeout)
            while child.isRunning && Date() < deadline { usleep(10_000) }
            if child.isRunning {
                child.signal(SIGTERM)
                let grace = Date().addingTimeInterval(15)
                while child.isRunning && Date() < grace { usleep(10_000) }
                if child.isRunning { child.signal(SIGKILL) }
            }
            let status = child.wait()
            let out = (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: outFile)
            try? FileManager.default.removeItem(atPath: errFile)
            return Result(status: status, stdout: out, stderr: err)
        }
    }

    /// Polls `condition` every 10 ms for up to `timeout` seconds.
    public static func waitFor(timeout: Double = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}

/// Whether a process exists (and is not a zombie).
public func processIsAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z"
}
