import CairnCore
import CairnJournal

/// Keeps a session's run folder's ``StatusSummary`` current: the live one while it runs (from
/// the journal as its checkpointing thread folds it), the settled one when it ends.
final class StatusPublisher: @unchecked Sendable {
    let folder: RunFolder
    let snapshot: Snapshot
    let plan: Plan
    /// SHA-256 (hex) of the stored snapshot's bytes.
    let digest: String
    /// The lock's holder note: this session.
    let holder: RunLock.Holder
    /// Trials of earlier snapshots no longer in the run: the same all session long (computed once).
    private var orphans: Int?

    /// Nil when the stored snapshot or the lock note cannot be read (nothing is published then).
    init?(folder: RunFolder, snapshot: Snapshot, plan: Plan) {
        guard let digest = StatusSummary.snapshotDigest(folder), let holder = RunLock.holder(of: folder) else { return nil }
        self.folder = folder
        self.snapshot = snapshot
        self.plan = plan
        self.digest = digest
        self.holder = holder
    }

    /// Writes a placeholder saying that the live status comes in a moment (a million-unit
    /// run's first takes about a second): readers wait for it instead of computing their own.
    func announce() {
        StatusSummary(pendingFor: holder, snapshot: digest, pipeline: plan.pipeline.name, root: snapshot.root).save(in: folder)
    }

    /// Writes the live summary of `state` (on the checkpointing thread).
    func publish(live state: JournalState) {
        let inspector = RunInspector(folder: folder, snapshot: snapshot, plan: plan, state: state, live: true)
        let summary = StatusSummary(inspector, origin: .live(holder), snapshot: digest, orphans: orphans)
        orphans = summary.orphanedTrials
        summary.save(in: folder)
    }

    /// Writes the settled summary of the closed journal `state` (when it can be made valid).
    func publish(settled state: JournalState) {
        let inspector = RunInspector(folder: folder, snapshot: snapshot, plan: plan, state: state, live: false)
        let summary = StatusSummary.settled(inspector, snapshot: digest)
        if summary.valid { summary.save(in: folder) }
    }
}
