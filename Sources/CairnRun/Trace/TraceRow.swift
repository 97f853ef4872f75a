import CairnCore
import Foundation

/// One attempt of one unit as `cairn trace` shows it: what ran, where, how it ended, and what
/// it used. Built from the journal alone.
public struct TraceRow: Sendable, Equatable {
    /// How an attempt ended.
    public enum Status: String, Sendable {
        case committed, failed, interrupted, running
        case timedOut = "timed out"
        /// Committed without running here: the outputs of another run were adopted.
        case reused
        /// Committed in another copy of the run and carried in by `cairn merge`.
        case merged
    }

    public var name: String
    public var key: Digest
    public var step: String
    public var item: String
    public var attempt: Int
    /// The session (journal writer) that started it, from 1 in journal order.
    public var session: Int
    public var host: String
    public var status: Status
    /// Exit code; nil while running or when it never ran as a process.
    public var exit: Int?
    /// The signal that killed it, when one did.
    public var signal: Int?
    /// When it was handed over to run: the SLURM submission that carried it (`sbatch`), or its
    /// start for a local attempt; milliseconds since the epoch.
    public var submit: Int64?
    /// Start and end, milliseconds since the epoch (nil when the journal does not say).
    public var start: Int64?
    public var complete: Int64?
    public var realtimeMs: Int64?
    public var usage: ResourceUsage?
    /// The SLURM array task (`JOBID_TASK`) it ran in, if any.
    public var slurmJob: String
    public var log: String
    /// Why it failed (failures only).
    public var reason: String

    /// CPU use over its wall time, in percent (`%cpu`: 100 is one core busy).
    public var cpuPercent: Double? {
        guard let u = usage, let ms = realtimeMs, ms > 0 else { return nil }
        return Double(u.userMs + u.systemMs) * 100 / Double(ms)
    }
}
