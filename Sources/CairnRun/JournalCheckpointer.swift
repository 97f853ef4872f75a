import CairnJournal
import Foundation

/// Keeps a run folder's ``JournalCheckpoint`` close behind its journal while a session runs, so
/// that whatever reads the folder next (a `resume` after `kill -9`, `status`, a SLURM worker)
/// loads the checkpoint and replays only a short tail.
///
/// A background thread looks at the journal's size every `interval`; when the bytes written
/// since the last checkpoint reach `minimumBytes` and a quarter of what the checkpoint covers,
/// it folds the new records (read back from the files) into the state it keeps in memory and
/// writes a new checkpoint. The quarter keeps the total work proportional to the journal's
/// size; the tail a reader replays stays under a fifth of the journal. ``finish()`` writes a
/// last one when the session ends with a tail worth saving. Failures only cost speed: a
/// checkpoint that cannot be written is skipped and the journal stays the source of truth.
final class JournalCheckpointer: @unchecked Sendable {
    /// The smallest tail worth a checkpoint; `CAIRN_CHECKPOINT_BYTES` overrides it (tests use a
    /// small value to make checkpoints on small runs).
    static var defaultMinimumBytes: Int {
        if let text = ProcessInfo.processInfo.environment["CAIRN_CHECKPOINT_BYTES"], let n = Int(text), n > 0 { return n }
        return 16 << 20  // a journal this short replays in about 0.2 s: a checkpoint would buy nothing
    }

    private let directory: String
    private let minimumBytes: Int
    private let interval: Double
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var stopping = false
    private var running = false
    /// Journal bytes the newest checkpoint covers (or that the session's own start replayed from one).
    private var covered: Int
    /// The state of the newest checkpoint (only the checkpointing thread, then ``finish()``, use it).
    private var state: JournalState?

    /// Starts watching the journal in `directory`; `state` is what the session replayed at its
    /// start (its coverage says how much a checkpoint already holds). With `periodic` false no
    /// thread runs: only ``finish(writing:)`` may write one.
    init(directory: String, state: JournalState, minimumBytes: Int = JournalCheckpointer.defaultMinimumBytes, interval: Double = 1, periodic: Bool = true) {
        self.directory = directory
        self.minimumBytes = minimumBytes
        self.interval = interval
        self.covered = state.bytes - state.replayedBytes
        guard periodic else { return }
        running = true
        let thread = Thread { [self] in self.loop() }
        thread.name = "cairn-checkpoint"
        thread.start()
    }

    /// Stops the thread and, with `writing` and when the tail since the last checkpoint is worth
    /// it, writes a final checkpoint (after the session's last record). Returns the state of the
    /// newest checkpoint this session wrote (nil when it wrote none).
    @discardableResult
    func finish(writing: Bool = true) -> JournalState? {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        if writing { checkpoint(ifTailAtLeast: Self.threshold(minimumBytes)) }
        defer { state = nil }
        return state
    }

    /// A new checkpoint pays when the tail reached `minimumBytes` and a quarter of what the
    /// last one covers.
    static func threshold(_ minimumBytes: Int) -> (Int) -> Int {
        { covered in max(minimumBytes, covered / 4) }
    }

    private func loop() {
        // Checkpoints only speed up later reads: they get the CPU the units leave.
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)  // on Linux: this thread only
        condition.lock()
        while !stopping {
            _ = condition.wait(until: Date(timeIntervalSinceNow: interval))
            if stopping { break }
            condition.unlock()
            checkpoint(ifTailAtLeast: Self.threshold(minimumBytes))
            condition.lock()
        }
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// Folds and writes a checkpoint when the journal outgrew the last one by `threshold(covered)`.
    /// The folded state stays in memory between checkpoints, so each folds only the new records.
    private func checkpoint(ifTailAtLeast threshold: (Int) -> Int) {
        let total = journalBytes()
        guard total - covered >= threshold(covered) else { return }
        guard let current = JournalState.caughtUp(&state, directory: directory),
              (try? JournalCheckpoint.write(current, directory: directory)) != nil else { return }
        covered = current.coverage.reduce(0) { $0 + $1.offset }
    }

    /// The size of every segment file now.
    private func journalBytes() -> Int {
        var total = 0
        for name in (try? Journal.segments(in: directory)) ?? [] {
            var info = stat()
            if stat("\(directory)/\(name)", &info) == 0 { total += Int(info.st_size) }
        }
        return total
    }
}
