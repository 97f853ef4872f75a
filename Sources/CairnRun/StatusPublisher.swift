import CairnCore
import CairnJournal
import Foundation

/// Keeps a session's run folder's ``StatusSummary``: the live one while it runs, on request,
/// and the settled one when it ends.
///
/// While the session runs, a thread of its own looks every ``pollInterval`` at
/// `status.request`, which a reader (`cairn status` of the live run) touches; when it changed,
/// the thread folds what the journal gained since its last look into its copy of the journal
/// state and writes the live summary of it. Nothing is folded while nobody asks: a session of a
/// million in-process units a second pays one `stat` every tenth of a second for its status.
final class StatusPublisher: @unchecked Sendable {
    /// How often the thread looks for a request.
    static let pollInterval = 0.1

    let folder: RunFolder
    let snapshot: Snapshot
    let plan: Plan
    /// SHA-256 (hex) of the stored snapshot's bytes.
    let digest: String
    /// The lock's holder note: this session.
    let holder: RunLock.Holder
    /// Trials of earlier snapshots no longer in the run: the same all session long (computed once).
    private var orphans: Int?
    /// The journal as last folded for a request (only the thread uses it).
    private var state: JournalState?
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var stopping = false
    private var running = false

    /// Nil when the stored snapshot or the lock note cannot be read (nothing is published then).
    init?(folder: RunFolder, snapshot: Snapshot, plan: Plan) {
        guard let digest = StatusSummary.snapshotDigest(folder), let holder = RunLock.holder(of: folder) else { return nil }
        self.folder = folder
        self.snapshot = snapshot
        self.plan = plan
        self.digest = digest
        self.holder = holder
    }

    /// Writes a placeholder saying that this session publishes its status on request, and
    /// starts the thread that does, from `state` (the journal as the session started).
    func start(from state: JournalState) {
        self.state = state
        StatusSummary(pendingFor: holder, snapshot: digest, pipeline: plan.pipeline.name, root: snapshot.root).save(in: folder)
        running = true
        let thread = Thread { [self] in self.loop() }
        thread.name = "cairn-status"
        thread.start()
    }

    /// Stops the thread (a request being served is finished first).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        state = nil
    }

    private func loop() {
        var served = StatusSummary.requestTime(in: folder)
        // The first fold copies the session's state (about 0.3 s at a million units): done
        // now, while the session starts, rather than when a reader waits.
        _ = fold()
        condition.lock()
        while !stopping {
            _ = condition.wait(until: Date(timeIntervalSinceNow: Self.pollInterval))
            if stopping { break }
            condition.unlock()
            let asked = StatusSummary.requestTime(in: folder)
            if asked != served {
                served = asked
                publishLive()
            }
            condition.lock()
        }
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// Folds what the journal gained since the last fold into `state`.
    private func fold() -> JournalState? {
        JournalState.caughtUp(&state, directory: folder.journal)
    }

    /// Folds what the journal gained and writes the live summary of it.
    private func publishLive() {
        guard let current = fold() else { return }
        let inspector = RunInspector(folder: folder, snapshot: snapshot, plan: plan, state: current, live: true)
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
