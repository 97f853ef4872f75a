import CairnCore
import CairnJournal
import Foundation

/// A run's sessions, from the journal alone: who ran what, from which commit, when, and how
/// each ended. SLURM workers are counted, not listed (their controller's session says who).
public struct RunHistory: Sendable {
    /// One session.
    public struct Session: Sendable, Encodable, Equatable {
        /// 1, 2, … in journal order (the number `cairn trace` shows in its `session` column).
        public var number: Int
        public var host: String
        public var pid: Int
        /// Milliseconds since the epoch.
        public var started: Int64
        public var ended: Int64?
        /// Its last record (the end, for a session that was killed).
        public var lastActivity: Int64
        /// How it ended: `completed`, `interrupted by SIGINT`, `killed (no end journaled)`, `running`, …
        public var outcome: String
        public var command: String
        public var version: String
        public var user: String
        public var gitCommit: String
        public var gitDirty: Bool
        /// The stored diff of tracked files against `gitCommit` (a path), when dirty.
        public var diff: String
        public var message: String
        public var attempts: Int
        public var commits: Int
        public var failures: Int
        public var interruptions: Int
        /// Carried in from another copy of the run by `cairn merge`.
        public var merged: Bool
    }

    public let sessions: [Session]
    /// SLURM worker tasks that wrote segments.
    public let workers: Int

    /// - Parameter live: the run's lock is held by a live process (its last session is running).
    public init(state: JournalState, folder: RunFolder, live: Bool) {
        var sessions: [Session] = []
        var workers = 0
        let lastController = state.writers.indices.last { state.writers[$0].job.isEmpty }
        for (i, info) in state.writers.enumerated() {
            guard info.job.isEmpty else { workers += 1; continue }
            let a = state.activity[i]
            guard a.started != nil || a.commits > 0 || a.provenance != nil else { continue }  // an empty segment
            let p = a.provenance
            let outcome: String
            if let o = a.outcome {
                outcome = o
            } else if a.ended != nil {
                outcome = "ended"
            } else if live && i == lastController {
                outcome = "running"
            } else {
                outcome = a.imported ? "no end journaled" : "killed (no end journaled)"
            }
            sessions.append(Session(
                number: i + 1, host: info.host, pid: Int(info.pid), started: a.started ?? info.time, ended: a.ended,
                lastActivity: max(a.lastTime, a.ended ?? 0, a.started ?? info.time), outcome: outcome, command: a.command ?? "",
                version: p?.version ?? "", user: p?.user ?? "", gitCommit: p?.gitCommit ?? "", gitDirty: p?.gitDirty ?? false,
                diff: (p?.diff).map { $0.isEmpty ? "" : "\(folder.path)/diffs/\($0).diff" } ?? "", message: p?.message ?? "",
                attempts: a.attempts, commits: a.commits, failures: a.failures, interruptions: a.interruptions, merged: a.imported))
        }
        self.sessions = sessions
        self.workers = workers
    }
}
