/// How a run session ended.
public struct RunSummary: Sendable {
    /// Units committed in this session.
    public var committed = 0
    /// Of `committed`, units whose outputs were reused from another run instead of running.
    public var reused = 0
    /// Units that were already committed before it.
    public var alreadyDone = 0
    /// Units that failed for good.
    public var failures: [UnitFailureReport] = []
    /// Units skipped because something they need failed.
    public var skipped = 0
    /// Units not started because the run stopped early.
    public var notStarted = 0
    /// Attempts stopped by an interrupt.
    public var interruptedAttempts = 0
    /// The run stopped at its time limit (`--time-limit`, or a SLURM worker's allocation).
    public var timeLimited = false
    /// The signal that interrupted the run, if any.
    public var interruptedBy: Int32?
    /// A fatal error that stopped the run (journal write failed, disk full).
    public var fatal: String?
    /// Units outside the selection (`--steps`, `--until`, `--items`, `--where`).
    public var notSelected = 0
    /// Units that wait for items the selection left out (an aggregate over a partial run).
    public var waiting = 0
    /// With an item selection (`--items`, `--where`, `--shard`): items selected and in the plan.
    public var itemsSelected: (selected: Int, total: Int)?
    /// For `--oneshot`: the scratch folder the trial's outputs went to.
    public var scratch: String?
    /// With the SLURM executor: the `sbatch`, `squeue` and `scontrol` calls this session made.
    public var slurmCalls: (sbatch: Int, squeue: Int, scontrol: Int)?
    /// Units in the plan, less those not selected.
    public var total = 0

    /// 0 all committed, 1 failures, 128+signal when interrupted, 124 at the time limit.
    public var exitCode: Int32 {
        if let signal = interruptedBy { return 128 + signal }
        if timeLimited { return 124 }
        if fatal != nil || !failures.isEmpty || skipped > 0 || notStarted > 0 { return 1 }
        return 0
    }
}
