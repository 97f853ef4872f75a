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
    /// The thread is folding or encoding a checkpoint (which ``finish(writing:)`` does not wait for).
    private var folding = false
    /// Journal bytes the newest checkpoint covers (or that the session's own start replayed from one).
    private var covered: Int
    /// The state of the newest checkpoint this session folded (nil before the first, and while
    /// the thread folds it forward).
    private var state: JournalState?
    /// Held while a checkpoint file is written; once `stopping` is set, only ``finish(writing:)`` writes one.
    private let writing = NSLock()
    /// Brings a state (nil: none yet) up to the journal's end: ``JournalState/caughtUp(_:directory:)``.
    private let fold: @Sendable (inout JournalState?, String) -> JournalState?

    /// Starts watching the journal in `directory`; `state` is what the session replayed at its
    /// start (its coverage says how much a checkpoint already holds). With `periodic` false no
    /// thread runs: only ``finish(writing:)`` may write one. `fold` is for tests.
    init(directory: String, state: JournalState, minimumBytes: Int = JournalCheckpointer.defaultMinimumBytes, interval: Double = 1, periodic: Bool = true,
         fold: @escaping @Sendable (inout JournalState?, String) -> JournalState? = { JournalState.caughtUp(&$0, directory: $1) }) {
        self.directory = directory
        self.fold = fold
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
    /// newest checkpoint this session folded (nil when it folded none).
    ///
    /// The thread runs at the lowest priority, so on a busy machine a checkpoint it is folding
    /// can take many seconds; the session's end does not wait for it: the thread's work is
    /// dropped and this call folds the journal on the caller's thread instead.
    @discardableResult
    func finish(writing write: Bool = true) -> JournalState? {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running && !folding { condition.wait() }
        let tookOver = folding
        var base = tookOver ? nil : state
        let coveredNow = covered
        condition.unlock()
        // No checkpoint file is written after this lock is taken, but this call's.
        writing.lock()
        defer { writing.unlock() }
        guard write, journalBytes() - coveredNow >= Self.threshold(minimumBytes)(coveredNow) else { return base }
        let current = fold(&base, directory)
        if let bytes = current.flatMap(JournalCheckpoint.encoded) { try? JournalCheckpoint.write(bytes, directory: directory) }
        return current
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
            checkpointIfDue()
            condition.lock()
        }
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// Folds and writes a checkpoint when the journal outgrew the last one by the threshold.
    /// The folded state stays in memory between checkpoints, so each folds only the new records;
    /// a fold that ``finish(writing:)`` overtook is dropped unwritten.
    private func checkpointIfDue() {
        let total = journalBytes()
        condition.lock()
        guard !stopping, total - covered >= Self.threshold(minimumBytes)(covered) else {
            condition.unlock()
            return
        }
        var work = state
        state = nil
        folding = true
        condition.unlock()

        let current = fold(&work, directory)
        let bytes = current.flatMap(JournalCheckpoint.encoded)
        writing.lock()
        condition.lock()
        let dropped = stopping
        condition.unlock()
        let wrote = !dropped && bytes.map { (try? JournalCheckpoint.write($0, directory: directory)) != nil } == true
        writing.unlock()

        condition.lock()
        folding = false
        if !dropped {
            state = work
            if wrote, let current { covered = current.coverage.reduce(0) { $0 + $1.offset } }
        }
        condition.broadcast()
        condition.unlock()
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
