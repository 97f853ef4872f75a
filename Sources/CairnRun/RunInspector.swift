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
    /// `state.units` resolved for `plan`: each walk over the units reads it by position.
    public let history: PlanHistory
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
        history = PlanHistory(plan: plan, table: state.units)
        live = RunLock.isLive(folder)
    }

    /// A view of a run whose plan and journal state the caller already holds (a session
    /// publishing its status, see ``StatusSummary``).
    init(folder: RunFolder, snapshot: Snapshot, plan: Plan, state: JournalState, live: Bool) {
        self.folder = folder
        self.snapshot = snapshot
        self.plan = plan
        self.state = state
        history = PlanHistory(plan: plan, table: state.units)
        self.live = live
    }

    /// What a run of this snapshot would do, and why: compared with the run folder's stored
    /// snapshot (when it differs) and the journal.
    /// With `reuse`, units other runs of the workspace committed (see ``ResultCache``) are
    /// shown as reused; `workspace` adds `.cairn/runs` folders to look in; `verify` compares
    /// committed outputs with their journaled digests (see ``OutputCheck``).
    public func explain(selection: RunSelection = RunSelection(), reuse: Bool = true, workspace: [String] = [], verify: Bool = false) -> Explanation {
        let stored = folder.exists ? try? Snapshot.read(folder) : nil
        var plan = self.plan, resolved: PlanHistory? = history
        if selection.aggregateOnly, let partial = try? snapshot.partialAggregatePlan(of: plan, history: state.units) {
            plan = partial
            resolved = nil
        }
        let cache = reuse ? ResultCache(runsFolders: ResultCache.workspace(of: folder, ancestors: snapshot.pipeline.ancestors, extra: workspace), excluding: folder) : ResultCache()
        return SessionExplainer.explain(plan: plan, snapshot: snapshot, stored: stored, state: state, selection: selection, cache: cache, verify: verify, resolved: resolved)
    }

    /// Per-step counts, with rates over the last `window` seconds of commits.
    public func status(window: Double = 60) -> StatusReport {
        var partials: [String: (items: Int, total: Int)] = [:]
        for (step, p) in state.partialAggregates where state.units[p.key]?.done == true { partials[step] = (p.items, p.total) }
        return StatusReport.build(plan: plan, history: state.units, resolved: history, running: Set(state.openAttempts.keys), live: live,
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
    public var isComplete: Bool { complete(outputsInPlace: { outputsInPlace(remember: true) }) }

    /// ``isComplete``, asking `outputsInPlace` (the output check) only when every unit is done.
    func complete(outputsInPlace: () -> Bool) -> Bool {
        if let optimizer = snapshot.pipeline.optimizer, state.proposedTrials.count < optimizer.trials { return false }
        if let scope = snapshot.scope {
            // A shard is complete when its own items are; its aggregates wait for the others.
            let allowed = scope.applied(to: RunSelection()).itemsAllowed(in: plan)
            return plan.units.allSatisfy { u in u.item.map { !allowed[$0] } ?? true || history.facts(u.index).done }
        }
        // From the end: a run stopped part way has its last units to do, found at once.
        guard !plan.units.indices.reversed().contains(where: { !history.facts($0).done }) else { return false }
        // A committed output deleted since: `cairn resume` makes it again.
        return outputsInPlace()
    }

    /// Whether every committed output is in place (see ``OutputCheck``); `remember` saves the
    /// folders found complete, as a session would.
    func outputsInPlace(remember: Bool) -> Bool {
        OutputCheck.check(plan, state: state, root: snapshot.root, verify: false, remember: remember, resolved: history).damaged.isEmpty
    }

    /// A short state: running, complete, failed, interrupted, staged, new, or "outputs deleted"
    /// (every unit committed, some committed output gone since).
    public var stateWord: String { stateWord(outputsInPlace: { outputsInPlace(remember: true) }) }

    /// ``stateWord``, with the output check answered by `outputsInPlace`.
    func stateWord(outputsInPlace: () -> Bool) -> String {
        if live { return "running" }
        if complete(outputsInPlace: outputsInPlace) { return snapshot.scope == nil ? "complete" : "shard complete" }
        if plan.units.indices.contains(where: { history.facts($0).failed && !history.facts($0).committed }) { return "failed" }
        if snapshot.staged == true { return "staged" }
        if state.units.isEmpty { return "new" }
        let proposing = snapshot.pipeline.optimizer.map { state.proposedTrials.count < $0.trials } ?? false
        if !proposing && plan.units.indices.allSatisfy({ history.facts($0).done }) { return "outputs deleted" }
        // Every session ended and no unit was cut short: a partial run or a merge, not a crash.
        if state.lastSessionEnded && !plan.units.indices.contains(where: { history.facts($0).interrupted }) { return "incomplete" }
        return "interrupted"
    }
}
