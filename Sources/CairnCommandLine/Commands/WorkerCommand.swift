import ArgumentParser
import CairnRun
import Foundation

/// One SLURM array task of a run (started by the job scripts `--executor slurm` submits).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one SLURM array task's chunk of units (used by --executor slurm).",
        shouldDisplay: false)

    @Argument(help: "The run folder.")
    var runDir: String

    @Option(help: "The submission (SLURM job name) whose chunk to run.")
    var submission: String

    @Option(help: "The chunk (default: $SLURM_ARRAY_TASK_ID).")
    var task: Int?

    @Option(help: "Seconds between TERM and KILL when stopping units.")
    var grace: Double = 10

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        guard let task = task ?? env["SLURM_ARRAY_TASK_ID"].flatMap({ Int($0) }) else {
            throw ValidationError("no chunk: give --task N or run inside a SLURM array task")
        }
        let job = "\(env["SLURM_ARRAY_JOB_ID"] ?? env["SLURM_JOB_ID"] ?? "local")_\(task)"
        var options = ExecutionOptions.parseOrExit([]).runOptions()
        options.grace = grace
        options.jobs = Int(env["SLURM_CPUS_PER_TASK"] ?? "") ?? 1
        options.budget = WorkerSession.budget(environment: env)
        let progress = ProgressPrinter(terminal: Terminal.standardError, quiet: true)
        let summary = try WorkerSession.execute(run: RunFolder(path: RunFolder.absolute(runDir)), submission: submission, task: task,
                                                job: job, options: options, observer: progress)
        Terminal.standardOutput.line("worker \(job): \(summary.committed) committed, \(summary.failures.count) failed, \(summary.alreadyDone) already done")
        // Stopping at SLURM's warning is this worker doing its job; the controller submits the rest.
        if summary.exitCode != 0 && !summary.timeLimited { throw ExitCode(summary.exitCode) }
    }
}
