import Cairn
import CairnJournal
import CairnTestSupport
import CairnTesting
import Foundation
import Synchronization
import Testing

/// Steps that are Swift closures, run in process through the runner: failure and retry,
/// timeouts of closures that never look at cancellation, versions in keys, and pipelines that
/// mix shell and closure steps.
@Suite struct ClosureStepTests {
    func options(jobs: Int = 2) -> RunOptions {
        var options = RunOptions(jobs: jobs, grace: 0.3)
        options.budget = ResourceBudget.machine(cpus: jobs)
        return options
    }

    @Test func aFailingClosureIsRetriedAndItsFailureJournaled() async throws {
        let folder = TemporaryFolder()
        var pipeline = Pipeline("retry", seed: 1)
        pipeline.axis("n", 0..<4)
        pipeline.step("flaky", version: "1", outputs: ["out": "out/{n}.txt"], options: .init(retries: 1, retryBackoff: 0.01)) { unit in
            let n = try unit.value("n")
            if unit.attempt == 1 && n == 2 { throw SubjectError(text: "no luck the first time") }
            try "\(unit.seed)".write(toFile: try unit.output("out"), atomically: false, encoding: .utf8)
        }
        let summary = try await pipeline.run(in: folder.path, options: options(), handleSignals: false)
        #expect(summary.committed == 4 && summary.failures.isEmpty)
        let state = try JournalState(directory: pipeline.declared.folder(root: folder.path).journal, repair: false)
        #expect(state.units.values.map(\.attempts).sorted() == [1, 1, 1, 2])
        #expect(state.units.values.contains { $0.attempts == 2 && $0.committed })
    }

    @Test func aClosureThatNeverChecksCancellationTimesOutAndIsAbandoned() async throws {
        let folder = TemporaryFolder()
        var pipeline = Pipeline("stuck", seed: 1)
        pipeline.step("spin", version: "1", foreach: .once, outputs: ["out": "out.txt"], options: .init(timeout: 0.3)) { unit in
            let end = Date().addingTimeInterval(3)
            while Date() < end { usleep(1000) }  // ignores cancellation
            try "late".write(toFile: try unit.output("out"), atomically: false, encoding: .utf8)
        }
        let started = Date()
        let ended = FinalReportClock()
        let summary = try await pipeline.run(in: folder.path, options: options(), handleSignals: false, observer: ended)
        // Measured on the session's thread (the test's own continuation may wait for a busy pool).
        let took = try #require(ended.at).timeIntervalSince(started)
        #expect(took < 2.5, "the session waited \(took) s for the stuck closure")
        #expect(summary.failures.count == 1)
        #expect(summary.failures.first?.reason.contains("timed out after 0.3s") == true)
        #expect(summary.failures.first?.reason.contains("abandoned") == true)
        #expect(summary.exitCode == 1)
        try await Task.sleep(for: .seconds(3))  // the abandoned closure ends; its late file is not committed
        #expect(!folder.exists("out.txt"))
    }

    @Test func aSecondSignalEndsTheSessionAtOnceAndResumeFinishes() async throws {
        let folder = TemporaryFolder()
        var pipeline = Pipeline("twice", seed: 3)
        pipeline.axis("n", 0..<3)
        let stubborn = Runs()
        pipeline.step("spin", version: "1", outputs: ["out": "out/{n}.txt"]) { unit in
            if stubborn.count("spun") == 0 {
                stubborn.add("spun")
                let end = Date().addingTimeInterval(6)
                while Date() < end { usleep(1000) }  // ignores cancellation; only the first attempt
            }
            try "\(unit.seed)".write(toFile: try unit.output("out"), atomically: false, encoding: .utf8)
        }
        var fds: [Int32] = [0, 0]
        _ = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        var opts = options(jobs: 1)
        opts.grace = 30  // only a second signal can end the stuck closure's attempt early
        opts.signalFD = fds[0]
        let writeEnd = fds[1]
        let secondSent = Stamp()
        Thread.detachNewThread {
            // The first signal goes once the stuck attempt runs: one sent during planning stops the
            // session before any unit starts, which is a different test (SignalTests).
            while stubborn.count("spun") == 0 { usleep(10_000) }
            for _ in 0..<2 {
                usleep(300_000)
                secondSent.set(Date())
                var signal = UInt8(SIGINT)
                _ = write(writeEnd, &signal, 1)
            }
        }
        let ended = FinalReportClock()
        let first = try await pipeline.run(in: folder.path, options: opts, observer: ended)
        let sent = try #require(secondSent.get())
        let took = try #require(ended.at).timeIntervalSince(sent)
        #expect(first.interruptedBy == SIGINT && first.interruptedAttempts == 1 && first.committed == 0)
        #expect(took < 2, "the second signal did not end the session at once (\(took) s)")
        #expect(!folder.exists("out/0.txt"))
        opts.signalFD = nil
        let second = try await pipeline.run(in: folder.path, options: opts, handleSignals: false)
        #expect(second.committed == 3 && second.failures.isEmpty)
    }

    @Test func numbersBooleansAndUnicodeKeepTheirIdentity() async throws {
        let folder = TemporaryFolder()
        var pipeline = Pipeline("values", seed: 4)
        pipeline.axis("lr", [1, 1.0, 0.001])
        pipeline.axis("flag", [true, false])
        pipeline.param("name", "größe ✓")
        let seen = Runs()
        pipeline.step("see", version: "1", outputs: ["out": "out/{lr}-{flag}.txt"]) { unit in
            let lr = try unit.value("lr"), flag = try unit.value("flag"), name = try unit.value("name")
            seen.add("\(lr)|\(flag)|\(name)")
            try "\(lr)".write(toFile: try unit.output("out"), atomically: false, encoding: .utf8)
        }
        let summary = try await pipeline.run(in: folder.path, options: options(), handleSignals: false)
        #expect(summary.committed == 6)
        #expect(Set(seen.take().keys) == ["1|true|größe ✓", "1.0|true|größe ✓", "0.001|true|größe ✓", "1|false|größe ✓", "1.0|false|größe ✓", "0.001|false|größe ✓"])
        #expect(folder.read("out/1-true.txt") == "1" && folder.read("out/1.0-true.txt") == "1.0")
    }

    @Test func bumpingAVersionRerunsThatStepAndDownstreamOnly() async throws {
        let folder = TemporaryFolder()
        let runs = Runs()
        func make(_ version: String) -> Pipeline {
            var p = Pipeline("versions", seed: 5)
            p.axis("n", 0..<3)
            p.step("a", version: "1", outputs: ["out": "a/{n}"]) { u in runs.add("a"); try "a".write(toFile: try u.output("out"), atomically: false, encoding: .utf8) }
            p.step("b", version: version, inputs: ["a": .output(step: "a", output: "out")], outputs: ["out": "b/{n}"]) { u in
                runs.add("b"); try "b".write(toFile: try u.output("out"), atomically: false, encoding: .utf8)
            }
            p.step("c", version: "1", inputs: ["b": .output(step: "b", output: "out")], outputs: ["out": "c/{n}"]) { u in
                runs.add("c"); try "c".write(toFile: try u.output("out"), atomically: false, encoding: .utf8)
            }
            return p
        }
        _ = try await make("1").run(in: folder.path, options: options(), handleSignals: false)
        #expect(runs.take() == ["a": 3, "b": 3, "c": 3])
        _ = try await make("1").run(in: folder.path, options: options(), handleSignals: false)
        #expect(runs.take() == [:])
        _ = try await make("2").run(in: folder.path, options: options(), handleSignals: false)
        #expect(runs.take() == ["b": 3, "c": 3])
    }

    @Test func shellAndClosureStepsMixInOnePipeline() async throws {
        let folder = TemporaryFolder()
        var pipeline = Pipeline("mixed", seed: 9)
        pipeline.axis("word", ["naïve", "日本", "1.0"])
        pipeline.step("make", version: "1", outputs: ["out": "made/{word}.txt"]) { unit in
            try "\(try unit.value("word"))".write(toFile: try unit.output("out"), atomically: false, encoding: .utf8)
        }
        pipeline.shell("shout", run: "tr a-z A-Z < {in.text} > {out.loud}", inputs: ["text": .output(step: "make", output: "out")], outputs: ["loud": "loud/{word}.txt"])
        pipeline.step("join", version: "1", foreach: .once, inputs: ["loud": .output(step: "shout", output: "loud")], outputs: ["all": "all.txt"]) { unit in
            let texts = try unit.inputs("loud").map { try String(contentsOfFile: $0, encoding: .utf8) }
            try texts.joined(separator: ",").write(toFile: try unit.output("all"), atomically: false, encoding: .utf8)
        }
        let summary = try await pipeline.run(in: folder.path, options: options(), handleSignals: false)
        #expect(summary.committed == 7 && summary.failures.isEmpty)
        #expect(folder.read("all.txt") == "NAïVE,日本,1.0")
    }

    @Test func everyPartOfTheContextIsWhatTheStepDeclares() async throws {
        let folder = TemporaryFolder()
        var pipeline = Pipeline("context", seed: 11)
        pipeline.axis("lr", [0.5, 1.0])
        pipeline.axis("name", ["größe"])
        pipeline.param("epochs", 3)
        pipeline.param("name", "shadowed by the axis")
        let seen = Mutex<[String]>([])
        pipeline.step("train", version: "1", outputs: ["model": "m/{lr}.bin", "log": "m/{lr}.txt"]) { unit in
            let out = try unit.output("model")
            let line = [unit.step, unit.unit, "\(unit.values.sorted { $0.key < $1.key })", "\(unit.params.sorted { $0.key < $1.key })",
                        "\(unit.outputs.keys.sorted())", "\(unit.outputs["model"] == out && out.hasPrefix("/"))", "\(try unit.value("name"))",
                        "\(try unit.value("epochs"))", "\(unit.inputs.isEmpty)", "\(unit.checkpointFolder == nil)", "\(unit.itemsTotal == nil)",
                        "\(unit.runDirectory.hasSuffix(".cairn/runs/context"))", "\(unit.attempt)"].joined(separator: "|")
            seen.withLock { $0.append(line) }
            unit.logger.info("trained")
            try "m".write(toFile: out, atomically: false, encoding: .utf8)
            try "l".write(toFile: try unit.output("log"), atomically: false, encoding: .utf8)
            #expect(throws: UnitContextError.self) { try unit.output("nope") }
            #expect(throws: UnitContextError.self) { try unit.value("nope") }
        }
        pipeline.step("sum", version: "1", foreach: .once, inputs: ["models": .output(step: "train", output: "model")], outputs: ["all": "all.txt"]) { unit in
            let paths = try unit.inputs("models")
            let line = [unit.unit, "\(paths.count)", "\(unit.inputs["models"] == paths)", "\(paths.allSatisfy { $0.hasPrefix("/") })",
                        "\(unit.itemsTotal.map(String.init) ?? "nil")", "\(unit.itemsPresent.map(String.init) ?? "nil")", "\(unit.values.isEmpty)"]
            seen.withLock { $0.append(line.joined(separator: "|")) }
            #expect(throws: UnitContextError.self) { try unit.input("models") }  // two paths: inputs(_:) is the way
            try "\(paths.count)".write(toFile: try unit.output("all"), atomically: false, encoding: .utf8)
        }
        let summary = try await pipeline.run(in: folder.path, options: options(), handleSignals: false)
        #expect(summary.committed == 3 && summary.failures.isEmpty)
        let lines = seen.withLock { $0 }.sorted()
        #expect(lines == [
            "sum|2|true|true|2|2|true",
            "train|train[lr=0.5,name=größe]|[(key: \"lr\", value: 0.5), (key: \"name\", value: größe)]|[(key: \"epochs\", value: 3), (key: \"name\", value: shadowed by the axis)]|[\"log\", \"model\"]|true|größe|3|true|true|true|true|1",
            "train|train[lr=1.0,name=größe]|[(key: \"lr\", value: 1.0), (key: \"name\", value: größe)]|[(key: \"epochs\", value: 3), (key: \"name\", value: shadowed by the axis)]|[\"log\", \"model\"]|true|größe|3|true|true|true|true|1",
        ], "\(lines)")
        let logs = try FileManager.default.subpathsOfDirectory(atPath: "\(folder.path)/.cairn/runs/context/logs/train")
        #expect(logs.count == 2 && logs.allSatisfy { (folder.read(".cairn/runs/context/logs/train/\($0)") ?? "").contains("trained") })
    }

    @Test func aClosureStepInAPipelineFileRunByCairnIsRefused() async throws {
        let folder = TemporaryFolder()
        var pipeline = Pipeline("only-swift", seed: 1)
        pipeline.step("s", version: "1", foreach: .once) { _ in }
        var snapshot = pipeline.declared.snapshot(root: folder.path)
        snapshot.program = "/opt/bin/maker"
        #expect(throws: RunError.self) {
            try RunSession.execute(snapshot: snapshot, folder: pipeline.declared.folder(root: folder.path), options: options(), observer: SilentObserver())
        }
    }
}

struct SubjectError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}

/// A time set on one thread and read on another.
final class Stamp: Sendable {
    let at = Mutex<Date?>(nil)
    func set(_ date: Date) { at.withLock { $0 = date } }
    func get() -> Date? { at.withLock { $0 } }
}

/// Counts closure runs per step, from any thread.
final class Runs: Sendable {
    let counts = Mutex<[String: Int]>([:])
    func add(_ step: String) { counts.withLock { $0[step, default: 0] += 1 } }
    func count(_ step: String) -> Int { counts.withLock { $0[step] ?? 0 } }
    func take() -> [String: Int] { counts.withLock { c in defer { c = [:] }; return c } }
}
