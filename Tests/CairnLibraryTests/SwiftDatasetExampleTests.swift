import Cairn
import CairnJournal
import CairnTestSupport
import Foundation
import Testing

/// The bundled example, `examples/swift-dataset`: a Swift package that depends on Cairn by
/// path, built here with SwiftPM and run as its own executable — killed with SIGKILL and
/// resumed, interrupted with SIGINT, and compared with an uninterrupted run.
@Suite(.serialized) struct SwiftDatasetExampleTests {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/swift-dataset").path

    /// Builds the example once (about three minutes from nothing) and returns its executable.
    static let build: (executable: String?, output: String) = {
        let swift = Tool.find("/opt/swift/usr/bin/swift", "/usr/bin/swift") ?? "swift"
        let output = Tool.output("/bin/sh", ["-c", "\"$0\" build --package-path \"$1\" 2>&1; echo \"exit $?\"", swift, package])
        guard output.hasSuffix("exit 0\n") else { return (nil, output) }
        let bin = Tool.output(swift, ["build", "--package-path", package, "--show-bin-path"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return ("\(bin)/swift-dataset", output)
    }()

    static var executable: String? { build.executable }

    func run(_ arguments: [String], in folder: TemporaryFolder, _ env: [String: String] = [:]) throws -> CairnBinary.Result {
        try CairnBinary.run(arguments, in: folder.path, environment: env, timeout: 300, executable: try #require(Self.executable))
    }

    func committed(_ folder: TemporaryFolder) -> UnitTable {
        ((try? JournalState(directory: "\(folder.path)/.cairn/runs/swift-dataset/journal", repair: false))?.units ?? [:]).filter { $0.value.committed }
    }

    func files(_ folder: TemporaryFolder) -> [String: Data] {
        var out: [String: Data] = [:]
        let root = "\(folder.path)/out"
        for case let path as String in FileManager.default.enumerator(atPath: root) ?? FileManager.default.enumerator(atPath: "/nonexistent")! {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDir), !isDir.boolValue {
                out[path] = FileManager.default.contents(atPath: "\(root)/\(path)")
            }
        }
        return out
    }

    @Test func killedWithSIGKILLAndResumedItMakesTheSameDatasetAsOneRun() throws {
        let executable = try #require(Self.executable, "examples/swift-dataset did not build: \(Self.build.output.suffix(2000))")
        let env = ["SAMPLES": "300", "BLOCK_DELAY": "0.01"]
        let clean = TemporaryFolder("swift-dataset-clean")
        let once = try run(["run", "-q"], in: clean, env)
        #expect(once.status == 0, "\(once.stderr)")
        #expect(committed(clean).count == 901)

        let folder = TemporaryFolder("swift-dataset-killed")
        let running = try CairnBinary.start(["run", "-q", "-j", "2"], in: folder.path, environment: env, executable: executable)
        #expect(CairnBinary.waitFor(timeout: 60) { committed(folder).count >= 200 })
        running.signal(SIGKILL)
        #expect(running.wait().status == 128 + SIGKILL)
        let before = committed(folder)
        #expect(before.count < 901, "the run finished before it was killed")
        // No half-written file at a final path: every file there belongs to a committed unit and equals the clean run's.
        let cleanFiles = files(clean)
        // (Staging folders hold the killed attempts' files until the next session clears them.)
        for (path, data) in files(folder) where path != "stats.json" && !path.contains(".cairn-staging") {
            #expect(cleanFiles[path] == data, "\(path)")
        }

        let refused = try CairnBinary.run(["resume"], in: folder.path)
        #expect(refused.status == 2 && refused.stderr.contains("swift-dataset resume"), "\(refused.stderr)")
        let status = try run(["status", "--json"], in: folder)
        #expect(status.status == 0 && status.stdout.contains("\"swift-dataset\""))

        let resumed = try run(["resume", "-q"], in: folder, env)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = committed(folder)
        #expect(after.count == 901)
        for (key, history) in before { #expect(after[key]?.attempts == history.attempts, "a committed unit ran again") }
        #expect(files(folder) == cleanFiles)
        let log = try CairnBinary.run(["log", "render[sample=7]"], in: folder.path)
        #expect(log.stdout.contains("INFO rendered"), "\(log.stdout)")
    }

    @Test func sigintStopsItWith130AndResumeFinishes() throws {
        let executable = try #require(Self.executable, "examples/swift-dataset did not build: \(Self.build.output.suffix(2000))")
        let env = ["SAMPLES": "200", "BLOCK_DELAY": "0.05"]
        let folder = TemporaryFolder("swift-dataset-int")
        let running = try CairnBinary.start(["run", "-j", "2"], in: folder.path, environment: env, executable: executable)
        #expect(CairnBinary.waitFor(timeout: 60) { committed(folder).count >= 20 })
        running.signal(SIGINT)
        let stopped = running.wait(timeout: 30)
        #expect(stopped.status == 130, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("resume with: swift-dataset resume"), "\(stopped.stdout)")
        let plan = try run(["plan", "--json"], in: folder, env)
        #expect(plan.status == 0 && plan.stdout.contains("\"run\""))
        let resumed = try run(["resume", "-q"], in: folder, env)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(committed(folder).count == 601)
        let bad = try run(["run", "--set", "nope=1"], in: folder, env)
        #expect(bad.status == 2 && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }
}
