import Foundation
import CairnCore
import CairnExecutor

/// How a run session behaves.
public struct RunOptions: Sendable {
    /// Units at once (`-j`).
    public var jobs: Int
    /// Whether ``jobs`` was chosen (`-j`, or by a program); when false, a pipeline's top-level
    /// `jobs` replaces it, and the CPU budget with it (see ``forPipeline(_:)``).
    public var jobsChosen = true
    /// Stop dispatching at the first unit that fails for good.
    public var failFast = false
    /// Seconds between TERM and KILL when stopping units (timeouts and interrupts).
    public var grace: Double = 10
    /// A note journaled with the session (`-m/--message`), shown by `cairn history`.
    public var message: String?
    /// Which units to touch, force or hold back.
    public var selection = RunSelection()
    /// Do not reuse outputs other runs in the workspace committed (`--fresh`).
    public var fresh = false
    /// `.cairn/runs` folders to look for reusable results in, besides the run's own.
    public var workspace: [String] = []
    /// Run units whose outputs another pipeline file's run committed at the same paths
    /// (`--allow-shared-outputs`); refused otherwise (see ``SharedOutputs``).
    public var allowSharedOutputs = false
    /// Re-read every code and input file instead of trusting the digest cache (`--verify`).
    public var verify = false
    /// Stop gracefully this many seconds after the session starts (`--time-limit`), as on
    /// SIGTERM, and start no unit that is not expected to finish before then.
    public var timeLimit: Double?
    /// A SLURM worker: its allocation's end (seconds since the epoch); SIGUSR1 (the warning
    /// before it) stops the worker instead of printing status.
    public var allocationEnd: Double?
    public var usr1Stops = false
    /// What the machine offers units at once; nil fields are not limited (see ``ResourceBudget``).
    public var budget = ResourceBudget()
    /// Read end of the signal pipe (SIGINT, SIGTERM, SIGHUP, SIGUSR1), if signals are handled.
    public var signalFD: Int32?
    /// The closures of the pipeline's in-process steps (declared with the `Cairn` library).
    public var closures = ClosureSteps()
    /// Makes the executor a session runs its units with (slots, signal pipe); nil for the one
    /// the plan calls for (processes, closures, or both).
    public var executor: (@Sendable (_ slots: Int, _ signalFD: Int32?) -> any Executor)?
    /// A read of the run folder made just before the session (`cairn resume` without RUN reads
    /// each run to find the unfinished one): the session uses its plan when it planned exactly
    /// the snapshot the session runs, and its journal read when nothing was journaled since,
    /// instead of doing both again — at a million units, seconds each.
    public var inspected: RunInspector?

    /// As many units at once as this machine has cores, unless the pipeline says otherwise (its
    /// top-level `jobs`; ``jobsChosen`` is false).
    public static var thisMachine: RunOptions {
        var options = RunOptions(jobs: ProcessInfo.processInfo.activeProcessorCount)
        options.jobsChosen = false
        return options
    }

    /// These options for a session of `pipeline`: its top-level `jobs` when `-j` was not given.
    public func forPipeline(_ pipeline: PipelineSpec) -> RunOptions {
        guard !jobsChosen, let jobs = pipeline.jobs else { return self }
        var out = self
        out.jobs = jobs
        out.budget.cpus = jobs
        out.jobsChosen = true
        return out
    }

    public init(jobs: Int, failFast: Bool = false, grace: Double = 10, signalFD: Int32? = nil) {
        self.jobs = jobs
        self.failFast = failFast
        self.grace = grace
        self.signalFD = signalFD
    }
}
