import CairnCore
import CairnJournal

extension RunInspector {
    /// The run's trials (its items), with status, duration and metrics; with `orphans`, also
    /// the trials earlier versions of the run had (``Snapshot/archived(in:)``) that ran at
    /// least once and are no longer in its trial set.
    public func trials(orphans: Bool) -> [TrialRow] {
        let running = live ? Set(state.openAttempts.keys) : []
        var rows = TrialTable.rows(plan: plan, history: state.units, resolved: history, metrics: state.commitMetrics, running: running,
                                   staged: snapshot.staged == true)
        if orphans { rows += orphanedTrials() }
        return rows
    }

    /// Trials of earlier snapshots that are not in the current trial set and have a journaled
    /// attempt; newest snapshot first, each trial once.
    public func orphanedTrials() -> [TrialRow] {
        let archive = Snapshot.archived(in: folder)
        guard archive.count > 1 else { return [] }
        let json = Item.jsonWriter(axes: plan.axisNames)
        var seen = Set(plan.items.map(json))
        var out: [TrialRow] = []
        for old in archive where old.pipeline != snapshot.pipeline {
            guard let oldPlan = try? old.plan(reading: nil).plan else { continue }
            let oldJSON = Item.jsonWriter(axes: oldPlan.axisNames)
            var touched = [Bool](repeating: false, count: oldPlan.items.count)
            for u in oldPlan.units {
                if let item = u.item, let h = state.units[u.key], h.attempts > 0 || h.committed { touched[item] = true }
            }
            let dropped = oldPlan.items.indices.filter { touched[$0] && seen.insert(oldJSON(oldPlan.items[$0])).inserted }
            guard !dropped.isEmpty else { continue }
            for var row in TrialTable.rows(plan: oldPlan, history: state.units, metrics: state.commitMetrics, only: dropped) {
                row.status = .orphaned
                row.number = nil
                out.append(row)
            }
        }
        return out
    }
}
