import CairnCore
import CairnJournal
import Foundation

/// Read-only views of a run folder for `plan`, `status`, `runs` and `log`: never takes the
/// lock, never repairs, so it works on a live run from another terminal.
public struct RunInspector: Sendable {
    public let folder: RunFolder
    public let snapshot: Snapshot
    public let plan: Plan
    public let state: JournalState
    public let live: Bool

    /// Reads the run in `folder`, planning its stored snapshot.
    public init(folder: RunFolder) throws(RunError) {
        let snapshot = try Snapshot.read(folder)
        try self.init(folder: folder, snapshot: snapshot)
    }

    /// Reads `folder`'s journal against `snapshot` (which may be a newer pipeline than the
    /// stored one); `digester` reads the files of a snapshot that stores no digests.
    public init(folder: RunFolder, snapshot: Snapshot, digester: FileDigester? = nil) throws(RunError) {
        self.folder = folder
        let (plan, planned, state): (Plan, Snapshot, JournalState)
        if snapshot.pipeline.optimizer != nil {
            // The trials are the proposals the journal holds: replay first, then plan.
            let replayed: JournalState
            do { replayed = try JournalState(directory: folder.journal, repair: false) } catch { throw .journal(error) }
            do { (plan, planned) = try snapshot.withProposals(from: replayed).plan(reading: digester) } catch { throw .pipeline(error) }
            state = replayed
        } else {
            (plan, planned, state) = try PlanAndReplay.run(snapshot, digester: digester, journal: folder.journal)
        }
        digester?.save()
        self.snapshot = planned
        self.plan = plan
        self.state = state
        live = RunLock.isLive(folder)
    }

    /// A view of a run whose plan and journal state the caller already holds (a session
    /// publishing its status, see ``StatusSummary``).
    init(folder: RunFolder, snapshot: Snapshot, plan: Plan, state: JournalState, live: Bool) {
        self.folder = folder
        self.snapshot = snapshot
        self.plan = plan
        self.state = state
        self.live = live
    }

    /// What a run of this snapshot would do, and why: compared with the run folder's stored
    /// snapshot (when it differs) and the journal.
    /// With `reuse`, units other runs of the workspace committed (see ``ResultCache``) are
    /// shown as reused; `workspace` adds `.cairn/runs` folders to look in; `verify` compares
    /// committed outputs with their journaled digests (see ``OutputCheck``).
    public func explain(selection: RunSelection = RunSelection(), reuse: Bool = true, workspace: [String] = [], verify: Bool = false) -> Explanation {
        let stored = folder.exists ? try? Snapshot.read(folder) : nil
        var plan = self.plan
        if selection.aggregateOnly, let partial = try? snapshot.partialAggregatePlan(of: plan, history: state.units) {
            plan = partial
        }
        let cache = reuse ? ResultCache(runsFolders: ResultCache.workspace(of: folder, ancestors: snapshot.pipeline.ancestors, extra: workspace), excluding: folder) : ResultCache()
        return SessionExplainer.explain(plan: plan, snapshot: snapshot, stored: stored, state: state, selection: selection, cache: cache, verify: verify)
    }

    /// Per-step counts, with rates over the last `window` seconds of commits.
    public func status(window: Double = 60) -> StatusReport {
        var partials: [String: (items: Int, total: Int)] = [:]
        for (step, p) in state.partialAggregates where state.units[p.key]?.done == true { partials[step] = (p.items, p.total) }
        return StatusReport.build(plan: plan, history: state.units, running: Set(state.openAttempts.keys), live: live,
                                  recentSince: state.lastTime - Int64(window * 1000), window: live ? window : 0, partials: partials)
    }

    /// For a shard (``Snapshot/scope``): the scope and how many of the plan's items it selects.
    public var scopeCounts: (scope: ItemScope, selected: Int, total: Int)? {
        guard let scope = snapshot.scope else { return nil }
        let allowed = scope.applied(to: RunSelection()).itemsAllowed(in: plan)
        return (scope, allowed.count { $0 }, allowed.count)
    }

    /// Whether every unit is committed with its outputs in place (and an optimizer has
    /// proposed all its trials).
    public var isComplete: Bool {
        if let optimizer = snapshot.pipeline.optimizer, state.proposedTrials.count < optimizer.trials { return false }
        if let scope = snapshot.scope {
            // A shard is complete when its own items are; its aggregates wait for the others.
            let allowed = scope.applied(to: RunSelection()).itemsAllowed(in: plan)
            return plan.units.allSatisfy { u in u.item.map { !allowed[$0] } ?? true || (state.units[u.key]?.done ?? false) }
        }
        // From the end: a run stopped part way has its last units to do, found at once.
        guard !plan.units.reversed().contains(where: { !(state.units[$0.key]?.done ?? false) }) else { return false }
        // A committed output deleted since: `cairn resume` makes it again.
        return OutputCheck.check(plan, state: state, root: snapshot.root, verify: false).damaged.isEmpty
    }

    /// A short state: running, complete, failed, interrupted, staged, new, or "outputs deleted"
    /// (every unit committed, some committed output gone since).
    public var stateWord: String {
        if live { return "running" }
        if isComplete { return snapshot.scope == nil ? "complete" : "shard complete" }
        if plan.units.contains(where: { state.units[$0.key]?.lastFailure != nil && !(state.units[$0.key]?.committed ?? false) }) { return "failed" }
        if snapshot.staged == true { return "staged" }
        if state.units.isEmpty { return "new" }
        let proposing = snapshot.pipeline.optimizer.map { state.proposedTrials.count < $0.trials } ?? false
        if !proposing && plan.units.allSatisfy({ state.units[$0.key]?.done ?? false }) { return "outputs deleted" }
        // Every session ended and no unit was cut short: a partial run or a merge, not a crash.
        if state.lastSessionEnded && !plan.units.contains(where: { state.units[$0.key]?.interrupted ?? false }) { return "incomplete" }
        return "interrupted"
    }
}
