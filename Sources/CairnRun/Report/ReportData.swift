import CairnCore
import Foundation

/// Everything `cairn report` shows, gathered from the journal (and the logs of failed units):
/// the page renders it; `cairn report --json` prints it.
public struct ReportData: Sendable, Encodable {
    /// Attempt outcomes, as the timeline colours them (index = code).
    public static let statuses = ["committed", "failed", "timed out", "interrupted", "running", "reused", "merged"]

    public struct Durations: Sendable, Encodable {
        public var count = 0
        public var medianMs: Int64 = 0
        public var p95Ms: Int64 = 0
        public var maxMs: Int64 = 0
        /// Counts in 20 equal bins from 0 to `maxMs`.
        public var histogram: [Int] = []
    }

    public struct Step: Sendable, Encodable {
        public var name: String
        public var status: StepStatus
        public var attempts: Int
        public var durations: Durations
        /// Mean CPU use of its attempts that ran as processes (100 = one core), and the CPUs it asked for.
        public var cpuPercent: Double?
        public var cpusRequested: Double?
        /// The largest peak RSS of its attempts (bytes), and the memory it asked for (bytes).
        public var peakRSS: Int64?
        public var memoryRequested: Int64?
    }

    public struct Failure: Sendable, Encodable {
        public var unit: String
        public var attempt: Int
        public var reason: String
        public var log: String
        /// The last lines of its log.
        public var tail: [String]
    }

    public struct Timeline: Sendable, Encodable {
        /// Milliseconds since the epoch of the first start and the last end.
        public var start: Int64 = 0
        public var end: Int64 = 0
        /// Lane labels (a session on a host, and a slot within it when bars are drawn).
        public var lanes: [String] = []
        /// One bar per attempt: [start offset ms, duration ms, lane, status code, step, name index].
        public var bars: [[Int64]] = []
        public var names: [String] = []
        /// Beyond ``ReportBuilder/barLimit`` attempts: per lane, per time bucket, attempts
        /// ending in it by status code.
        public var aggregated = false
        public var bucketMs: Int64 = 0
        public var buckets: [[[Int]]] = []
        /// Sessions: [start offset, end offset (-1: none journaled), number, 1 if it ended badly].
        public var sessions: [[Int64]] = []
        public var attempts = 0
    }

    public struct Trials: Sendable, Encodable {
        public var columns: [String]
        public var rows: [[String]]
    }

    public var pipeline: String
    public var runFolder: String
    public var state: String
    public var generated: String
    public var total: StepStatus
    public var steps: [Step]
    /// What `cairn resume` would do now, in words.
    public var next: String
    public var sessions: [RunHistory.Session]
    public var slurmWorkers: Int
    public var timeline: Timeline
    /// Units that failed and are not committed (up to 50 shown), and every failed attempt counted.
    public var failures: [Failure]
    public var failedUnits: Int
    public var failedAttempts: Int
    public var trials: Trials?
}
