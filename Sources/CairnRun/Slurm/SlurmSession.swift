import CairnCore
import CairnJournal
import Foundation

/// `cairn run --executor slurm` and its `resume`: like ``RunSession`` — plan, lock, replay,
/// sweep what a dead local controller left — then a `SlurmController` instead of the local
/// runner. Staging debris is left alone: a worker of an adopted job may be writing there.
public enum SlurmSession {
    public static func execute(
        snapshot given: Snapshot, folder: RunFolder, options: RunOptions, slurm: SlurmOptions, observer: any RunObserver,
        host: HostIdentity = .current, beforeRun: (Explanation, JournalState) -> Void = { _, _ in }
    ) throws(RunError) -> RunSummary {
        let options = options.forPipeline(given.pipeline)
        if given.pipeline.steps.contains(where: \.isClosure) {
            throw RunError.usage("a pipeline with Swift closure steps runs in its own program; leave out --executor slurm (submit the program itself as a SLURM job instead)")
        }
        guard SlurmClient.reachable() else {
            throw RunError("SLURM does not answer (`sinfo` failed); start a cluster (scripts/slurm-local start) or set SLURM_CONF")
        }
        let setup = try SessionSetup(given, folder: folder, options: options, observer: observer, host: host, policy: .slurm)
        let lock = setup.lock
        defer { withExtendedLifetime(lock) {} }
        let (plan, snapshot, state, explanation) = (setup.plan, setup.snapshot, setup.state, setup.explanation)
        beforeRun(explanation, state)
        let info = SegmentInfo(host: host.host, bootID: host.bootID, pid: getpid(), time: Int64(Date().timeIntervalSince1970 * 1000))
        let writer = try SessionJournal.open(folder: folder, info: info, snapshot: snapshot, state: state, plan: plan,
                                             invalidate: explanation.invalidate, closeOpen: true, message: options.message)
        // A checkpoint once every job ended (the controller saw them all leave the queue): the
        // next session's controller, its workers and `status` load it and replay only what
        // that session adds. While jobs run, their segments grow, so none is written then.
        let ownsStatus = !options.selection.aggregateOnly && snapshot.pipeline.optimizer == nil
        return try SessionJournal.session(writer, checkpointing: .atTheEnd(state, settled: { $0.interruptedBy == nil && $0.fatal == nil }), in: folder, plan: plan,
                                          status: ownsStatus ? snapshot : nil) {
            let controller = SlurmController(plan: plan, decisions: explanation.decisions, folder: folder, journal: writer,
                                             client: SlurmClient(), slurm: slurm, options: options, observer: observer)
            return try controller.run()
        }
    }
}
