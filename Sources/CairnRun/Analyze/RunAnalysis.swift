import CairnCore

/// What `cairn analyze` shows about a run folder: per step where its units stand and which
/// items are missing, failures grouped by cause, durations, who did what (hosts, sessions).
public struct RunAnalysis: Sendable, Encodable {
    public var pipeline: String
    public var runFolder: String
    public var state: String
    public var items: Int
    /// For a shard: its scope (`--shard 1/2`).
    public var shard: String?
    public var steps: [Step] = []
    public var failures: [FailureGroup] = []
    public var slowest: [Timed] = []
    public var hosts: [Host] = []
    public var sessions: [Session] = []
    public var orphanedTrials = 0

    /// One step.
    public struct Step: Sendable, Encodable {
        public var step: String
        public var units = 0
        public var committed = 0
        public var failed = 0
        public var interrupted = 0
        public var neverRan = 0
        public var running = 0
        /// Committed, but an output the journal recorded is not on disk.
        public var outputsMissing = 0
        /// Up to a few such outputs.
        public var missingOutputExamples: [String] = []
        /// The items whose unit is not committed, compactly ("sample 120–199 for shape=square").
        public var missingItems: [String] = []
        public var durations: DurationStats?
        /// An aggregate committed over part of the items (`--aggregate-only`): "120/400".
        public var partialAggregate: String?
    }

    /// Failed units with one cause.
    public struct FailureGroup: Sendable, Encodable {
        public var cause: String
        public var count: Int
        public var examples: [String]
    }

    /// A unit and how long its committing attempt took.
    public struct Timed: Sendable, Encodable {
        public var unit: String
        public var seconds: Double
        public var host: String
    }

    /// What one machine did.
    public struct Host: Sendable, Encodable {
        public var host: String
        public var sessions = 0
        public var committed = 0
        public var failed = 0
        /// Sum of the committed units' durations.
        public var busySeconds = 0.0
        /// Committed units per second of its sessions' wall time.
        public var unitsPerSecond: Double?
    }

    /// One session: a run, a resume, a merge, a SLURM worker — or one of another copy, imported by a merge.
    public struct Session: Sendable, Encodable {
        public var host: String
        public var kind: String
        /// Milliseconds since the epoch.
        public var started: Int64
        public var ended: Int64?
        public var outcome: String
        public var committed: Int
        public var failed: Int
        public var interrupted: Int
        /// The command line that started it (sessions journaled before it was recorded: nil).
        public var command: String?
        /// Units it committed per second of its wall time.
        public var unitsPerSecond: Double?
    }
}
