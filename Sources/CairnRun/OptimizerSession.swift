import CCairnSystem
import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

/// A run whose trials an optimizer proposes (`optimizer:`, see ``OptimizerSpec``): rounds of
/// "run every proposed trial that is not committed" (a ``RunSession`` under the same lock)
/// and "ask the optimizer for the next batch", until `trials` are proposed and run.
///
/// A batch is journaled (its own small segment, fsynced) before any of its trials starts, so
/// a killed search resumes with exactly the proposals it had and asks only for batches it has
/// not got. The optimizer runs like a unit: its own process group, `CAIRN_RUN_DIR` in its
/// environment (a later session kills it if the controller died), stopped on an interrupt.
public enum OptimizerSession {
    public static func execute(
        snapshot: Snapshot, folder: RunFolder, options: RunOptions, observer: any RunObserver,
        host: HostIdentity = .current, beforeRun: (Explanation, JournalState) -> Void = { _, _ in }
    ) throws(RunError) -> RunSummary {
        let options = options.forPipeline(snapshot.pipeline)
        guard let optimizer = snapshot.pipeline.optimizer else {
            return try RunSession.execute(snapshot: snapshot, folder: folder, options: options, observer: observer, host: host, beforeRun: beforeRun)
        }
        _ = try RunSession.prepare(snapshot, options: options)  // an invalid pipeline writes nothing
        try folder.create()
        let lock = try RunLock(folder: folder, host: host)
        defer { withExtendedLifetime(lock) {} }
        let names = snapshot.pipeline.axes.map(\.name)
        var total = RunSummary()
        var round = 0
        while true {
            let state = try replay(folder)
            let current = snapshot.withProposals(from: state)
            let proposed = state.proposedTrials.count
            let (plan, _) = try RunSession.prepare(current, options: options)
            if !plan.units.isEmpty && !(round > 0 && plan.units.allSatisfy { state.units[$0.key]?.done ?? false }) {
                var roundOptions = options
                // Later rounds run only the new batch; failed trials are retried by the next `cairn resume`.
                if round > 0 { roundOptions.selection.skipFailed = true }
                let summary = try RunSession.execute(snapshot: current, folder: folder, options: roundOptions, observer: observer, host: host,
                                                     lock: lock, storing: snapshot.pipeline, beforeRun: round == 0 ? beforeRun : { _, _ in })
                total.absorb(summary)
                if summary.interruptedBy != nil || summary.fatal != nil || summary.timeLimited { return total }
            } else if plan.units.isEmpty {
                try snapshot.write(to: folder)
            }
            round += 1
            guard proposed < optimizer.trials else { return total }
            // The same proposals as `plan` (nothing was journaled since); the round's results.
            let after = try replay(folder)
            let rows = TrialTable.rows(plan: plan, history: after.units, metrics: after.commitMetrics)
            let batch = after.proposals.count
            let want = min(optimizer.batch, optimizer.trials - proposed)
            observer.notice("asking the optimizer for batch \(batch + 1) (\(want) trial(s); \(proposed) of \(optimizer.trials) proposed)")
            let answer = ask(optimizer, pipeline: snapshot.pipeline, rows: rows, batch: batch, want: want, folder: folder, root: snapshot.root, options: options)
            let trials: [[ItemValue]]
            switch answer {
            case .interrupted(let signal):
                total.interruptedBy = signal
                return total
            case .failed(let why):
                throw RunError("the optimizer \(why); see \(folder.logs)/optimizer.log, fix it, then `cairn resume`")
            case .proposed(let text):
                do { trials = try OptimizerSpec.parse(text, axes: names) } catch {
                    throw RunError("the optimizer's answer to batch \(batch + 1) is not usable: \(error.message); fix it, then `cairn resume`")
                }
            }
            if trials.isEmpty {
                observer.notice("the optimizer proposed no more trials; done after \(proposed)")
                return total
            }
            let kept = Array(trials.prefix(want))
            try journal(batch: batch, trials: kept.map { Item(index: 0, values: $0).json(axes: names) }, folder: folder, host: host)
        }
    }

    static func replay(_ folder: RunFolder) throws(RunError) -> JournalState {
        do { return try JournalState(directory: folder.journal, repair: true) } catch { throw .journal(error) }
    }

    /// Journals one batch in a segment of its own, durably.
    static func journal(batch: Int, trials: [String], folder: RunFolder, host: HostIdentity) throws(RunError) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let info = SegmentInfo(host: host.host, bootID: host.bootID, pid: getpid(), time: now)
        let writer: SegmentWriter
        do { writer = try Journal.openSegment(directory: folder.journal, info: info) } catch { throw .journal(error) }
        try SessionJournal.run(writer) {
            try writer.append(.proposed(batch: batch, trials: trials, time: now))
            try writer.close()
        }
    }

    enum Answer {
        case proposed(String)
        case failed(String)
        case interrupted(Int32)
    }

    /// Runs the optimizer with the trial table on standard input; its standard output.
    static func ask(
        _ optimizer: OptimizerSpec, pipeline: PipelineSpec, rows: [TrialRow], batch: Int, want: Int, folder: RunFolder, root: String, options: RunOptions
    ) -> Answer {
        let work = "\(folder.path)/optimizer"
        _ = RawPath.makeDirectories(work)
        _ = RawPath.makeDirectories(folder.logs)
        var space: [String: CanonicalJSON] = [:]
        for axis in pipeline.axes { space[axis.name] = axis.json }
        let input: CanonicalJSON = .object([
            "batch": .int(batch), "want": .int(want), "trials_total": .int(optimizer.trials), "space": .object(space),
            "params": .object(Dictionary(uniqueKeysWithValues: pipeline.params.map { ($0.name, $0.value.json) })),
            "trials": .array(rows.map { $0.json() }),
        ])
        let inPath = "\(work)/batch-\(batch).in.json", outPath = "\(work)/batch-\(batch).out"
        do { try AtomicFile.write(input.text + "\n", to: inPath) } catch { return .failed("could not be given its input (\(error))") }
        unlink(outPath)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CAIRN_") }.map { "\($0.key)=\($0.value)" }
        environment += ["CAIRN_RUN_DIR=\(folder.path)", "CAIRN_OPTIMIZER_BATCH=\(batch)", "CAIRN_OPTIMIZER_WANT=\(want)"]
        let command = "(\(optimizer.run)) < \(ShellQuote.quote(inPath)) > \(ShellQuote.quote(outPath))"
        let executor = LocalExecutor(slots: 1, signalFD: options.signalFD)
        let job = AttemptRequest(id: 0, command: command, environment: environment, workingDirectory: root,
                      logPath: "\(folder.logs)/optimizer.log", timeout: nil, grace: options.grace)
        cairn_signal_hold()  // a second signal stops the optimizer's process through the loop
        defer { cairn_signal_release() }
        do { _ = try executor.start(job) } catch { return .failed("could not start (\(error))") }
        var stopping: Int32?
        while true {
            let events = executor.wait(until: nil)
            for signal in events.signals where signal != SIGUSR1 {
                if stopping != nil { executor.killAll() } else {
                    stopping = signal
                    executor.stopAll(grace: options.grace)
                }
            }
            if let end = events.ends.first {
                if let stopping { return .interrupted(stopping) }
                guard end.succeeded else { return .failed("exited with code \(end.exitCode)") }
                let data = FileManager.default.contents(atPath: outPath) ?? Data()
                return .proposed(RawBytes.string(from: data))
            }
        }
    }
}

extension RunSummary {
    /// Adds a later session's counts (an optimizer's rounds).
    mutating func absorb(_ other: RunSummary) {
        if total == 0 { alreadyDone = other.alreadyDone }  // what was done before the first round
        committed += other.committed
        reused += other.reused
        failures += other.failures
        skipped += other.skipped
        notStarted = other.notStarted
        interruptedAttempts += other.interruptedAttempts
        timeLimited = timeLimited || other.timeLimited
        interruptedBy = interruptedBy ?? other.interruptedBy
        fatal = fatal ?? other.fatal
        notSelected = other.notSelected
        total = other.total
    }
}
