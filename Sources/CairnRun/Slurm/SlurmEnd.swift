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

    init(state raw: String) {
        state = raw.split(separator: " ").first.map(String.init) ?? raw
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
