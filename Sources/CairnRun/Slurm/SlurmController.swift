import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

/// The controller of a SLURM run. Every poll it replays the journal (its own segment and the
/// workers'), asks SLURM about the jobs still active, closes what ended, and submits what can
/// run now as one array job. It never cancels cluster work: on a signal it stops and leaves
/// the jobs running; `cairn resume` follows them again.
///
/// A submission is journaled (name and units, durably) before `sbatch` runs, and its job id
/// after; a controller that dies in between finds the job by name. A unit is in flight while a
/// submission holding it is active, and is never in two.
final class SlurmController {
    let plan: Plan
    let wanted: [Bool]
    let folder: RunFolder
    let journal: SegmentWriter
    let client: SlurmClient
    let slurm: SlurmOptions
    let options: RunOptions
    let observer: any RunObserver
    let indexOfKey: [Digest: Int]
    var summary = RunSummary()
    /// Submissions per unit in this session, bounded by the step's `retries`.
    var tries: [Int: Int] = [:]
    /// The unit's attempt count when it was last submitted (a failure after it is this session's).
    var attemptsAtSubmit: [Int: Int] = [:]
    var failedForGood: [Int: String] = [:]
    var committedAtStart: Int
    let started = MonotonicClock.now()

    init(plan: Plan, decisions: [UnitDecision], folder: RunFolder, journal: SegmentWriter, client: SlurmClient,
         slurm: SlurmOptions, options: RunOptions, observer: any RunObserver) {
        self.plan = plan
        wanted = decisions.map(\.runs)
        self.folder = folder
        self.journal = journal
        self.client = client
        self.slurm = slurm
        self.options = options
        self.observer = observer
        var index: [Digest: Int] = [:]
        for u in plan.units { index[u.key] = u.index }
        indexOfKey = index
        committedAtStart = decisions.count { $0 == .done }
        summary.alreadyDone = committedAtStart
        summary.total = plan.units.count - decisions.count { $0 == .notSelected }
        summary.notSelected = decisions.count { $0 == .notSelected }
        for (i, d) in decisions.enumerated() {
            switch d {
            case .held(let why), .skippedFailed(let why):
                summary.failures.append(UnitFailureReport(unit: plan.label(of: plan.units[i]), reason: why, log: ""))
            case .blocked: summary.skipped += 1
            default: break
            }
        }
    }

    /// Polls until every wanted unit is committed or failed, or a signal stops the controller.
    func run() throws(RunError) -> RunSummary {
        while true {
            let state = try settle(try readState())
            let committed = plan.units.map { state.units[$0.key]?.committed ?? false }
            let inFlight = inFlightUnits(state)
            var eligible = wanted
            for i in failedForGood.keys { eligible[i] = false }
            let chunks = ChunkPlanner.chunks(plan: plan, wanted: eligible, committed: committed, inFlight: inFlight, size: slurm.itemsPerTask)
            if !chunks.isEmpty { try submit(chunks, state: state) }
            report(committed: committed, inFlight: inFlight.union(chunks.joined()))
            let remaining = plan.units.indices.filter { wanted[$0] && !committed[$0] }
            if remaining.isEmpty { break }
            if inFlight.isEmpty && chunks.isEmpty {
                // Nothing runs and nothing can start: what is left failed or waits on a failure.
                for i in remaining where failedForGood[i] == nil && !remaining.contains(where: { failedForGood[$0] != nil && plan.units[i].needs.contains($0) }) {
                    failedForGood[i] = "could not run on SLURM"
                }
                break
            }
            if let signal = waitForPoll() {
                summary.interruptedBy = signal
                observer.notice("stopped following the cluster (\(signalName(signal))); submitted jobs keep running. `cairn resume` follows them again; `cairn cancel` stops them")
                break
            }
        }
        let final: JournalState
        do { final = try JournalState(directory: folder.journal, repair: false) } catch { throw .journal(error) }
        let committed = plan.units.map { final.units[$0.key]?.committed ?? false }
        summary.committed = plan.units.indices.count { wanted[$0] && committed[$0] }
        for (i, why) in failedForGood.sorted(by: { $0.key < $1.key }) where !committed[i] {
            summary.failures.append(UnitFailureReport(unit: plan.label(of: plan.units[i]), reason: why, log: folder.log(step: plan.step(of: plan.units[i]).name, label: plan.itemLabel(of: plan.units[i]))))
        }
        if summary.interruptedBy != nil {
            summary.notStarted = plan.units.indices.count { wanted[$0] && !committed[$0] && failedForGood[$0] == nil }
        } else {
            summary.skipped += plan.units.indices.count { wanted[$0] && !committed[$0] && failedForGood[$0] == nil }
        }
        summary.slurmCalls = (client.sbatchCalls, client.squeueCalls, client.scontrolCalls)
        return summary
    }

    /// Units of active submissions that are not committed.
    func inFlightUnits(_ state: JournalState) -> Set<Int> {
        var out = Set<Int>()
        for name in state.submissionOrder {
            guard let s = state.submissions[name], s.active else { continue }
            for key in s.keys { if let i = indexOfKey[key], !(state.units[key]?.committed ?? false) { out.insert(i) } }
        }
        return out
    }

    func readState() throws(RunError) -> JournalState {
        do { return try JournalState(directory: folder.journal, repair: false) } catch { throw .journal(error) }
    }

    /// Learns the ids of submissions a dead controller did not journal, and ends the
    /// submissions whose jobs left the queue: their open attempts are closed as interrupted,
    /// and units that failed in them are failed for good (the worker used their retries).
    ///
    /// A job has left only when `squeue` no longer lists it and `scontrol` shows none of its
    /// tasks still pending or running (a busy controller can answer `squeue` without a job it
    /// still holds). Its units are judged on the journal as read after that: what the workers
    /// wrote before they exited is in it. Returns the journal state the caller should plan on.
    func settle(_ state: JournalState) throws(RunError) -> JournalState {
        let active = state.submissionOrder.compactMap { state.submissions[$0] }.filter(\.active)
        var ids: [String: String] = [:]
        for s in active {
            if let id = s.jobID {
                ids[s.name] = id
            } else if let id = client.jobID(named: s.name) {
                try record(.slurmSubmitted(name: s.name, jobID: id, time: now()))
                ids[s.name] = id
            } else {
                // Journaled as submitting, but SLURM never took it (the controller died before sbatch).
                try record(.slurmEnded(name: s.name, state: "NOT_SUBMITTED", time: now()))
            }
        }
        guard !ids.isEmpty, let queued = client.queued(Array(Set(ids.values)).sorted()) else { return state }
        var left: [String: [SlurmClient.TaskState]] = [:]
        for id in Set(ids.values).sorted() where queued[id] == nil {
            let tasks = client.finalStates(id)
            if !tasks.contains(where: { SlurmClient.stillQueued($0.state) }) { left[id] = tasks }
        }
        guard !left.isEmpty else { return state }
        let seen = try readState()
        for s in active {
            guard let id = ids[s.name], let tasks = left[id] else { continue }
            let state = seen
            var byTask: [String: String] = [:]
            for t in tasks { byTask[t.task] = t.state }
            let bad = tasks.first { !$0.state.hasPrefix("COMPLETED") }?.state
            let endState = bad ?? (tasks.isEmpty ? "GONE" : "COMPLETED")
            for key in s.keys {
                guard let i = indexOfKey[key], !(state.units[key]?.committed ?? false) else { continue }
                let h = state.units[key] ?? UnitHistory()
                let step = plan.step(of: plan.units[i])
                let ranHere = h.attempts > attemptsAtSubmit[i, default: h.attempts - (h.open != nil || h.interrupted ? 1 : 0)]
                if let open = h.open, state.writers[open.writer].job.hasPrefix("\(id)_") {
                    // The worker died with the unit running: SLURM's state for its task says why.
                    let task = state.writers[open.writer].job
                    let output = "\(WorkerSession.folder(of: s.name, in: folder))/task-\(task.split(separator: "_").last ?? "").out"
                    let text = FileManager.default.contents(atPath: output).map { String(decoding: $0, as: UTF8.self) } ?? ""
                    try close(i, key: key, attempt: open.attempt, end: SlurmEnd(state: byTask[task] ?? endState, output: text), step: step)
                } else if ranHere, let failure = h.lastFailure {
                    let task = h.failureWriter >= 0 ? state.writers[Int(h.failureWriter)].job : ""
                    if task.hasPrefix("\(id)_"), let taskState = byTask[task], !taskState.hasPrefix("COMPLETED") {
                        // SLURM ended the worker (over its memory, time, …) and the unit's failure
                        // with it, before the worker could retry: SLURM's state says why, and
                        // the step's retries are counted here, by submission.
                        let output = "\(WorkerSession.folder(of: s.name, in: folder))/task-\(task.split(separator: "_").last ?? "").out"
                        let text = FileManager.default.contents(atPath: output).map { String(decoding: $0, as: UTF8.self) } ?? ""
                        try close(i, key: key, attempt: h.attempts, end: SlurmEnd(state: taskState, output: text), step: step, journalIt: false)
                    } else {
                        failedForGood[i] = failure  // failed in the worker, which used the step's retries
                    }
                } else if ranHere, h.interrupted {
                    // The worker stopped it: SLURM's warning or its time limit. A checkpointing
                    // unit continues (max_restarts bounds it); others count the job's end.
                    // A worker that stops at the allocation's end exits cleanly (COMPLETED): for a
                    // unit that cannot pause, that is its time limit all the same.
                    let end = SlurmEnd(state: endState == "COMPLETED" ? "TIMEOUT" : endState)
                    if !step.checkpoint {
                        try close(i, key: key, attempt: h.attempts, end: end, step: step, journalIt: !end.interruption)
                    }
                } else if tries[i, default: 0] > step.retries + 3 {
                    failedForGood[i] = "submitted \(tries[i, default: 0]) times without running (SLURM: \(endState))"
                }
            }
            try record(.slurmEnded(name: s.name, state: endState, time: now()))
            if endState != "COMPLETED" { observer.notice("SLURM job \(id) (\(s.name)) ended: \(endState)") }
        }
        do { try journal.flush() } catch { throw .journal(error) }
        return seen
    }

    /// Ends a unit's attempt as SLURM's end state says: interrupted (not its fault) or failed
    /// with the state as reason; failed for good when SLURM's state is not worth a retry or
    /// the step's `retries` are used up.
    func close(_ i: Int, key: Digest, attempt: Int, end: SlurmEnd, step: StepSpec, journalIt: Bool = true) throws(RunError) {
        if journalIt {
            if end.interruption {
                try record(.interrupted(key: key, attempt: attempt, time: now()))
            } else {
                try record(.failed(UnitFailure(key: key, attempt: attempt, exitCode: -1, durationMs: 0, time: now(), reason: end.reason)))
            }
        }
        if !end.retry || tries[i, default: 0] > step.retries { failedForGood[i] = end.reason }
    }

    /// Writes the job script and chunk files, journals the submission durably, submits it as one
    /// array job, and journals the job id.
    func submit(_ chunks: [[Int]], state: JournalState) throws(RunError) {
        let name = "cairn-\(plan.pipeline.name)-\(String(format: "%08x", UInt32.random(in: 0...UInt32.max)))"
        let dir = WorkerSession.folder(of: name, in: folder)
        guard RawPath.makeDirectories(dir) == 0 else { throw RunError("cannot create \(dir)") }
        var keys: [Digest] = []
        for (t, chunk) in chunks.enumerated() {
            let text = chunk.map { plan.units[$0].key.hex }.joined(separator: "\n") + "\n"
            guard FileManager.default.createFile(atPath: "\(dir)/chunk-\(t)", contents: Data(text.utf8)) else {
                throw RunError("cannot write \(dir)/chunk-\(t)")
            }
            keys += chunk.map { plan.units[$0].key }
        }
        let script = """
            #!/bin/sh
            # written by cairn: one array task runs one chunk of \(name)
            # SLURM's warning (USR1) must not kill the task before cairn's handler is in place:
            # ignored until exec, then cairn installs its handler first thing.
            trap '' USR1
            exec \(ShellQuote.quote(slurm.executable)) worker \(ShellQuote.quote(folder.path)) --submission \(ShellQuote.quote(name))

            """
        guard FileManager.default.createFile(atPath: "\(dir)/job.sh", contents: Data(script.utf8), attributes: [.posixPermissions: 0o755]) else {
            throw RunError("cannot write \(dir)/job.sh")
        }
        for chunk in chunks {
            for i in chunk {
                tries[i, default: 0] += 1
                attemptsAtSubmit[i] = state.units[plan.units[i].key]?.attempts ?? 0
            }
        }
        try record(.slurmSubmitting(name: name, keys: keys, time: now()))
        do { try journal.flush() } catch { throw .journal(error) }
        let id = try client.submit(script: "\(dir)/job.sh", name: name, tasks: chunks.count, output: "\(dir)/task-%a.out", arguments: slurm.sbatchArguments(plan: plan, chunks: chunks))
        try record(.slurmSubmitted(name: name, jobID: id, time: now()))
        do { try journal.flush() } catch { throw .journal(error) }
        observer.notice("submitted \(keys.count) unit(s) as SLURM array job \(id) (\(chunks.count) task(s))")
    }

    func record(_ r: JournalRecord) throws(RunError) {
        do { _ = try journal.append(r) } catch { throw .journal(error) }
    }

    func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Sleeps one poll interval; returns a stopping signal if one came (SIGUSR1 is ignored here).
    func waitForPoll() -> Int32? {
        let deadline = MonotonicClock.now() + slurm.pollInterval
        while true {
            let left = deadline - MonotonicClock.now()
            if left <= 0 { return nil }
            guard let fd = options.signalFD else { usleep(useconds_t(min(left, 1) * 1_000_000)); continue }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, Int32(left * 1000) + 1) > 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                let n = read(fd, &buffer, buffer.count)
                if n > 0, let stop = buffer[0..<n].map({ Int32($0) }).first(where: { $0 != SIGUSR1 }) { return stop }
            }
        }
    }

    /// Progress per step: committed, and in flight on the cluster (shown as running).
    func report(committed: [Bool], inFlight: Set<Int>) {
        var steps = plan.pipeline.steps.map { StepProgress(name: $0.name) }
        for u in plan.units where wanted[u.index] || committed[u.index] {
            steps[u.step].total += 1
            if committed[u.index] { steps[u.step].committed += 1 } else if inFlight.contains(u.index) { steps[u.step].running += 1 }
        }
        observer.progress(RunProgress(steps: plan.stepOrder.map { steps[$0] }, elapsed: MonotonicClock.now() - started, stopping: false), final: false)
    }
}
