import CairnCore
import CairnJournal
import Foundation

/// The workspace-wide result cache: units other runs committed, by key, with where their
/// outputs are and what they must hash to. A unit whose key another run in the workspace
/// committed gets that run's outputs (hard-linked, or copied, and verified by digest) instead
/// of running again — typically a derived pipeline reusing its parent's work.
///
/// The workspace is every run folder in the given `.cairn/runs` folders: the run's own, those
/// beside the files its pipeline extends, and, for `cairn run DIR`, those of every pipeline
/// found. Each is read like `cairn status` does (no lock, no repair).
public struct ResultCache: Sendable {
    /// Where a committed unit's outputs are.
    public struct Source: Sendable, Equatable {
        /// The run's name (its folder's name) and folder.
        public var run: String
        public var folder: String
        /// The folder its output paths are relative to.
        public var root: String
        public var outputs: [String]
        public var digests: [OutputDigest]
        /// What the unit measured there (carried over with its outputs).
        public var metrics: [Metric] = []
    }

    /// An output path another pipeline file's run committed: the path's owner, by absolute path.
    public struct Claim: Sendable, Equatable {
        /// The run's name, the unit's key there, and the pipeline file and line declaring the output.
        public var run: String
        public var key: Digest
        public var file: String
        public var line: Int?
        /// `steps.STEP.outputs.NAME`.
        public var declaration: String
    }

    var entries: [Digest: Source] = [:]
    /// Committed output paths of runs of other pipeline files (see ``claim(of:)``).
    var claims: [String: Claim] = [:]
    /// Where the run being read declares each output (while reading it).
    private var places: [String: PipelineError] = [:]

    public init() {}

    /// Reads every run folder below `runsFolders` except `own`. Runs of a pipeline file other
    /// than `pipelineFile` and not related to it by `extends` (either way; `ancestors` are the
    /// files it extends) also register the output paths they committed (``claim(of:)``):
    /// a derived pipeline shares its parent's paths by design. A run's ``ResultIndex`` is read
    /// when it is current; otherwise (`indexes` false, or after a killed session) the run is
    /// planned and its journal replayed.
    public init(runsFolders: [String], excluding own: RunFolder, pipelineFile: String? = nil, ancestors: [String] = [], indexes: Bool = true) {
        var seen = Set<String>([own.path])
        for runs in runsFolders {
            for name in (RawPath.entries(of: runs) ?? []).sorted() {
                places = [:]
                let folder = RunFolder(path: "\(runs)/\(name)")
                guard seen.insert(folder.path).inserted, folder.exists, let data = FileManager.default.contents(atPath: folder.snapshot),
                    let snapshot = try? Snapshot.read(folder)
                else { continue }
                let claiming = pipelineFile.map { file in
                    snapshot.pipelineFile != file && !ancestors.contains(snapshot.pipelineFile) && !snapshot.pipeline.ancestors.contains(file)
                } ?? false
                if indexes, let index = ResultIndex.load(folder, snapshotData: data) {
                    entries.reserveCapacity(entries.count + index.entries.count)
                    if claiming { claims.reserveCapacity(claims.count + index.entries.reduce(0) { $0 + $1.outputs.count }) }
                    for entry in index.entries {
                        let step = index.steps[entry.step]
                        add(entry.key, outputs: entry.outputs, digests: entry.digests, metrics: entry.metrics, run: name, folder: folder, snapshot: snapshot,
                            claiming: claiming ? (step.name, step.outputs) : nil)
                    }
                    continue
                }
                guard let plan = try? snapshot.plan(reading: nil).plan, let state = try? JournalState(directory: folder.journal, repair: false) else { continue }
                for unit in plan.units where !unit.outputs.isEmpty {
                    guard let slot = state.units.slot(of: unit.key), state.units[historyAt: slot].committed, let digests = state.outputs(slot: slot),
                        digests.count == unit.outputs.count
                    else { continue }
                    let step = plan.pipeline.steps[unit.step]
                    add(unit.key, outputs: Array(unit.outputs), digests: Array(digests), metrics: state.commitMetrics[unit.key] ?? [], run: name, folder: folder, snapshot: snapshot,
                        claiming: claiming ? (step.name, step.outputs.map(\.name)) : nil)
                }
            }
        }
    }

    /// Registers a committed unit of another run: its results (the first run holding a key
    /// wins) and, for another pipeline file's run (`claiming`: its step and output names),
    /// its output paths.
    private mutating func add(_ key: Digest, outputs: [String], digests: [OutputDigest], metrics: [Metric], run: String, folder: RunFolder, snapshot: Snapshot,
                              claiming: (step: String, outputs: [String])?) {
        if let (step, names) = claiming {
            for (output, path) in zip(names, outputs) {
                let declaration = "steps.\(step).outputs.\(output)"
                let place = places[declaration] ?? snapshot.pipeline.error(at: declaration, "")
                places[declaration] = place
                claims[Self.absolute(path, root: snapshot.root)] = Claim(run: run, key: key, file: place.file, line: place.line, declaration: declaration)
            }
        }
        guard entries[key] == nil else { return }
        entries[key] = Source(run: run, folder: folder.path, root: snapshot.root, outputs: outputs, digests: digests, metrics: metrics)
    }

    /// Whether runs of other pipeline files committed any outputs.
    public var hasClaims: Bool { !claims.isEmpty }

    /// The run of another pipeline file that committed an output at `path` (absolute), if any.
    public func claim(of path: String) -> Claim? { claims[path] }

    /// An output path made absolute against its run's root, `.` and `..` resolved by the text
    /// (symbolic links are not read: both sides of a comparison are made the same way).
    static func absolute(_ path: String, root: String) -> String {
        RawPath.normalized(path.hasPrefix("/") ? path : "\(root)/\(path)")
    }

    /// The other run that committed `key`, if any.
    public func source(of key: Digest) -> Source? { entries[key] }

    public var isEmpty: Bool { entries.isEmpty }

    /// The `.cairn/runs` folders of a run's workspace: its own folder's parent and those beside
    /// the files its pipeline extends, plus `extra`.
    public static func workspace(of folder: RunFolder, ancestors: [String], extra: [String] = []) -> [String] {
        var out = [(folder.path as NSString).deletingLastPathComponent]
        for file in ancestors { out.append(((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".cairn/runs")) }
        for e in extra where !out.contains(e) { out.append(e) }
        return out
    }
}
