import CairnCore
import CairnJournal
import Foundation

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
            outputs.damaged.merge(replaced(plan, previous: previous, state: state, root: snapshot.root, resolved: resolved, known: outputs.damaged)) { a, _ in a }
        }
        return PlanExplainer(plan: plan, previous: previous, history: state.units, resolved: resolved,
                             selection: selection, reusable: { cache.source(of: $0)?.run },
                             missingTemp: outputs.missingTemp, damaged: outputs.damaged).explain()
    }

    /// Committed units whose output another version of them (the previous plan's, with other
    /// values) may have written since: each such output is compared with the SHA-256 the unit's
    /// commit journaled, and one that differs makes the unit run again ("output replaced by
    /// another version"). Only these units' outputs are read, and only when the plan changed.
    static func replaced(_ plan: Plan, previous: Plan, state: JournalState, root: String, resolved: PlanHistory?, known: [Int: RunReason]) -> [Int: RunReason] {
        var out: [Int: RunReason] = [:]
        for i in PlanExplainer.otherVersionsSharingOutputs(plan, previous: previous) where known[i] == nil {
            let unit = plan.units[i]
            guard resolved.map({ $0.facts(i).committed }) ?? (state.units[unit.key]?.committed == true) else { continue }
            let temps = plan.pipeline.steps[unit.step].outputs.map(\.temp)
            for (n, path) in unit.outputs.enumerated() where !temps[n] {
                var info = stat()
                let full = path.hasPrefix("/") ? path : "\(root)/\(path)"
                guard RawPath.lstat(full, &info) == 0 else { continue }  // a deleted one is the output check's
                if OutputCheck.modified(unit.key, output: n, path: path, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR, state: state, root: root) {
                    out[i] = RunReason(.outputReplaced, detail: RawBytes.display(path))
                    break
                }
            }
        }
        return out
    }
}
