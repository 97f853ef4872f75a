/// What a SLURM job state means for a unit that was running in it when the job ended.
struct SlurmEnd: Equatable {
    /// The state as SLURM gave it (`TIMEOUT`, `OUT_OF_MEMORY`, `NODE_FAIL`, …).
    var state: String
    /// Not the unit's fault (the node failed, the job was preempted or requeued): journaled as
    /// interrupted, not failed.
    var interruption: Bool
    /// Submitted again, within the step's `retries`.
    var retry: Bool
    /// What the unit's failure record says.
    var reason: String

    /// `output` is the task's output file: without cgroups SLURM kills a job over its memory
    /// (`JobAcctGatherParams=OverMemoryKill`) with state FAILED, and says so only there.
    init(state raw: String, output: String = "") {
        var first = raw.split(separator: " ").first.map(String.init) ?? raw
        if first != "OUT_OF_MEMORY", output.contains("xceeded job memory limit") || output.contains("exceeded memory limit") {
            first = "OUT_OF_MEMORY"
        }
        state = first
        switch state {
        case "NODE_FAIL", "PREEMPTED", "REQUEUED", "BOOT_FAIL", "DEADLINE":
            interruption = true; retry = true
            reason = "SLURM \(state): the job's node or allocation went away"
        case "TIMEOUT":
            interruption = false; retry = true
            reason = "SLURM TIMEOUT: the job reached its time limit"
        case "OUT_OF_MEMORY":
            interruption = false; retry = true
            reason = "SLURM OUT_OF_MEMORY: the job went over its memory"
        case "CANCELLED":
            interruption = false; retry = false
            reason = "SLURM CANCELLED: the job was cancelled"
        default:
            interruption = false; retry = true
            reason = "SLURM \(state)"
        }
    }
}
