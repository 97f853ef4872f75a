import CairnCore
import CairnExecutor
import CairnJournal
import Foundation
import Synchronization

/// Runs a plan's uncommitted units through an executor, journaling every attempt.
///
/// The loop: release due retries, start ready units up to the executor's slots, wait for an
/// event (a unit ended, the journal made records durable, a signal, a deadline), handle it.
/// A unit counts as committed, and its dependents may start, only once its commit record is
/// durable. A unit that fails for good skips its dependents; everything else goes on.
final class Runner {
    struct Attempt {
        var number: Int
        var staged: [String]
        var log: String
        var started: Double
        var pid: Int32
        /// GPU ids handed to it (given back when it ends).
        var gpus: [String] = []
        /// Where this attempt's output starts in the unit's log (all attempts append to it).
        var logOffset: Int64 = 0
        /// The output paths as the command saw them (`{out.NAME}`).
        var shown: [String] = []
    }

    let plan: Plan
    /// Other runs' committed units (units decided "reused" take their outputs from there).
    let cache: ResultCache
    let decisions: [UnitDecision]
    /// The folder units run in (the pipeline folder).
    let workingDirectory: String
    /// For `--oneshot`: the folder outputs go to instead of the pipeline folder.
    let scratch: String?
    let folder: RunFolder
    let journal: SegmentWriter
    let executor: any Executor
    let watch: DurabilityWatch
    let options: RunOptions
    let observer: any RunObserver
    let staging: Staging
    var command: UnitCommand
    let wallClock: @Sendable () -> Date
    let attemptPrefix: String

    var scheduler: Scheduler
    let history: [Digest: UnitHistory]
    var attempts: [Int: Attempt] = [:]
    var sessionAttempts: [Int: Int] = [:]
    var awaitingDurability: [(sequence: UInt64, unit: Int)] = []
    var progress: RunProgress
    var summary = RunSummary()
    var stopping = false
    var attemptCounter = 0
    var faults = FaultInjection()
    /// Resources the running units hold.
    var use = ResourceUse(freeGPUs: [])
    /// When the session must stop (`--time-limit`, or a SLURM allocation's end), monotonic.
    var timeDeadline: Double?
    /// Per step: the median of committed durations (s), for units without `resources.time`.
    var medianDuration: [Double?] = []
    /// Units not started because they would not finish before the deadline (with dependents).
    var postponed = 0
    /// Called every ``RunLock/renewInterval`` seconds (renews the run lock's lease).
    var heartbeat: () -> Void = {}
    var lastHeartbeat = MonotonicClock.now()
    let started = MonotonicClock.now()

    init(
        plan: Plan, decisions: [UnitDecision], cache: ResultCache = ResultCache(), folder: RunFolder, root: String, scratch: String? = nil, history: [Digest: UnitHistory], journal: SegmentWriter,
        executor: any Executor, watch: DurabilityWatch, options: RunOptions, observer: any RunObserver,
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) throws(RunError) {
        self.plan = plan
        self.cache = cache
        self.decisions = decisions
        self.folder = folder
        self.history = history
        self.journal = journal
        self.executor = executor
        self.watch = watch
        self.options = options
        self.observer = observer
        self.wallClock = wallClock
        self.staging = Staging(root: scratch ?? root)
        self.workingDirectory = root
        self.scratch = scratch
        // The segment's whole name (number, host, pid): SLURM workers open segments at the same
        // moment, may get the same number, and must never share a staging folder.
        self.attemptPrefix = ((journal.path as NSString).lastPathComponent as NSString).deletingPathExtension
        do {
            command = try UnitCommand(plan: plan, runDirectory: folder.path, baseEnvironment: ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }.sorted())
        } catch { throw .pipeline(error) }
        if let scratch {
            // Inputs made in this trial run are in the scratch folder; the rest are committed outputs.
            let made = Set(plan.units.filter { decisions[$0.index].runs }.flatMap(\.outputs))
            command.inputPath = { made.contains($0) ? "\(scratch)/\($0)" : $0 }
        }
        let include = decisions.map(\.runs)
        scheduler = Scheduler(plan: plan, include: include)
        var steps = plan.pipeline.steps.map { StepProgress(name: $0.name) }
        var start = RunSummary()
        for unit in plan.units {
            switch decisions[unit.index] {
            case .notSelected: start.notSelected += 1; continue
            case .waiting: start.waiting += 1; continue
            case .done: steps[unit.step].alreadyDone += 1; start.alreadyDone += 1
            case .held(let why), .skippedFailed(let why):
                steps[unit.step].failed += 1
                start.failures.append(UnitFailureReport(unit: plan.label(of: unit), reason: why, log: ""))
            case .blocked: steps[unit.step].skipped += 1; start.skipped += 1
            case .run: break
            }
            steps[unit.step].total += 1
        }
        start.total = plan.units.count - start.notSelected - start.waiting
        if options.selection.narrowsItems {
            let allowed = options.selection.itemsAllowed(in: plan)
            start.itemsSelected = (allowed.count { $0 }, allowed.count)
        }
        progress = RunProgress(steps: plan.stepOrder.map { steps[$0] }, elapsed: 0, stopping: false)
        stepSlot = [Int](repeating: 0, count: plan.pipeline.steps.count)
        for (slot, s) in plan.stepOrder.enumerated() { stepSlot[s] = slot }
        summary = start
        use = ResourceUse(freeGPUs: options.budget.gpus)
        var ends: [Double] = []
        if let limit = options.timeLimit { ends.append(MonotonicClock.now() + limit) }
        if let end = options.allocationEnd { ends.append(MonotonicClock.now() + (end - Date().timeIntervalSince1970)) }
        timeDeadline = ends.min()
        medianDuration = Self.medians(plan: plan, history: history)
        for step in plan.pipeline.steps {
            try? FileManager.default.createDirectory(atPath: "\(folder.logs)/\(step.name)", withIntermediateDirectories: true)
        }
    }

    var stepSlot: [Int]

    /// Which units are committed now: before this session, or in it.
    var committedUnits: [Bool] {
        plan.units.map { decisions[$0.index] == .done || scheduler.states[$0.index] == .done }
    }

    /// Runs until every unit is committed, failed or skipped, or the run is stopped.
    func run() -> RunSummary {
        while true {
            // Due retries become ready; `deadline` is when the next one will.
            var deadline = stopping ? nil : scheduler.release(now: MonotonicClock.now())
            dispatch: while !stopping, executor.runningCount < executor.slots, let unit = scheduler.next() {
                switch admit(unit) {
                case .start: launch(unit)
                case .later:
                    scheduler.requeue(unit)  // waits for resources to free up
                    break dispatch
                case .postponed: continue
                }
            }
            if let end = timeDeadline, !stopping, MonotonicClock.now() >= end { timeUp("the time limit") }
            if let end = timeDeadline, !stopping { deadline = min(deadline ?? end, end) }
            settleDurable()
            let idle = executor.runningCount == 0 && awaitingDurability.isEmpty
            if idle && (stopping || scheduler.isFinished) { break }
            if idle && deadline == nil && scheduler.readyCount == 0 { break }
            if let error = journal.error, !awaitingDurability.isEmpty {
                // Nothing awaited will become durable now; units still running must be reaped,
                // so fall through to the wait rather than looping here.
                fatal("\(error)")
                awaitingDurability = []
            }
            let wanted = durabilityWanted()
            watch.wanted.store(wanted, ordering: .releasing)
            if wanted != 0 && journal.durableSequence >= wanted { continue }
            let beat = lastHeartbeat + RunLock.renewInterval
            if MonotonicClock.now() >= beat {
                heartbeat()
                lastHeartbeat = MonotonicClock.now()
            }
            deadline = min(deadline ?? beat, beat)
            if let refresh = observer.refreshInterval {
                let next = MonotonicClock.now() + refresh
                deadline = min(deadline ?? next, next)
            }
            let events = executor.wait(until: deadline)
            for signal in events.signals { handle(signal: signal) }
            for completion in events.completions { finish(completion) }
            settleDurable()
            report(final: false)
        }
        do { try journal.flush() } catch { fatal("\(error)") }
        settleDurable()
        summary.notStarted = scheduler.states.count { $0 == .ready || $0 == .waiting || $0 == .delayed } + postponed
        report(final: true)
        staging.removeEmptyStagingFolders(outputs: plan.units.lazy.flatMap(\.outputs))
        return summary
    }

    // MARK: - Starting

    func launch(_ index: Int) {
        if decisions[index].reuses, let source = cache.source(of: plan.units[index].key), adopt(index, from: source) { return }
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        let number = (history[unit.key]?.attempts ?? 0) + (sessionAttempts[index] ?? 0) + 1
        sessionAttempts[index, default: 0] += 1
        attemptCounter += 1
        let attemptID = "\(attemptPrefix)-\(attemptCounter)"
        let log = folder.log(step: step.name, label: plan.itemLabel(of: unit))
        do throws(RunError) {
            if step.checkpoint {
                let restarts = history[unit.key]?.interruptions ?? 0
                guard restarts <= step.maxRestarts else {
                    throw RunError("was stopped and continued \(restarts) times, more than max_restarts (\(step.maxRestarts)); raise max_restarts or look at why it does not finish", exitCode: 1)
                }
                _ = RawPath.makeDirectories(command.checkpointFolder(unit))
            }
            let staged = try staging.prepare(unit.outputs, attempt: attemptID)
            let rendered: (command: String, environment: [String])
            let shown = scratch.map { root in staged.map { "\(root)/\($0)" } } ?? staged
            do { rendered = try command.render(unit, attempt: number, staged: shown) } catch {
                throw RunError("cannot render the command: \(error)", exitCode: 1)
            }
            let resources = step.resources
            var environment = rendered.environment
            let gpus = use.take(resources)
            if !options.budget.gpus.isEmpty { environment.append("CUDA_VISIBLE_DEVICES=\(gpus.joined(separator: ","))") }
            var job = Job(id: index, command: rendered.command, environment: environment,
                          workingDirectory: workingDirectory, logPath: log, timeout: step.timeout, grace: options.grace)
            job.stopSignal = Self.signalNumber(step.stopSignal)
            let logOffset = step.metrics == nil ? 0 : Self.size(of: log)
            let pid: Int32
            do { pid = try executor.start(job) } catch {
                use.give(resources, gpus: gpus)
                throw RunError("\(error)", machineFault: error.code.map(isMachineFault) ?? false)
            }
            faults.unitSpawned()
            attempts[index] = Attempt(number: number, staged: staged, log: log, started: MonotonicClock.now(), pid: pid, gpus: gpus,
                                      logOffset: logOffset, shown: shown)
            append(.attemptStarted(key: unit.key, attempt: number, pid: pid, startTicks: ProcessTable.startTicks(of: pid) ?? 0, time: now()))
            progress.steps[stepSlot[unit.step]].running += 1
        } catch {
            if error.isMachineFault {
                scheduler.requeue(index)
                sessionAttempts[index, default: 1] -= 1
                fatal("\(plan.label(of: unit)) could not start: \(error.description); free space or fix the folder, then run `cairn resume`")
                return
            }
            attempts[index] = Attempt(number: number, staged: [], log: log, started: MonotonicClock.now(), pid: 0)
            fail(index, exitCode: -1, duration: 0, reason: error.description, allowRetry: false)
        }
    }

    // MARK: - Ending

    func finish(_ completion: JobCompletion) {
        let index = completion.id
        guard let attempt = attempts[index] else { return }
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        use.give(step.resources, gpus: attempt.gpus)
        progress.steps[stepSlot[unit.step]].running -= 1
        removeIfEmpty(attempt.log)
        // A stopped checkpointing unit paused, whatever its exit status: it continues next time.
        if completion.stopped && (step.checkpoint || !(completion.termination == .exited(0))) {
            interrupted(index, attempt)
            return
        }
        if completion.timedOut {
            let limit = step.timeout.map { Self.seconds($0) } ?? "?"
            fail(index, exitCode: completion.exitCode, duration: completion.duration, reason: "timed out after \(limit); stopped its process group", allowRetry: true)
            return
        }
        guard completion.termination == .exited(0) else {
            let reason: String
            switch completion.termination {
            case .exited(let code): reason = "exited with code \(code)"
            case .signaled(let signal): reason = "killed by signal \(signal) (\(signalName(signal)))"
            }
            fail(index, exitCode: completion.exitCode, duration: completion.duration, reason: reason, allowRetry: true)
            return
        }
        let metrics: [Metric]
        switch self.metrics(of: index, attempt) {
        case .success(let m): metrics = m
        case .failure(let error):
            fail(index, exitCode: 0, duration: completion.duration, reason: error.description, allowRetry: true)
            return
        }
        let outputs: [OutputDigest]
        do {
            outputs = try staging.commit(outputs: unit.outputs, staged: attempt.staged, names: step.outputs.map(\.name))
        } catch {
            if error.fatal {
                interrupted(index, attempt)
                fatal("\(plan.label(of: unit)): \(error.reason); free space or fix the folder, then run `cairn resume`")
                return
            }
            fail(index, exitCode: 0, duration: completion.duration, reason: error.reason, allowRetry: true)
            return
        }
        attempts[index] = nil
        faults.outputsRenamed()
        if let covered = plan.itemsCovered(by: unit), covered < plan.items.count {
            _ = append(.partial(key: unit.key, step: step.name, items: covered, total: plan.items.count))
        }
        let commit = UnitCommit(key: unit.key, attempt: attempt.number, exitCode: 0,
                                durationMs: Int64(completion.duration * 1000), time: now(), outputs: outputs, metrics: metrics)
        if let sequence = append(.committed(commit)) {
            awaitingDurability.append((sequence, index))
        }
    }

    /// Closes an attempt that Cairn stopped (interrupt, machine fault): not a failure of the unit.
    func interrupted(_ index: Int, _ attempt: Attempt) {
        staging.discard(attempt.staged)
        attempts[index] = nil
        append(.interrupted(key: plan.units[index].key, attempt: attempt.number, time: now()))
        summary.interruptedAttempts += 1
    }

    func fail(_ index: Int, exitCode: Int, duration: Double, reason: String, allowRetry: Bool) {
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        let attempt = attempts.removeValue(forKey: index)
        staging.discard(attempt?.staged ?? [])
        let number = attempt?.number ?? 0
        append(.failed(UnitFailure(key: unit.key, attempt: number, exitCode: exitCode,
                                   durationMs: Int64(duration * 1000), time: now(), reason: reason)))
        let used = sessionAttempts[index] ?? 1
        let report = UnitFailureReport(unit: plan.label(of: unit), reason: "attempt \(number) \(reason)", log: attempt?.log ?? "")
        if allowRetry, !stopping, used <= step.retries {
            let delay = min(600, step.retryBackoff * pow(2, Double(used - 1)))
            scheduler.retry(index, at: MonotonicClock.now() + delay)
            observer.unitFailed(report, retrying: true)
            return
        }
        let skipped = scheduler.failed(index)
        for s in skipped { progress.steps[stepSlot[plan.units[s].step]].skipped += 1 }
        progress.steps[stepSlot[unit.step]].failed += 1
        summary.failures.append(report)
        summary.skipped += skipped.count
        observer.unitFailed(report, retrying: false)
        if options.failFast && !stopping {
            stopping = true
            observer.notice("--fail-fast: a unit failed; starting no more units and letting running ones finish")
        }
    }

    /// The journal sequence number worth waking up for: the first commit something depends on,
    /// or, when nothing runs, the last commit awaited. 0 for none.
    func durabilityWanted() -> UInt64 {
        guard !awaitingDurability.isEmpty else { return 0 }
        if executor.runningCount == 0 { return awaitingDurability.last!.sequence }
        return awaitingDurability.first { scheduler.hasDependents($0.unit) }?.sequence ?? 0
    }

    /// Marks units whose commit records are now durable as committed.
    func settleDurable() {
        guard !awaitingDurability.isEmpty else { return }
        let durable = journal.durableSequence
        var kept: [(sequence: UInt64, unit: Int)] = []
        for entry in awaitingDurability {
            if entry.sequence <= durable {
                scheduler.succeeded(entry.unit)
                progress.steps[stepSlot[plan.units[entry.unit].step]].committed += 1
                summary.committed += 1
            } else {
                kept.append(entry)
            }
        }
        awaitingDurability = kept
        if let error = journal.error, !kept.isEmpty { fatal("\(error)") ; awaitingDurability = [] }
    }

    // MARK: - Signals

    func handle(signal: Int32) {
        if signal == SIGUSR1 && options.usr1Stops {
            timeUp("SLURM's warning before the time limit (USR1)")
            return
        }
        if signal == SIGUSR1 {
            let now = MonotonicClock.now()
            let running = attempts.sorted { $0.key < $1.key }.map { (plan.label(of: plan.units[$0.key]), now - $0.value.started) }
            observer.statusRequested(running: running, progress: snapshotProgress())
            return
        }
        if summary.interruptedBy == nil {
            summary.interruptedBy = signal
            stopping = true
            executor.stopAll(grace: options.grace)
            observer.notice("\(signalName(signal)) received: starting no more units, stopping \(executor.runningCount) running (KILL after \(Self.seconds(options.grace))); send it again (Ctrl-C) to kill them now")
        } else {
            executor.killAll()
            observer.notice("second \(signalName(signal)): killing running units now")
        }
    }

    // MARK: - Helpers

    @discardableResult
    func append(_ record: JournalRecord) -> UInt64? {
        do { return try journal.append(record) } catch {
            fatal("\(error)")
            return nil
        }
    }

    func fatal(_ message: String) {
        guard summary.fatal == nil else { return }
        summary.fatal = message
        stopping = true
        executor.stopAll(grace: options.grace)
        observer.notice("stopping: \(message)")
    }

    func now() -> Int64 { Int64(wallClock().timeIntervalSince1970 * 1000) }

    func snapshotProgress() -> RunProgress {
        var p = progress
        p.elapsed = MonotonicClock.now() - started
        p.stopping = stopping
        return p
    }

    func report(final: Bool) {
        observer.progress(snapshotProgress(), final: final)
    }

    func removeIfEmpty(_ log: String) {
        var info = stat()
        if stat(log, &info) == 0, info.st_size == 0 { unlink(log) }
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s))s" : String(format: "%.1fs", s)
    }

    static func signalNumber(_ name: String) -> Int32 {
        switch name {
        case "INT": SIGINT
        case "HUP": SIGHUP
        case "QUIT": SIGQUIT
        case "USR1": SIGUSR1
        case "USR2": SIGUSR2
        case "KILL": SIGKILL
        default: SIGTERM
        }
    }
}

/// A signal's conventional name (`SIGINT`), for messages.
public func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGINT: "SIGINT"
    case SIGTERM: "SIGTERM"
    case SIGHUP: "SIGHUP"
    case SIGKILL: "SIGKILL"
    case SIGUSR1: "SIGUSR1"
    case SIGSEGV: "SIGSEGV"
    case SIGABRT: "SIGABRT"
    case SIGPIPE: "SIGPIPE"
    default: "signal \(signal)"
    }
}
