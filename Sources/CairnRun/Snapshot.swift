import CairnCore
import CairnJournal
import Foundation

/// The resolved pipeline a run folder runs, stored as `snapshot.json`.
public struct Snapshot: Codable, Sendable, Equatable {
    /// The snapshot format this Cairn writes. Members are only ever added, optional or with a
    /// default, so older snapshots read; a snapshot of a later format is refused, not misread.
    public static let formatVersion = 1
    public var version = Snapshot.formatVersion
    /// The pipeline file it came from (absolute).
    public var pipelineFile: String
    /// The folder units run in and output paths are relative to (the pipeline file's folder).
    public var root: String
    public var pipeline: PipelineSpec
    /// Content digests (hex; "" for a missing file) of the code and input files the plan's keys
    /// cover, as read when the run started, so `resume` plans exactly the same units. Nil in a
    /// snapshot not planned yet (or written before digests were stored): the files are read.
    public var files: [String: String]?
    /// How the run was sent to SLURM (`--executor slurm`), so `resume` follows it the same way;
    /// nil for the local executor.
    public var slurm: SlurmOptions?
    /// The `--set` and `--max-trials` values the pipeline runs with (already applied to
    /// ``pipeline``), so `resume` keeps them and a changed file is told from a changed value.
    public var overrides: Overrides?
    /// The shard of the items this run folder works on (`--shard`); nil for every item.
    public var scope: ItemScope?
    /// Created by `cairn run --stage` and not run since: its trials show as staged.
    public var staged: Bool?
    /// For a pipeline declared in Swift (the `Cairn` library): the program that declares it,
    /// which alone can run its closure steps; nil for a pipeline file.
    public var program: String?

    public init(pipelineFile: String, root: String, pipeline: PipelineSpec) {
        self.pipelineFile = pipelineFile
        self.root = root
        self.pipeline = pipeline
    }

    /// A snapshot of the pipeline loaded from `file`.
    public init(file: String, pipeline: PipelineSpec) {
        let abs = RunFolder.absolute(file)
        self.init(pipelineFile: abs, root: (abs as NSString).deletingLastPathComponent, pipeline: pipeline)
    }

    /// Plans the pipeline: with the stored file digests, or, when none are stored, with those
    /// `digester` reads (nil: files count as missing); returns the plan and this snapshot with
    /// the digests the plan used.
    /// With `aggregateItems`, aggregates are planned over only those items (see
    /// `Planner.plan(_:files:aggregateItems:)`).
    public func plan(reading digester: FileDigester?, aggregateItems: [Int: [Bool]] = [:]) throws(PipelineError) -> (plan: Plan, snapshot: Snapshot) {
        let plan: Plan
        if let stored = files {
            // Paths the stored run never read (new items or steps, from `--set`) are read now.
            plan = try Planner.plan(pipeline, files: { path in
                if let hex = stored[path] { return Digest(hex: hex) }
                return digester?.digest(of: path)
            }, aggregateItems: aggregateItems)
        } else if let digester {
            plan = try Planner.plan(pipeline, files: { digester.digest(of: $0) }, aggregateItems: aggregateItems)
        } else {
            plan = try Planner.plan(pipeline, aggregateItems: aggregateItems)
        }
        var planned = self
        planned.files = plan.files.mapValues { $0?.hex ?? "" }
        return (plan, planned)
    }

    /// For `--aggregate-only`: this snapshot's `plan` again, with every aggregate over the items
    /// whose units `history` has committed (see ``PartialAggregates``). Uses the stored digests.
    public func partialAggregatePlan(of plan: Plan, history: UnitTable) throws(PipelineError) -> Plan {
        try self.plan(reading: nil, aggregateItems: PartialAggregates.coverage(of: plan, history: history)).plan
    }

    /// The plan of this (stored) snapshot, to explain what changed in `next`; nil when the two
    /// plan the same units (same pipeline and file digests) or this one cannot be planned.
    public func previousPlan(before next: Snapshot) -> Plan? {
        if pipeline == next.pipeline && (files == nil || files == next.files) { return nil }
        return try? plan(reading: nil).plan
    }

    /// This snapshot with `changes` applied on top of its pipeline and of the overrides it
    /// already has (`cairn resume --set`).
    public func overriding(_ changes: Overrides) throws(RunError) -> Snapshot {
        var out = self
        do { out.pipeline = try changes.apply(to: pipeline) } catch { throw .pipeline(error) }
        out.pipeline = try PipelineLoader().resolve(out.pipeline, root: root)
        out.overrides = (overrides ?? Overrides()).merged(with: changes)
        return out
    }

    /// For an optimizer's run: this snapshot with the trials the journal holds proposals for
    /// (see ``OptimizerSpec``); otherwise unchanged.
    public func withProposals(from state: JournalState) -> Snapshot {
        guard pipeline.optimizer != nil else { return self }
        var out = self
        let axes = pipeline.axes.map(\.name)
        let trials = (try? OptimizerSpec.parse(state.proposedTrials.joined(separator: "\n"), axes: axes)) ?? []
        out.pipeline = OptimizerSpec.apply(trials, to: pipeline)
        return out
    }

    /// Canonical JSON bytes (sorted keys).
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try! encoder.encode(self)
    }

    /// SHA-256 of ``encoded()``.
    public var digest: Digest { Digest(of: String(decoding: encoded(), as: UTF8.self)) }

    /// Every snapshot the run folder has had (the current one included), newest first; those
    /// that cannot be read are left out.
    public static func archived(in folder: RunFolder) -> [Snapshot] {
        let names = (RawPath.entries(of: folder.snapshots) ?? []).filter { $0.hasSuffix(".json") }
        var dated: [(Snapshot, Int)] = []
        for name in names {
            let path = "\(folder.snapshots)/\(name)"
            var info = stat()
            guard RawPath.status(path, &info) == 0, let data = FileManager.default.contents(atPath: path),
                let snapshot = (try? JSONDecoder().decode(Snapshot.self, from: data))?.relocated(to: folder)
            else { continue }
            dated.append((snapshot, info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec))
        }
        return dated.sorted { $0.1 > $1.1 }.map(\.0)
    }

    /// Keeps `data` as `snapshots/DIGEST.json` (once; a copy that is lost only hides orphans).
    static func archive(_ data: Data, in folder: RunFolder) {
        let name = "\(folder.snapshots)/\(Digest(of: String(decoding: data, as: UTF8.self)).hex).json"
        if RawPath.exists(name) {
            _ = utimes(name, nil)  // the newest use first in ``archived(in:)``
            return
        }
        _ = RawPath.makeDirectories(folder.snapshots)
        let tmp = name + ".tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else { return }
        _ = RawPath.rename(tmp, name)
    }

    /// Reads a run folder's snapshot, its paths rebased when the project was moved or copied
    /// (see ``relocated(to:)``).
    public static func read(_ folder: RunFolder) throws(RunError) -> Snapshot {
        guard let data = FileManager.default.contents(atPath: folder.snapshot) else {
            throw RunError.usage("\(folder.path) holds no run (no snapshot.json); start one with `cairn run PIPELINE`")
        }
        struct Version: Decodable { var version: Int? }
        if let found = (try? JSONDecoder().decode(Version.self, from: data))?.version, found > formatVersion {
            throw RunError.usage("\(folder.snapshot) was written by a newer Cairn (snapshot format \(found); this Cairn \(CairnVersion.current) reads format \(formatVersion)); upgrade Cairn (scripts/install) to use this run folder")
        }
        do { return try JSONDecoder().decode(Snapshot.self, from: data).relocated(to: folder) } catch {
            throw RunError("\(folder.snapshot) is damaged (\(error)); start the run again with `cairn run PIPELINE`")
        }
    }

    /// Writes the snapshot atomically (temporary file, fsync, rename, fsync folder), keeping a
    /// copy of it, and of the one it replaces, in `snapshots/` (see ``archived(in:)``).
    public func write(to folder: RunFolder) throws(RunError) {
        let data = encoded()
        if let old = FileManager.default.contents(atPath: folder.snapshot) { Self.archive(old, in: folder) }
        Self.archive(data, in: folder)
        try AtomicFile.write(data, to: folder.snapshot)
    }
}
