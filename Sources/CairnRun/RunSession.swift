import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

/// One `cairn run` or `cairn resume`: takes the run folder, replays and repairs the journal,
/// clears staging debris, runs the plan through the local executor, and closes the journal.
public enum RunSession {
    /// Plans first (nothing is written if the pipeline is invalid), then runs. `held` is the
    /// run folder's lock when the caller already holds it, and `base` the pipeline to store as
    /// the snapshot instead of the one run (an optimizer's rounds run its proposals; the run
    /// folder keeps the pipeline as declared, the journal the proposals).
    public static func execute(
        snapshot given: Snapshot, folder: RunFolder, options: RunOptions, observer: any RunObserver,
        host: HostIdentity = .current, lock held: RunLock? = nil, storing base: PipelineSpec? = nil, beforeRun: (Explanation, JournalState) -> Void = { _, _ in }
    ) throws(RunError) -> RunSummary {
        let options = options.forPipeline(given.pipeline)
        let setup = try SessionSetup(given, folder: folder, options: options, observer: observer, host: host, lock: held, storing: base, policy: .local)
        let lock = setup.lock
        defer { withExtendedLifetime(lock) {} }  // held until the journal is closed
        beforeRun(setup.explanation, setup.state)

        let summary = try drive(plan: setup.plan, explanation: setup.explanation, snapshot: setup.snapshot, folder: folder, scratch: nil, state: setup.state,
                                cache: setup.cache, options: options, observer: observer, host: host, heartbeat: { lock.renew() })
        if let fatal = summary.fatal { throw RunError(fatal) }
        return summary
    }

    /// What every session that writes to a run folder does first: takes its lock (or uses the
    /// one `held`), replays the journal cutting torn tails (saying so), and kills what an
    /// earlier controller left running. The lock is held while the returned value lives.
    /// `replay` is a read of the journal started before the lock was taken (while planning):
    /// used when nothing was journaled since, read again under the lock otherwise.
    static func takeOver(_ folder: RunFolder, host: HostIdentity, lock held: RunLock?, observer: any RunObserver,
                         replay: BackgroundReplay? = nil) throws(RunError) -> (RunLock, JournalState) {
        let lock: RunLock
        if let held { lock = held } else { lock = try RunLock(folder: folder, host: host) }
        let state: JournalState
        if case .success(let early)? = replay?.result(), early.isCurrent(directory: folder.journal) {
            do { try early.cutTornTails() } catch { throw .journal(error) }
            state = early
        } else {
            do { state = try JournalState(directory: folder.journal, repair: true) } catch { throw .journal(error) }
        }
        for torn in state.tornTails {
            observer.notice("journal \(torn.path) ended in a torn record at byte \(torn.offset) (an interrupted write); cut it off, nothing committed was lost")
        }
        try sweep(state, folder: folder, host: host, observer: observer)
        return (lock, state)
    }

    /// Kills what an earlier controller left running (see ``OrphanSweeper``), saying so.
    static func sweep(_ state: JournalState, folder: RunFolder, host: HostIdentity, observer: any RunObserver) throws(RunError) {
        let swept = OrphanSweeper.sweep(state, host: host, runDirectory: folder.path)
        if swept.killed > swept.strays {
            observer.notice("killed \(swept.killed - swept.strays) leftover process(es) of \(swept.attempts) attempt(s) an earlier controller did not finish")
        }
        if swept.strays > 0 {
            observer.notice("killed \(swept.strays) leftover process(es) of this run that no journaled attempt accounts for (started just before a crash, or outside their unit's process group)")
        }
        if swept.leftAlive > 0 {
            throw RunError("\(swept.leftAlive) leftover process(es) of an earlier run would not die; stop them (see `ps -eo pid,pgid,cmd`) and resume")
        }
    }

    /// Plans a snapshot for a session, reading its files (through the digest cache) unless it
    /// stores their digests, and checks the selection against the plan. `planned` is a plan of
    /// `given` already made (see ``RunOptions/inspected``).
    static func prepare(_ given: Snapshot, options: RunOptions, planned made: Plan? = nil) throws(RunError) -> (Plan, Snapshot) {
        let planned: (plan: Plan, snapshot: Snapshot)
        if let made, !options.verify {
            planned = (made, given)
        } else {
            let digester = FileDigester(root: given.root, verify: options.verify)
            do { planned = try given.plan(reading: digester) } catch { throw .pipeline(error) }
            digester.save()
        }
        if let problem = options.selection.problems(in: planned.plan) { throw RunError.usage(problem) }
        if let step = planned.plan.pipeline.steps.first(where: { $0.isClosure && options.closures[$0.name] == nil }) {
            throw DeclaredPipeline.refusal(given, folder: nil)
                ?? RunError.usage("step \(step.name) is a Swift closure step, and this program does not declare it; run it with the program that does")
        }
        var snapshot = planned.snapshot
        snapshot.staged = nil  // a session that runs it ends the staging
        return (planned.plan, snapshot)
    }

    /// Opens a journal segment in `folder`, journals what the session starts with (interrupted
    /// attempts, forced units), runs the units decided "run" through `executor` (by default the
    /// local process executor), and closes the segment.
    static func drive(
        plan: Plan, explanation: Explanation, snapshot: Snapshot, folder: RunFolder, scratch: String?, state: JournalState,
        cache: ResultCache, options: RunOptions, observer: any RunObserver, host: HostIdentity, heartbeat: @escaping () -> Void,
        workerJob: String? = nil, executor given: (any Executor)? = nil
    ) throws(RunError) -> RunSummary {
        let executor = given ?? options.executor?(options.jobs, options.signalFD) ?? defaultExecutor(for: plan, options: options)
        let watch = DurabilityWatch(waker: executor.waker)
        let info = SegmentInfo(host: host.host, bootID: host.bootID, pid: getpid(), time: Int64(Date().timeIntervalSince1970 * 1000), job: workerJob ?? "")
        // A worker and a trial close no attempts: a worker's are SLURM's, a trial's journal is its own.
        let writer = try SessionJournal.open(folder: folder, info: info, snapshot: snapshot, state: state, plan: plan,
                                             invalidate: explanation.invalidate, closeOpen: scratch == nil && workerJob == nil, message: options.message,
                                             onDurable: { watch.madeDurable($0) })
        // A worker's segment is one of many the controller's folder holds; a trial's journal is short-lived.
        // `cairn status` plans the stored snapshot whole: a partial aggregate's plan is not its.
        let ownsStatus = scratch == nil && workerJob == nil && !options.selection.aggregateOnly && snapshot.pipeline.optimizer == nil
        return try SessionJournal.session(writer, checkpointing: scratch == nil && workerJob == nil ? .periodic(state) : .none, in: folder, plan: plan,
                                          status: ownsStatus ? snapshot : nil) {
            let runner = try Runner(plan: plan, decisions: explanation.decisions, cache: cache, folder: folder, root: snapshot.root, scratch: scratch, history: state.units, journal: writer,
                                    executor: executor, watch: watch, options: options, observer: observer)
            runner.heartbeat = heartbeat
            if let workerJob { runner.command.extraEnvironment = ["CAIRN_SLURM_JOB=\(workerJob)"] }
            let summary = runner.run()
            if scratch == nil && workerJob == nil && summary.interruptedBy == nil && summary.fatal == nil && !options.selection.aggregateOnly {
                let removed = TempOutputs.cleanUp(plan, committed: runner.committedUnits, root: snapshot.root)
                if removed > 0 { observer.notice("removed \(removed) temp output(s) that nothing still needs") }
            }
            return summary
        }
    }

    /// The executor a session on this machine uses: processes for shell steps, tasks for
    /// in-process steps, both when the pipeline mixes them.
    static func defaultExecutor(for plan: Plan, options: RunOptions) -> any Executor {
        let closures = plan.pipeline.steps.contains(where: \.isClosure)
        let shell = plan.pipeline.steps.contains { !$0.isClosure }
        if closures && shell { return MixedExecutor(slots: options.jobs, signalFD: options.signalFD) }
        if closures { return InProcessExecutor(slots: options.jobs, signalFD: options.signalFD) }
        return LocalExecutor(slots: options.jobs, signalFD: options.signalFD)
    }
}
