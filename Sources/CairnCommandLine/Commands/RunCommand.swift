import ArgumentParser
import CairnCore
import CairnJournal
import CairnRun

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Plan, show and run a pipeline; committed units are skipped.",
        discussion: "Re-running a pipeline whose units are committed skips them and re-runs units that failed or were interrupted. Given a folder, runs every runnable pipeline file below it, parents before the pipelines that extend them. `cairn batch` is another name for `cairn run`.",
        aliases: ["batch"])

    @Argument(help: DeclaredProgram.pipelineArgumentHelp)
    var pipeline: String

    @Option(help: "The run folder (default: .cairn/runs/<name> beside the pipeline file).")
    var runDir: String?

    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var overrides: OverrideOptions
    @OptionGroup var executor: ExecutorOptions

    @Flag(help: "A trial: run the selected units (committed or not) into a scratch folder, commit nothing, leave the run untouched.")
    var oneshot = false

    @Flag(help: "Create the run folder and its snapshot and stage every trial without running anything; `cairn resume` (or `cairn resume --all`, for every staged run in turn) runs them.")
    var stage = false

    @Flag(help: "Start the run in the background, in its own session (logging out does not stop it), with its output in the run folder's controller.log; follow it with `cairn status --watch`.")
    var detach = false

    func run() throws {
        if RawPathCheck.isDirectory(pipeline) {
            if oneshot { throw ValidationError("--oneshot takes one pipeline file, not a folder") }
            if try overrides.overrides() != nil { throw ValidationError("--set and --max-trials take one pipeline file, not a folder") }
            let code = try Batch(folder: pipeline, selection: selection).run(execution: execution, runDir: runDir)
            if code != 0 { throw ExitCode(code) }
            return
        }
        let changes = try overrides.overrides()
        let loaded = try DeclaredProgram.load(pipeline, overrides: changes)
        var snapshot = loaded.snapshot
        snapshot.scope = try selection.scope()
        snapshot.slurm = executor.slurm(stored: nil)
        let folder = runDir.map(RunFolder.init) ?? loaded.folder
        if selection.aggregateOnly && !selection.narrowsItems, folder.exists, let stored = try? Snapshot.read(folder) {
            snapshot.scope = stored.scope  // a statistics pass over a shard stays that shard
        }
        if detach {
            try Detach.start(folder: folder)
            return
        }
        if oneshot && snapshot.slurm != nil { throw ValidationError("--oneshot runs here; leave out --executor slurm") }
        if stage {
            guard try selection.selection() == RunSelection(), !oneshot else {
                throw ValidationError("--stage stages the whole trial set; narrow it with --set or --max-trials instead of a selection")
            }
            let staged = try StagedRun.create(snapshot: snapshot, folder: folder)
            let printer = PlanPrinter(explanation: staged, folder: folder, color: Terminal.standardOutput.color)
            Terminal.standardOutput.line(printer.summary())
            Terminal.standardOutput.line("staged: \(staged.counts.run) unit(s) of \(staged.plan.items.count) trial(s) in \(Terminal.relative(folder.path)); `cairn resume \(Terminal.relative(folder.path))` runs them (`cairn resume --all` runs every staged run in turn)")
            return
        }
        let code = try Execute.session(snapshot: snapshot, folder: folder, options: execution, selection: selection, oneshot: oneshot)
        if code != 0 { throw ExitCode(code) }
    }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run from its stored snapshot.",
        discussion: "With no argument, continues the most recently active unfinished run below the current folder (with --set or --force, the latest run even if complete). RUN is a run folder, a pipeline file, or a run name. `--set NAME=VALUE` restarts the run with changed values and stores them: trials the change drops are kept as orphaned (`cairn trials --all`), and only new trials run.")

    @Argument(help: ArgumentHelp("The run to continue.", valueName: "RUN"))
    var target: String?

    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var overrides: OverrideOptions
    @OptionGroup var executor: ExecutorOptions

    @Flag(help: "If the pipeline file changed since the run started, run the current file instead of the stored snapshot.")
    var useCurrent = false

    @Flag(help: "Continue in the background, in its own session, logging to the run folder's controller.log.")
    var detach = false

    @Flag(help: "Run every staged or unfinished run below the current folder, one after another (oldest first); stops at an interrupt.")
    var all = false

    func validate() throws {
        if all && (target != nil || detach) { throw ValidationError("--all runs every unfinished run below this folder; leave out RUN and --detach") }
    }

    func run() throws {
        if all {
            let code = try resumeAll()
            if code != 0 { throw ExitCode(code) }
            return
        }
        let changes = try overrides.overrides()
        // A restart with changed values (--set) or forced units may take up a complete run: the latest one.
        let restart = changes != nil || !selection.force.isEmpty || selection.forceAll
        let folder: RunFolder
        var inspected: RunInspector?
        if target == nil, !restart {
            guard let unfinished = try RunTarget.unfinished() else {
                Terminal.standardOutput.line("every run below this folder is complete; nothing to resume")
                return
            }
            folder = unfinished.folder
            inspected = detach ? nil : unfinished
        } else {
            folder = try RunTarget.resolve(target, preferUnfinished: !restart)
        }
        if detach {
            try Detach.start(folder: folder)
            return
        }
        let code = try resume(folder, changes: changes, inspected: inspected)
        if code != 0 { throw ExitCode(code) }
    }

    /// Every unfinished run below the current folder, oldest activity first; the first
    /// failing exit code, or an interrupt's at once.
    func resumeAll() throws -> Int32 {
        let changes = try overrides.overrides()
        let queue = RunCatalog.find(under: ".").reversed().filter { !((try? RunInspector(folder: $0.folder))?.isComplete ?? true) }
        guard !queue.isEmpty else {
            Terminal.standardOutput.line("every run below this folder is complete; nothing to resume")
            return 0
        }
        var worst: Int32 = 0
        for entry in queue {
            Terminal.standardOutput.line("== \(Terminal.relative(entry.folder.path))")
            let code = try resume(entry.folder, changes: changes)
            if code > 128 || code == 124 { return code }
            if worst == 0 { worst = code }
        }
        return worst
    }

    /// Resumes one run folder; its exit code. `inspected` is a read of it just made.
    func resume(_ folder: RunFolder, changes: Overrides?, inspected: RunInspector? = nil) throws -> Int32 {
        var snapshot = try Snapshot.read(folder)
        if let declared = try DeclaredProgram.resumable(snapshot, folder: folder) {
            snapshot = declared
        } else if let current = try PipelineChange.check(stored: snapshot, folder: folder, verify: selection.verify) {
            Terminal.standardError.write(current.report(using: useCurrent))
            if useCurrent {
                let stored = snapshot.slurm, scope = snapshot.scope
                snapshot = current.snapshot
                snapshot.slurm = stored
                snapshot.scope = scope
            }
        }
        if let changes { snapshot = try snapshot.overriding(changes) }
        if selection.shard != nil { snapshot.scope = try selection.scope() }
        snapshot.slurm = executor.slurm(stored: snapshot.slurm)
        return try Execute.session(snapshot: snapshot, folder: folder, options: execution, selection: selection, inspected: inspected)
    }
}

/// The part `run` and `resume` share.
enum Execute {
    static func session(snapshot: Snapshot, folder: RunFolder, options: ExecutionOptions, selection: SelectionOptions, workspace: [String] = [], oneshot: Bool = false,
                        inspected: RunInspector? = nil) throws -> Int32 {
        let terminal = Terminal.standardError
        let progress = ProgressPrinter(terminal: terminal, quiet: options.quiet)
        var runOptions = options.runOptions()
        runOptions.selection = try selection.selection(within: snapshot.scope)
        runOptions.verify = selection.verify
        runOptions.fresh = selection.fresh
        runOptions.workspace = workspace
        runOptions.closures = DeclaredProgram.current?.closures ?? ClosureSteps()
        runOptions.inspected = inspected
        let show = { (explanation: Explanation, _: JournalState) in
            if !options.quiet {
                let printer = PlanPrinter(explanation: explanation, folder: folder, color: Terminal.standardOutput.color)
                Terminal.standardOutput.line(printer.summary())
                Terminal.standardOutput.write(printer.reasons(limit: 8))
            }
        }
        let summary: RunSummary
        if runOptions.selection.aggregateOnly && (oneshot || snapshot.slurm != nil || snapshot.pipeline.optimizer != nil) {
            throw RunError.usage("--aggregate-only runs the aggregates here, in this run; leave out --oneshot and --executor slurm (and it does not apply to an optimizer's rounds)")
        }
        if snapshot.pipeline.optimizer != nil {
            guard !oneshot, snapshot.slurm == nil else {
                throw RunError.usage("a pipeline with an optimizer runs here, round by round; leave out --oneshot and --executor slurm")
            }
            summary = try OptimizerSession.execute(snapshot: snapshot, folder: folder, options: runOptions, observer: progress, beforeRun: show)
        } else if oneshot {
            summary = try OneshotSession.execute(snapshot: snapshot, folder: folder, options: runOptions, observer: progress, beforeRun: show)
        } else if let slurm = snapshot.slurm {
            summary = try SlurmSession.execute(snapshot: snapshot, folder: folder, options: runOptions, slurm: slurm, observer: progress, beforeRun: show)
        } else {
            summary = try RunSession.execute(snapshot: snapshot, folder: folder, options: runOptions, observer: progress, beforeRun: show)
        }
        Terminal.standardOutput.line(SummaryPrinter(summary: summary, folder: folder, color: Terminal.standardOutput.color).text())
        return summary.exitCode
    }
}
