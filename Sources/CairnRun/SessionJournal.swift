import CairnCore
import CairnJournal
import Foundation

/// The journal segment one session writes (a run, a resume, a SLURM controller or worker):
/// opened with what the session starts from, closed with how it ended.
enum SessionJournal {
    /// Opens a new segment and journals the start: the session, the attempts a dead controller
    /// left open (with `closeOpen`; never a SLURM worker's, whose job may still be running), and
    /// the forced units, made durable before anything runs.
    static func open(
        folder: RunFolder, info: SegmentInfo, snapshot: Snapshot, state: JournalState, plan: Plan, invalidate: [Int],
        closeOpen: Bool, message: String? = nil, onDurable: @escaping @Sendable (UInt64) -> Void = { _ in }
    ) throws(RunError) -> SegmentWriter {
        // A SLURM worker's provenance is its controller's.
        let provenance = info.job.isEmpty ? ProvenanceProbe.probe(root: snapshot.root, folder: folder, message: message) : nil
        let writer: SegmentWriter
        do { writer = try Journal.openSegment(directory: folder.journal, info: info, onDurable: onDurable) } catch { throw .journal(error) }
        try run(writer) {
            try writer.append(.runStarted(time: info.time, snapshot: snapshot.digest))
            try writer.append(.command(commandLine()))
            if let provenance { try writer.append(.provenance(provenance)) }
            for (key, open) in state.openAttempts.sorted(by: { $0.key < $1.key }) where closeOpen && open.writer.job.isEmpty {
                try writer.append(.interrupted(key: key, attempt: open.attempt.attempt, time: info.time))
            }
            // Forced units stop counting as committed, durably, before any of them runs again:
            // an interrupted forced run resumes them without `--force`.
            for index in invalidate {
                try writer.append(.invalidated(key: plan.units[index].key, time: info.time))
            }
            if !invalidate.isEmpty { try writer.flush() }
        }
        return writer
    }

    /// This process's command line, each argument shell-quoted (`cairn run p.yaml --shard 1/2`).
    static func commandLine() -> String {
        var arguments = CommandLine.arguments
        if let first = arguments.first { arguments[0] = (first as NSString).lastPathComponent }
        return arguments.map(ShellQuote.quote).joined(separator: " ")
    }

    /// Journals the session's end and closes the segment.
    static func close(_ writer: SegmentWriter, _ summary: RunSummary) throws(RunError) {
        try run(writer) {
            try writer.append(.outcome(outcome(of: summary)))
            try writer.append(.runEnded(time: Int64(Date().timeIntervalSince1970 * 1000), committed: summary.committed, failed: summary.failures.count))
            try writer.close()
        }
    }

    /// How a session ended, in words, for `cairn history`.
    static func outcome(of summary: RunSummary) -> String {
        if let fatal = summary.fatal { return "stopped: \(fatal)" }
        if let signal = summary.interruptedBy { return "interrupted by \(signalName(signal))" }
        if summary.timeLimited { return "stopped at its time limit" }
        if !summary.failures.isEmpty { return "finished with \(summary.failures.count) failed unit(s)" }
        return "completed"
    }

    /// How a session keeps the run folder's state checkpoint (`journal/state.checkpoint`).
    enum Checkpointing {
        /// None: the session's segment is one of many short-lived ones (a SLURM worker, a trial).
        case none
        /// Close behind the journal while the session runs, and once more after it closed: the
        /// session's segment is the last one, the only one still growing (a local session).
        case periodic(JournalState)
        /// Only after the session closed, and only if `settled` says that no other writer may
        /// still append (a SLURM controller: its workers write segments that sort after its own,
        /// and a checkpoint is ignored once a segment it covers, other than the last, grows).
        case atTheEnd(JournalState, settled: (RunSummary) -> Bool)
    }

    /// Runs `body` (the session), then journals its end and closes the segment, keeping the
    /// state checkpoint as `checkpointing` says and, with a checkpoint, rewriting the run's
    /// ``ResultIndex`` of `plan`; on an error, closes the segment (what was written stays) and
    /// rethrows it as a `RunError`. With `status` (the stored snapshot, when `plan` is the plan
    /// `cairn status` makes of it), the run's ``StatusSummary`` is kept too: published on
    /// request while the session runs (with periodic checkpointing) and written when it ends.
    static func session(_ writer: SegmentWriter, checkpointing: Checkpointing, in folder: RunFolder, plan: Plan, status snapshot: Snapshot? = nil,
                        _ body: () throws -> RunSummary) throws(RunError) -> RunSummary {
        let checkpointer: JournalCheckpointer?
        let initial: JournalState?
        let publisher = snapshot.flatMap { StatusPublisher(folder: folder, snapshot: $0, plan: plan) }
        switch checkpointing {
        case .none: (checkpointer, initial) = (nil, nil)
        case .periodic(let state):
            publisher?.start(from: state)
            (checkpointer, initial) = (JournalCheckpointer(directory: folder.journal, state: state), state)
        case .atTheEnd(let state, _): (checkpointer, initial) = (JournalCheckpointer(directory: folder.journal, state: state, periodic: false), state)
        }
        var summary: RunSummary?
        defer {
            publisher?.stop()
            var write = summary != nil
            if case .atTheEnd(_, let settled) = checkpointing, let summary { write = settled(summary) }
            let newest = checkpointer?.finish(writing: write)
            if write, let start = newest ?? initial {
                // The journal as closed: the newest checkpoint (or the session's start) and what followed.
                var folded: JournalState? = start
                let final = JournalState.caughtUp(&folded, directory: folder.journal) ?? JournalState()
                ResultIndex.write(plan: plan, state: final, in: folder)
                publisher?.publish(settled: final)
            }
        }
        let ended = try run(writer, body)
        try close(writer, ended)
        summary = ended
        return ended
    }

    /// Runs `body`; on an error, closes the segment (what was written stays) and rethrows it as a `RunError`.
    static func run<T>(_ writer: SegmentWriter, _ body: () throws -> T) throws(RunError) -> T {
        do { return try body() } catch {
            try? writer.close()
            switch error {
            case let error as JournalError: throw .journal(error)
            case let error as RunError: throw error
            default: throw RunError("\(error)")
            }
        }
    }
}
