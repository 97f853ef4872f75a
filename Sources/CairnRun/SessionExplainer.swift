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
        let outputs = OutputCheck.check(plan, state: state, root: snapshot.root, verify: verify, resolved: resolved)
        return PlanExplainer(plan: plan, previous: stored.flatMap { $0.previousPlan(before: snapshot) }, history: state.units, resolved: resolved,
                             selection: selection, reusable: { cache.source(of: $0)?.run },
                             missingTemp: outputs.missingTemp, damaged: outputs.damaged).explain()
    }
}
