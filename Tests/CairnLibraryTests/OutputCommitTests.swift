import Cairn
@testable import CairnRun
import CairnJournal
import CairnTestSupport
import Foundation
import Synchronization
import Testing

/// Outputs are placed off the runner's thread (``OutputCommitter``) and their folders synced
/// once per batch: many units committing at once must journal exactly the bytes that sit at
/// their final paths, leave no staging behind, fail a unit that wrote nothing, and lose or
/// repeat nothing when a signal stops the session with placements under way.
@Suite struct OutputCommitTests {
    /// Every output under `folder` (relative paths) with its size and SHA-256.
    func files(in folder: String) -> [String: OutputDigest] {
        var found: [String: OutputDigest] = [:]
        for name in FileManager.default.subpaths(atPath: folder) ?? [] {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(folder)/\(name)", isDirectory: &isFolder), !isFolder.boolValue,
                  let bytes = FileManager.default.contents(atPath: "\(folder)/\(name)") else { continue }
            found[name] = OutputDigest(size: Int64(bytes.count), digest: Digest(ofBytes: [UInt8](bytes)))
        }
        return found
    }

    /// The outputs of every commit record in the run's journal, in journal order.
    func committedOutputs(_ journal: String) throws -> [[OutputDigest]] {
        var outputs: [[OutputDigest]] = []
        for segment in try Journal.segments(in: journal) {
            _ = try SegmentReader.read("\(journal)/\(segment)", repair: false) { record in
                if case .committed(let commit) = record { outputs.append(commit.outputs) }
            }
        }
        return outputs
    }

    func pipeline(items: Int, runs: Runs, skipWriting: Int? = nil, onStart: (@Sendable () -> Void)? = nil) -> Pipeline {
        var pipeline = Pipeline("many", seed: 7)
        pipeline.axis("n", 0..<items)
        pipeline.step("write", version: "1", outputs: ["a": "a/{n}.txt", "b": "b/sub/{n}.bin"], options: .init(retries: 1, retryBackoff: 0.01)) { unit in
            guard case .int(let n) = try unit.value("n") else { throw SubjectError(text: "n is not an integer") }
            onStart?()
            runs.add("\(n)")
            // One unit returns without writing its outputs on its first attempt.
            if n == skipWriting && unit.attempt == 1 { return }
            try "unit \(n) seed \(unit.seed)\n".write(toFile: try unit.output("a"), atomically: false, encoding: .utf8)
            try Data(repeating: UInt8(n % 256), count: n % 700).write(to: URL(fileURLWithPath: try unit.output("b")))
            // Some units leave a file of their own beside an output (a tool's temporary file):
            // it must not reach a later attempt that reuses the staging folder, nor stay behind.
            if n % 25 == 0 { try "scratch".write(toFile: try unit.output("a") + ".partial", atomically: false, encoding: .utf8) }
        }
        return pipeline
    }

    @Test func manyUnitsCommittingAtOnceJournalTheBytesAtTheirFinalPaths() async throws {
        let folder = TemporaryFolder()
        let runs = Runs()
        let items = 400
        let pipeline = pipeline(items: items, runs: runs, skipWriting: 17)
        var options = RunOptions(jobs: 8, grace: 1)
        options.budget = ResourceBudget.machine(cpus: 8)
        let summary = try await pipeline.run(in: folder.path, options: options, handleSignals: false)
        #expect(summary.committed == items)
        #expect(summary.failures.isEmpty)
        // Unit 17's first attempt wrote nothing: refused, retried once; every other unit ran once.
        let counts = runs.take()
        #expect(counts["17"] == 2)
        #expect(counts.filter { $0.key != "17" }.allSatisfy { $0.value == 1 } && counts.count == items)

        let onDisk = files(in: "\(folder.path)/a").merging(files(in: "\(folder.path)/b").mapKeys { "sub:\($0)" }) { a, _ in a }
        #expect(onDisk.count == 2 * items - 0, "every output at its final path, and nothing else (no staging)")
        let journaled = try committedOutputs(pipeline.declared.folder(root: folder.path).journal)
        #expect(journaled.count == items)
        // Contents differ per unit, so the multiset of journaled digests must equal the files'.
        let fromJournal = journaled.flatMap { $0 }.map { "\($0.size):\($0.digest)" }.sorted()
        let fromDisk = onDisk.values.map { "\($0.size):\($0.digest)" }.sorted()
        #expect(fromJournal == fromDisk)
        #expect(!FileManager.default.fileExists(atPath: "\(folder.path)/a/.cairn-staging"))
        #expect(!FileManager.default.fileExists(atPath: "\(folder.path)/b/sub/.cairn-staging"))
    }

    @Test func aFolderPerItemLeavesNoStagingBehindWhenMoreFoldersEmptyThanAreKept() async throws {
        let folder = TemporaryFolder()
        let items = SpareStagingFolders.limit + 300
        var pipeline = Pipeline("per-item", seed: 3)
        pipeline.axis("n", 0..<items)
        pipeline.step("write", version: "1", outputs: ["x": "out/{n}/x.txt"]) { unit in
            try "\(unit.seed)".write(toFile: try unit.output("x"), atomically: false, encoding: .utf8)
        }
        var options = RunOptions(jobs: 8, grace: 1)
        options.budget = ResourceBudget.machine(cpus: 8)
        let summary = try await pipeline.run(in: folder.path, options: options, handleSignals: false)
        #expect(summary.committed == items)
        let left = (FileManager.default.subpaths(atPath: "\(folder.path)/out") ?? []).filter { $0.contains(".cairn-staging") }
        #expect(left.isEmpty, "\(left.count) staging paths left, e.g. \(left.prefix(3))")
    }

    @Test func aSignalWithPlacementsUnderWayLosesAndRepeatsNothing() async throws {
        let folder = TemporaryFolder()
        let runs = Runs()
        let items = 600
        var fds: [Int32] = [0, 0]
        _ = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        var options = RunOptions(jobs: 8, grace: 1)
        options.budget = ResourceBudget.machine(cpus: 8)
        options.signalFD = fds[0]
        let writeEnd = fds[1]
        let started = Atomic<Int>(0)
        // SIGINT once 150 units have started: about 8 run and some are being placed.
        let interrupting = pipeline(items: items, runs: runs) {
            if started.add(1, ordering: .relaxed).newValue == 150 {
                var signal = UInt8(SIGINT)
                _ = write(writeEnd, &signal, 1)
            }
        }
        let first = try await interrupting.run(in: folder.path, options: options, handleSignals: false)
        #expect(first.interruptedBy == SIGINT)
        #expect(first.committed >= 150 - 8 && first.committed < items, "committed \(first.committed)")
        let firstRuns = runs.take()

        options.signalFD = nil
        let pipeline = pipeline(items: items, runs: runs)
        let second = try await pipeline.run(in: folder.path, options: options, handleSignals: false)
        #expect(second.committed == items - first.committed)
        #expect(second.failures.isEmpty)
        let secondRuns = runs.take()
        // A unit committed by the first session never runs again; every unit committed once.
        let committedFirst = Set(firstRuns.keys).subtracting(Set(secondRuns.keys))
        #expect(committedFirst.count >= first.committed)
        #expect(Set(firstRuns.keys).union(secondRuns.keys).count == items)
        #expect(secondRuns.count == items - first.committed)
        let journaled = try committedOutputs(pipeline.declared.folder(root: folder.path).journal)
        #expect(journaled.count == items, "one commit record per unit")
        #expect(files(in: "\(folder.path)/a").count == items)
    }
}

extension Dictionary {
    fileprivate func mapKeys(_ transform: (Key) -> Key) -> [Key: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
