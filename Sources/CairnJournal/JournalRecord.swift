import CairnCore

/// One fact in the journal. The journal is the only source of truth for what is done.
public enum JournalRecord: Sendable, Equatable {
    /// First record of every segment: who writes it.
    case segmentOpened(SegmentInfo)
    /// A `cairn run` or `resume` began, with the SHA-256 of the snapshot it runs.
    case runStarted(time: Int64, snapshot: Digest)
    /// An attempt of a unit started in process group `pid`, whose leader started at `startTicks`
    /// (clock ticks since boot, from `/proc`; 0 when unknown).
    case attemptStarted(key: Digest, attempt: Int, pid: Int32, startTicks: Int64, time: Int64)
    /// A unit's outputs are in place; the unit is done once this record is durable.
    case committed(UnitCommit)
    /// An attempt ended without success.
    case failed(UnitFailure)
    /// An attempt was stopped by Cairn (signal, shutdown) rather than failing by itself.
    case interrupted(key: Digest, attempt: Int, time: Int64)
    /// The run session ended.
    case runEnded(time: Int64, committed: Int, failed: Int)
    /// The controller is about to submit these units to SLURM as job `name` (durable first:
    /// a controller that dies before learning the job id finds the job by name).
    case slurmSubmitting(name: String, keys: [Digest], time: Int64)
    /// SLURM accepted job `name` with id `jobID`.
    case slurmSubmitted(name: String, jobID: String, time: Int64)
    /// Job `name` is over (every array task left the queue); `state` is SLURM's final state.
    case slurmEnded(name: String, state: String, time: Int64)
    /// A committed unit must run again (`--force`, or downstream of a forced unit): it counts
    /// as not committed until a later commit record.
    case invalidated(key: Digest, time: Int64)
    /// Batch `batch` (0, 1, …) of an optimizer's proposals: each trial as canonical JSON of its
    /// axis values. Durable before any of them runs; the first record of a batch number counts.
    case proposed(batch: Int, trials: [String], time: Int64)
    /// In a segment `cairn merge` writes: the records after it, up to the next `imported`, were
    /// first journaled by this writer in another copy of the run (its sessions and commits,
    /// carried over with their hosts and times). The segment's own writer, given again, ends it.
    case imported(SegmentInfo)
    /// The next commit of `key` is a partial aggregate (`--aggregate-only`): step `step`'s
    /// unit over `items` of the pipeline's `total` items (those committed when it ran).
    case partial(key: Digest, step: String, items: Int, total: Int)
    /// The command line that started this writer's session (after its `runStarted`).
    case command(String)
    /// What an attempt's processes used (see ``ResourceUsage``), written just before the
    /// record that ends the attempt; an attempt that was not a process has none.
    case usage(key: Digest, attempt: Int, usage: ResourceUsage)
    /// Who ran this writer's session and from what (after its `command`).
    case provenance(SessionProvenance)
    /// How this writer's session ended, in words (`completed`, `interrupted by SIGINT`, …),
    /// just before its `runEnded`.
    case outcome(String)
}

/// Who writes a segment.
public struct SegmentInfo: Sendable, Equatable {
    public var host: String
    public var bootID: String
    public var pid: Int32
    public var time: Int64
    /// For a SLURM worker: its job (`JOBID_TASK`); its open attempts are SLURM's to end, not a
    /// later controller's. Empty for a controller.
    public var job: String

    public init(host: String, bootID: String, pid: Int32, time: Int64, job: String = "") {
        self.host = host
        self.bootID = bootID
        self.pid = pid
        self.time = time
        self.job = job
    }
}

/// A commit: exit status, duration, size and SHA-256 of each output, and the unit's metrics.
public struct UnitCommit: Sendable, Equatable {
    public var key: Digest
    public var attempt: Int
    public var exitCode: Int
    public var durationMs: Int64
    public var time: Int64
    public var outputs: [OutputDigest]
    /// What the unit measured (its step's `metrics:`), in the order found.
    public var metrics: [Metric]

    public init(key: Digest, attempt: Int, exitCode: Int, durationMs: Int64, time: Int64, outputs: [OutputDigest], metrics: [Metric] = []) {
        self.key = key
        self.attempt = attempt
        self.exitCode = exitCode
        self.durationMs = durationMs
        self.time = time
        self.outputs = outputs
        self.metrics = metrics
    }
}

/// Size and digest of one committed output.
public struct OutputDigest: Sendable, Equatable {
    public var size: Int64
    public var digest: Digest

    public init(size: Int64, digest: Digest) {
        self.size = size
        self.digest = digest
    }
}

/// A failed attempt and why.
public struct UnitFailure: Sendable, Equatable {
    public var key: Digest
    public var attempt: Int
    /// Exit code, or 128 + signal number when killed by a signal; -1 when it never started.
    public var exitCode: Int
    public var durationMs: Int64
    public var time: Int64
    public var reason: String

    public init(key: Digest, attempt: Int, exitCode: Int, durationMs: Int64, time: Int64, reason: String) {
        self.key = key
        self.attempt = attempt
        self.exitCode = exitCode
        self.durationMs = durationMs
        self.time = time
        self.reason = reason
    }
}
