import CairnCore
import CairnJournal

/// The one place a session (run, resume, SLURM controller, trial) or a read-only view (`plan`)
/// decides what to do with each unit: the journal's history, the run folder's previous
/// snapshot, the workspace's result cache and the state of committed outputs on disk, handed
/// to the pure ``PlanExplainer``.
enum SessionExplainer {
    static func explain(
        plan: Plan, snapshot: Snapshot, stored: Snapshot?, state: JournalState, selection: RunSelection,
        cache: ResultCache = ResultCache(), verify: Bool, resolved: PlanHistory? = nil
    ) -> Explanation {
        var outputs = OutputCheck.check(plan, state: state, root: snapshot.root, verify: verify, resolved: resolved)
        let previous = stored.flatMap { $0.previousPlan(before: snapshot) }
        if let previous, !verify {
            let replaced = OutputCheck.replaced(plan, previous: previous, state: state, root: snapshot.root, resolved: resolved, skipping: outputs.damaged)
            outputs.damaged.merge(replaced) { a, _ in a }
        }
        return PlanExplainer(plan: plan, previous: previous, history: state.units, resolved: resolved,
                             selection: selection, reusable: { cache.source(of: $0)?.run },
                             missingTemp: outputs.missingTemp, damaged: outputs.damaged).explain()
    }
}
