import CairnCore
import CairnJournal
import Foundation

/// What every session that runs units in a run folder it owns does before its first unit —
/// the local session (``RunSession``) and the SLURM controller (``SlurmSession``) alike:
/// plan (nothing is written if the pipeline is invalid), check the plan against the machine,
/// take the run folder (lock, journal replayed with torn tails cut, leftovers killed), store the
/// snapshot, clear staging debris, find reusable results, decide every unit, and check that the
/// outputs to make can be written. Where the kinds differ, ``Policy`` says so.
struct SessionSetup {
    /// Where a kind of session departs from the local one.
    struct Policy {
        /// Check the plan's `resources` against this machine (the local executor runs them here).
        var checkMachineBudget = true
        /// Remove staging debris of interrupted attempts (unsafe where workers of an earlier
        /// controller may still run: SLURM jobs outlive their controller).
        var cleanStagingDebris = true
        /// Reuse outputs other runs of the workspace committed (the SLURM controller submits
        /// every unit it runs; it has no way to adopt another run's outputs yet).
        var reuseResults = true

        static let local = Policy()
        static let slurm = Policy(checkMachineBudget: false, cleanStagingDebris: false, reuseResults: false)
    }

    var plan: Plan
    var snapshot: Snapshot
    let lock: RunLock
    let state: JournalState
    let cache: ResultCache
    let explanation: Explanation

    /// Prepares a session. `held` is the run folder's lock when the caller already holds it,
    /// and `base` the pipeline to store as the snapshot instead of the one run.
    init(_ given: Snapshot, folder: RunFolder, options: RunOptions, observer: any RunObserver, host: HostIdentity,
         lock held: RunLock? = nil, storing base: PipelineSpec? = nil, policy: Policy) throws(RunError) {
        // A read of this folder made just before, of this very snapshot: its plan and journal read.
        let inspected = options.inspected.flatMap { $0.folder == folder && $0.snapshot == given ? $0 : nil }
        let replay = inspected.map { BackgroundReplay(ready: $0.state) } ?? BackgroundReplay(journal: folder.journal)
        var (plan, snapshot) = try RunSession.prepare(given, options: options, planned: inspected?.plan)
        if policy.checkMachineBudget, let problem = options.budget.problem(in: plan) { throw .pipeline(problem) }
        let previous = folder.exists ? try? Snapshot.read(folder) : nil
        // The workspace's other runs: results to reuse, and output paths other pipeline files own.
        let reuse = !options.fresh && policy.reuseResults
        let workspace = !reuse && options.allowSharedOutputs ? ResultCache()
            : ResultCache(runsFolders: ResultCache.workspace(of: folder, ancestors: snapshot.pipeline.ancestors, extra: options.workspace), excluding: folder,
                          pipelineFile: snapshot.pipelineFile, ancestors: snapshot.pipeline.ancestors)
        // A conflict over output paths is refused before the run folder is made or touched,
        // judged on the journal as read while planning (and again below, under the lock).
        if !options.allowSharedOutputs, workspace.hasClaims, case .success(let early) = replay.result(),
            let conflict = SharedOutputs.conflict(plan: plan, runs: { early.units[plan.units[$0].key]?.done != true }, root: snapshot.root, cache: workspace)
        {
            throw .pipeline(conflict)
        }
        try folder.create()
        let (lock, state) = try RunSession.takeOver(folder, host: host, lock: held, observer: observer, replay: replay)
        var stored = snapshot
        if let base { stored.pipeline = base }
        try stored.write(to: folder)
        if options.selection.aggregateOnly {
            // Each aggregate over the items committed now: a partial unit with its own key.
            do { plan = try snapshot.partialAggregatePlan(of: plan, history: state.units) } catch { throw .pipeline(error) }
        }
        if policy.cleanStagingDebris {
            let debris = Staging(root: snapshot.root).cleanDebris(outputs: plan.units.lazy.flatMap(\.outputs))
            if debris > 0 { observer.notice("removed staging debris of \(debris) interrupted attempt(s)") }
        }
        let cache = reuse ? workspace : ResultCache()
        // The units looked up in the journal state once, for the output check and the explainer:
        // the inspection's lookups when its plan is the one run and the journal is as it read it.
        let sameAsInspected = inspected.map { !options.verify && !options.selection.aggregateOnly && $0.state.bytes == state.bytes
            && $0.state.tornTails.count == state.tornTails.count && $0.history.count == plan.units.count } ?? false
        let resolved = sameAsInspected ? inspected!.history : PlanHistory(plan: plan, table: state.units)
        let explanation = SessionExplainer.explain(plan: plan, snapshot: snapshot, stored: previous, state: state, selection: options.selection,
                                                   cache: cache, verify: options.verify, resolved: resolved)
        if !options.allowSharedOutputs,
            let conflict = SharedOutputs.conflict(plan: plan, runs: { explanation.decisions[$0].runs }, root: snapshot.root, cache: workspace)
        {
            throw .pipeline(conflict)
        }
        try WritableCheck.outputs(plan.units.lazy.filter { explanation.decisions[$0.index].runs }.flatMap(\.outputs), root: snapshot.root)
        self.plan = plan
        self.snapshot = snapshot
        self.lock = lock
        self.state = state
        self.cache = cache
        self.explanation = explanation
    }
}
