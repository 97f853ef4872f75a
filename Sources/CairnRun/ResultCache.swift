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

    var entries: [Digest: Source] = [:]

    public init() {}

    /// Reads every run folder below `runsFolders` except `own`.
    public init(runsFolders: [String], excluding own: RunFolder) {
        var seen = Set<String>([own.path])
        for runs in runsFolders {
            for name in (RawPath.entries(of: runs) ?? []).sorted() {
                let folder = RunFolder(path: "\(runs)/\(name)")
                guard seen.insert(folder.path).inserted, folder.exists, let snapshot = try? Snapshot.read(folder),
                    let plan = try? snapshot.plan(reading: nil).plan,
                    let state = try? JournalState(directory: folder.journal, repair: false)
                else { continue }
                for unit in plan.units where !unit.outputs.isEmpty && entries[unit.key] == nil {
                    guard state.units[unit.key]?.committed == true, let digests = state.commitOutputs[unit.key],
                        digests.count == unit.outputs.count
                    else { continue }
                    entries[unit.key] = Source(run: name, folder: folder.path, root: snapshot.root, outputs: unit.outputs, digests: digests,
                                               metrics: state.commitMetrics[unit.key] ?? [])
                }
            }
        }
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
