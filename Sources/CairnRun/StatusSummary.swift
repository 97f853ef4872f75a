import CairnCore
import CairnJournal
import Foundation

/// What `cairn status` shows of a run, kept in the run folder (`status.summary`) so that the next
/// `status` of a million-unit run need not plan it and fold its journal again.
///
/// It is a cache, never a source of truth: a reader uses it only when it provably describes the
/// folder as it is now, and otherwise computes the status from the snapshot and the journal.
/// - Written by a live session when a reader asks (``Origin/live``, see ``StatusPublisher``):
///   valid while the process it names holds the run's lock; a reader takes only one written
///   after its request.
/// - Written when a session ends, and by a `status` that computed it (``Origin/settled``): valid
///   while the snapshot's bytes are unchanged, the state it was computed from covers the whole
///   journal as it is now (``JournalCheckpoint/coversWhole(_:directory:)``, as the result index), and,
///   once every unit is done (where deleted outputs would turn "complete" into "outputs
///   deleted"), every output folder keeps the device, inode and modification time it had
///   (removing or renaming an entry changes its folder's mtime).
///
/// A summary that cannot be read, or of another ``format``, is ignored; losing it costs time only.
public struct StatusSummary: Sendable, Codable, Equatable {
    /// The version of this file's layout; a reader ignores any other.
    public static let currentFormat = 1
    /// The most output folders a settled summary records; with more, none is written.
    static let maximumFolders = 10_000

    /// Who wrote the summary, and so when it is valid.
    public enum Origin: Sendable, Codable, Equatable {
        /// A live session (the run lock's holder note: host, pid, start).
        case live(RunLock.Holder)
        /// A closed journal: how far the state covered each segment, and the output folders
        /// when every unit is done.
        case settled(journal: [JournalCheckpoint.Coverage], folders: [Folder]?)
    }

    /// An output folder (relative to the pipeline folder) as the summary saw it.
    public struct Folder: Sendable, Codable, Equatable {
        public var path: String
        public var device: UInt64
        public var inode: UInt64
        public var mtime: Int64
    }

    /// A shard's scope and how many items it selects (see ``RunInspector/scopeCounts``).
    public struct Scope: Sendable, Codable, Equatable {
        public var scope: ItemScope
        public var selected: Int
        public var total: Int
    }

    public var format = StatusSummary.currentFormat
    /// SHA-256 (hex) of `snapshot.json`'s bytes.
    public var snapshot: String
    public var origin: Origin
    /// The pipeline folder the output folders are relative to.
    public var root: String
    /// When it was computed (ms since 1970).
    public var written: Int64
    public var report: StatusReport
    /// ``RunInspector/stateWord``.
    public var state: String
    public var orphanedTrials: Int
    public var scope: Scope?
    /// A live session's placeholder, written as it starts: it publishes its status when asked
    /// (see ``StatusPublisher``).
    public var pending: Bool?
    /// How long a reader waits for a live session to publish before computing the status itself.
    static let requestWait = 3.0

    static func requestPath(in folder: RunFolder) -> String { "\(folder.path)/status.request" }

    /// When `status.request` was last written (ns since 1970), 0 when it does not exist.
    static func requestTime(in folder: RunFolder) -> Int64 {
        var info = stat()
        guard stat(requestPath(in: folder), &info) == 0 else { return 0 }
        return OutputFolderCache.mtime(info)
    }

    /// Asks the live session holding `folder` for its status (writes `status.request`) and
    /// waits up to ``requestWait`` seconds for a summary it wrote after the request.
    static func requested(in folder: RunFolder, host: HostIdentity) -> StatusSummary? {
        let asked = Int64(Date().timeIntervalSince1970 * 1000)
        guard FileManager.default.createFile(atPath: requestPath(in: folder), contents: Data("\(asked)\n".utf8)) else { return nil }
        let deadline = Date().addingTimeInterval(requestWait)
        while Date() < deadline {
            usleep(20_000)
            guard let stored = current(in: folder, host: host), case .live = stored.origin else { return nil }
            if stored.pending != true && stored.written >= asked { return stored }
        }
        return nil
    }

    /// The status of `inspector`'s run, as `cairn status` shows it (plans nothing more, but
    /// looks at committed outputs for the state word); `report` and `orphans` when already computed.
    init(_ inspector: RunInspector, origin: Origin, snapshot: String, report: StatusReport? = nil, orphans: Int? = nil, now: Date = Date()) {
        self.snapshot = snapshot
        self.origin = origin
        root = inspector.snapshot.root
        written = Int64(now.timeIntervalSince1970 * 1000)
        self.report = report ?? inspector.status()
        state = inspector.stateWord
        orphanedTrials = orphans ?? inspector.orphanedTrials().count
        scope = inspector.scopeCounts.map { Scope(scope: $0.scope, selected: $0.selected, total: $0.total) }
    }

    /// A placeholder: a live session (`holder`) publishes its status on request.
    init(pendingFor holder: RunLock.Holder, snapshot: String, pipeline: String, root: String, now: Date = Date()) {
        self.snapshot = snapshot
        origin = .live(holder)
        self.root = root
        written = Int64(now.timeIntervalSince1970 * 1000)
        report = StatusReport(pipeline: pipeline, steps: [], live: true)
        state = "running"
        orphanedTrials = 0
        pending = true
    }

    /// The status of the run in `folder`: the stored summary when it is current, else computed
    /// from the snapshot and the journal, and stored for the next reader when the run is not live.
    /// A live session that publishes its status (``StatusPublisher``) is asked to, and given
    /// ``requestWait`` seconds to do it.
    public static func of(_ folder: RunFolder, host: HostIdentity = .current) throws(RunError) -> StatusSummary {
        if let stored = current(in: folder, host: host) {
            guard case .live = stored.origin else { return stored }
            if let fresh = requested(in: folder, host: host) { return fresh }
        }
        // The snapshot's bytes before it is read: a later change makes the summary stale, never wrong.
        let digest = snapshotDigest(folder) ?? ""
        let inspector = try RunInspector(folder: folder)
        guard !inspector.live else { return StatusSummary(inspector, origin: .settled(journal: [], folders: nil), snapshot: digest) }
        let summary = settled(inspector, snapshot: digest)
        if summary.valid { summary.save(in: folder) }
        return summary
    }

    static func path(in folder: RunFolder) -> String { "\(folder.path)/status.summary" }

    /// The folder's snapshot file's digest (hex) as the result index names it, nil when it cannot be read.
    static func snapshotDigest(_ folder: RunFolder) -> String? {
        FileManager.default.contents(atPath: folder.snapshot).map { ResultIndex.digest(ofSnapshot: $0).hex }
    }

    /// The summary stored in `folder`, if it describes the run as it is now.
    public static func current(in folder: RunFolder, host: HostIdentity = .current) -> StatusSummary? {
        guard let data = FileManager.default.contents(atPath: path(in: folder)),
              let summary = try? JSONDecoder().decode(StatusSummary.self, from: data),
              summary.format == currentFormat, summary.snapshot == snapshotDigest(folder)
        else { return nil }
        switch summary.origin {
        case .live(let writer):
            // The holder renews its note's lease; who it is and when it started stay.
            guard let holder = RunLock.holder(of: folder), holder.host == writer.host, holder.pid == writer.pid, holder.started == writer.started,
                  RunLock.isLive(folder, host: host) else { return nil }
            return summary
        case .settled(let journal, let folders):
            // A live session's status is its own to publish.
            guard !RunLock.isLive(folder, host: host), JournalCheckpoint.coversWhole(journal, directory: folder.journal) else { return nil }
            if let folders {
                for f in folders {
                    var info = stat()
                    guard RawBytes.withCString(resolve(f.path, root: summary.root), { stat($0, &info) }) == 0,
                          UInt64(info.st_dev) == f.device, UInt64(info.st_ino) == f.inode, OutputFolderCache.mtime(info) == f.mtime else { return nil }
                }
            }
            return summary.valid ? summary : nil
        }
    }

    /// Whether every unit was done when it was computed (deleted outputs would change its state).
    var allDone: Bool { report.total.committed == report.total.total }

    /// An output folder's path as a process in any folder can open it.
    static func resolve(_ path: String, root: String) -> String {
        path.hasPrefix("/") ? path : path.isEmpty ? root : "\(root)/\(path)"
    }

    /// The output folders of `inspector`'s committed units as they are now, nil when there are
    /// more than ``maximumFolders`` or one changed too recently to tell a later removal from
    /// that change: within the file system's timestamp granularity, taken as 0.1 s where
    /// modification times have sub-second parts (then it waits that long once) and 2 s where
    /// they do not.
    static func folders(of inspector: RunInspector) -> [Folder]? {
        var paths = Set<String>()
        for unit in inspector.plan.units where !unit.outputs.isEmpty && inspector.state.units[unit.key]?.committed == true {
            for output in unit.outputs {
                paths.insert(RawPath.split(output).folder)
                if paths.count > maximumFolders { return nil }
            }
        }
        let root = inspector.snapshot.root
        let sorted = paths.sorted()
        for round in 0..<2 {
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
            var out: [Folder] = []
            var wait: Int64 = 0
            for path in sorted {
                var info = stat()
                guard RawBytes.withCString(resolve(path, root: root), { stat($0, &info) }) == 0 else { return nil }
                let m = OutputFolderCache.mtime(info)
                let window: Int64 = m % 1_000_000_000 == 0 ? 2_000_000_000 : 100_000_000
                if now - m <= window { wait = max(wait, window - (now - m) + 1_000_000) }
                out.append(Folder(path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino), mtime: m))
            }
            if wait == 0 { return out }
            guard round == 0, wait <= 101_000_000 else { return nil }
            usleep(useconds_t(wait / 1000))
        }
        return nil
    }

    /// The settled summary of `inspector`'s run (its journal marked by its state's coverage);
    /// not ``valid`` when that covers no segment, or every unit is done and the output folders
    /// could not be recorded.
    static func settled(_ inspector: RunInspector, snapshot: String) -> StatusSummary {
        let journal = inspector.state.coverage
        let report = inspector.status()
        let total = report.total
        // Folders are looked at before the outputs in them: a removal after this is seen.
        let folders = total.committed == total.total ? folders(of: inspector) : nil
        return StatusSummary(inspector, origin: .settled(journal: journal, folders: folders), snapshot: snapshot, report: report)
    }

    /// Whether a reader may trust it later (see ``current(in:host:)``).
    var valid: Bool {
        guard case .settled(let journal, let folders) = origin else { return true }
        return !journal.isEmpty && (folders != nil || !allDone)
    }

    /// Writes it to `folder` (atomically, not fsynced: a cache). Failures are ignored.
    func save(in folder: RunFolder) {
        guard let data = try? JSONEncoder().encode(self) else { return }
        let target = Self.path(in: folder)
        let tmp = "\(target).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else { return }
        if rename(tmp, target) != 0 { unlink(tmp) }
    }
}
