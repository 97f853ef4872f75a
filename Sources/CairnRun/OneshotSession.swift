import CairnCore
import CairnJournal
import Foundation

/// `cairn run FILE --oneshot`: a trial run of the selected units that leaves the run's state
/// untouched. Every selected unit runs (committed or not); its outputs go to a fresh scratch
/// folder (`.cairn/oneshot/<time>-<pid>` beside the pipeline file), where its logs and journal
/// also go; inputs that this trial makes are read from there, the rest from committed outputs.
/// The run folder is only read — no lock, no snapshot, no journal record — so it works beside
/// a live run.
public enum OneshotSession {
    /// Runs the trial; the summary's ``RunSummary/scratch`` is the scratch folder.
    public static func execute(
        snapshot given: Snapshot, folder: RunFolder, options: RunOptions, observer: any RunObserver,
        host: HostIdentity = .current, now: Date = Date(), beforeRun: (Explanation, JournalState) -> Void = { _, _ in }
    ) throws(RunError) -> RunSummary {
        let options = options.forPipeline(given.pipeline)
        let (plan, snapshot) = try RunSession.prepare(given, options: options)
        let state: JournalState
        if folder.exists {
            do { state = try JournalState(directory: folder.journal, repair: false) } catch { throw .journal(error) }
        } else {
            state = JournalState()
        }
        var selection = options.selection
        selection.forceAll = true
        selection.force = []
        let decided = SessionExplainer.explain(plan: plan, snapshot: snapshot, stored: nil, state: state, selection: selection, verify: false)
        let explanation = Explanation(plan: plan, decisions: decided.decisions.map(trial), invalidate: [])
        let stamp = ISO8601DateFormatter.string(from: now, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withYear, .withMonth, .withDay, .withTime])
        let scratch = "\(snapshot.root)/.cairn/oneshot/\(stamp.replacingOccurrences(of: ":", with: ""))-\(getpid())"
        let trialFolder = RunFolder(path: "\(scratch)/.run")
        try trialFolder.create()
        try WritableCheck.outputs(plan.units.lazy.filter { explanation.decisions[$0.index].runs }.flatMap(\.outputs), root: scratch)
        beforeRun(explanation, state)
        var summary = try RunSession.drive(plan: plan, explanation: explanation, snapshot: snapshot, folder: trialFolder, scratch: scratch,
                                           state: state, cache: ResultCache(), options: options, observer: observer, host: host, heartbeat: {})
        summary.scratch = scratch
        if let fatal = summary.fatal { throw RunError(fatal) }
        return summary
    }

    /// A trial runs what it is asked to: "forced" is the point, not a reason to show.
    static func trial(_ decision: UnitDecision) -> UnitDecision {
        guard case .run(let reasons) = decision, let first = reasons.first, first.kind == .forced || first.kind == .forcedUpstream else { return decision }
        return .run([RunReason(.forced, group: "trial (--oneshot)")])
    }
}
