import CCairnSystem
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
        /// The unit's log; nil for an in-process attempt until asked for (see ``Runner/logFile(of:)``).
        var log: String?
        var started: Double
        /// GPU ids handed to it (given back when it ends).
        var gpus: [String] = []
        /// Where this attempt's output starts in the unit's log (all attempts append to it).
        var logOffset: Int64 = 0
        /// The output paths as the command saw them (`{out.NAME}`).
        var shown: [String] = []
    }

    /// An attempt that succeeded, whose outputs the committer is placing.
    struct Committing {
        var attempt: Attempt
        var duration: Double
        var metrics: [Metric]
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
    /// What in-process attempts share (their contexts and log paths are built from it).
    let closureAttempts: ClosureAttempts
    let wallClock: @Sendable () -> Date
    let attemptPrefix: String

    var scheduler: Scheduler
    let history: UnitTable
    var attempts: [Int: Attempt] = [:]
    /// Attempts started in this session, by unit index.
    var sessionAttempts: [Int32]
    /// Whether anything waits for each unit (its commit's durability is awaited early).
    let withDependents: [Bool]
    var awaitingDurability = DurabilityQueue()
    /// Places succeeded attempts' outputs off this thread.
    let committer: OutputCommitter
    var committing: [Int: Committing] = [:]
    /// Emptied attempt folders, reused by later attempts.
    var spareStaging = SpareStagingFolders()
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
        plan: Plan, decisions: [UnitDecision], cache: ResultCache = ResultCache(), folder: RunFolder, root: String, scratch: String? = nil, history: UnitTable, journal: SegmentWriter,
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
        // Enough threads for the fsyncs of a batch of units to overlap.
        self.committer = OutputCommitter(staging: staging, threads: min(max(executor.slots, 2), 8), waker: executor.waker)
        self.workingDirectory = root
        self.scratch = scratch
        self.closureAttempts = ClosureAttempts(plan: plan, run: folder, root: root)
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
        let scheduler = Scheduler(plan: plan, include: include)
        self.scheduler = scheduler
        withDependents = scheduler.unitsWithDependents
        sessionAttempts = [Int32](repeating: 0, count: plan.units.count)
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
        // Only a time limit asks what a unit usually takes (a pass over every unit's history).
        medianDuration = timeDeadline == nil ? [] : Self.medians(plan: plan, history: history)
        for step in plan.pipeline.steps {
            try? FileManager.default.createDirectory(atPath: "\(folder.logs)/\(step.name)", withIntermediateDirectories: true)
        }
    }

    var stepSlot: [Int]

    /// The log file of unit `index` (every attempt appends to it).
    func logFile(of index: Int) -> String { closureAttempts.logPath(of: index) }

    /// Which units are committed now: before this session, or in it.
    var committedUnits: [Bool] {
        plan.units.map { decisions[$0.index] == .done || scheduler.states[$0.index] == .done }
    }

    /// Runs until every unit is committed, failed or skipped, or the run is stopped.
    func run() -> RunSummary {
        // While the loop runs, every signal goes through the pipe (a second one kills running
        // units and is journaled); before and after it, a second one ends the process at once.
        cairn_signal_hold()
        defer { cairn_signal_release() }
        // Signals that came while the session planned stop it before its first unit starts.
        for signal in executor.wait(until: MonotonicClock.now()).signals { handle(signal: signal) }
        while true {
            // Due retries become ready; `deadline` is when the next one will.
            var deadline = stopping ? nil : scheduler.release(now: MonotonicClock.now())
            // At most `slots` units whose outputs are still being placed: what a crash can cost
            // beyond the running units (their work is done, their commits not yet journaled).
            dispatch: while !stopping, executor.runningCount < executor.slots, committer.pending < executor.slots,
                            let unit = scheduler.next() {
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
            collectCommits()
            settleDurable()
            let idle = executor.runningCount == 0 && committer.pending == 0 && awaitingDurability.isEmpty
            if idle && (stopping || scheduler.isFinished) { break }
            if idle && deadline == nil && scheduler.readyCount == 0 { break }
            if let error = journal.error, !awaitingDurability.isEmpty {
                // Nothing awaited will become durable now; units still running must be reaped,
                // so fall through to the wait rather than looping here.
                fatal("\(error)")
                awaitingDurability.removeAll()
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
            for end in events.ends { finish(end) }
            collectCommits()
            settleDurable()
            report(final: false)
        }
        committer.close()
        do { try journal.flush() } catch { fatal("\(error)") }
        settleDurable()
        summary.notStarted = scheduler.states.count { $0 == .ready || $0 == .waiting || $0 == .delayed } + postponed
        report(final: true)
        staging.removeSpare(spareStaging)
        staging.removeEmptyStagingFolders(outputs: plan.units.lazy.flatMap(\.outputs))
        return summary
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
        // Only a display that redraws on a clock shows it (a label is built for one unit).
        if observer.refreshInterval != nil, let oldest = attempts.min(by: { $0.value.started < $1.value.started }) {
            p.slowest = (plan.label(of: plan.units[oldest.key]), MonotonicClock.now() - oldest.value.started)
        }
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
