import CairnCore
import CairnJournal
import Foundation

/// Read-only views of a run folder for `plan`, `status`, `runs` and `log`: never takes the
/// lock, never repairs, so it works on a live run from another terminal.
public struct RunInspector {
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

    /// Reads `folder`'s journal against `snapshot` (which may be a newer pipeline than the stored one).
    public init(folder: RunFolder, snapshot: Snapshot) throws(RunError) {
        self.folder = folder
        self.snapshot = snapshot
        let (plan, state) = try PlanAndReplay.run(snapshot.pipeline, journal: folder.journal, repair: false)
        self.plan = plan
        self.state = state
        live = RunLock.isLive(folder)
    }

    /// Per-step counts, with rates over the last `window` seconds of commits.
    public func status(window: Double = 60) -> StatusReport {
        var recent: [String: Int] = [:]
        let since = state.lastTime - Int64(window * 1000)
        if live {
            for unit in plan.units {
                if let t = state.units[unit.key]?.commitTime, t >= since { recent[plan.step(of: unit).name, default: 0] += 1 }
            }
        }
        return StatusReport.build(plan: plan, history: state.units, running: Set(state.openAttempts.keys), live: live,
                                  recentCommits: recent, window: live ? window : 0)
    }

    /// Whether every unit is committed.
    public var isComplete: Bool {
        plan.units.allSatisfy { state.units[$0.key]?.committed ?? false }
    }

    /// A one-word state: running, complete, failed, interrupted or new.
    public var stateWord: String {
        if live { return "running" }
        if isComplete { return "complete" }
        if plan.units.contains(where: { state.units[$0.key]?.lastFailure != nil && !(state.units[$0.key]?.committed ?? false) }) { return "failed" }
        return state.units.isEmpty ? "new" : "interrupted"
    }
}
