/// What the journal says about one unit key, as the planner needs it.
///
/// Stored compactly (48 bytes): a run of a million units keeps a million of these in a
/// dictionary, so the rare parts (a failure's message, an open attempt) live in a shared
/// immutable box and the optional numbers use a sentinel.
public struct UnitHistory: Sendable, Equatable {
    private var storedCommitTime = Int64.min
    private var storedDuration = Int64.min
    private var rare: Rare?
    private var storedAttempts: Int32 = 0
    private var storedInterruptions: Int32 = 0
    /// The writer (index into the journal state's writers) whose commit record counts; -1 when
    /// not committed. With `cairn merge`, the writer on the machine where the unit ran.
    public var commitWriter: Int32 = -1
    /// Index of the writer that journaled `lastFailure` (-1: none).
    public var failureWriter: Int32 = -1
    private var flags: UInt8 = 0

    /// A failure's message and an open attempt: rare, so boxed (replaced, never mutated).
    private final class Rare: Sendable {
        let lastFailure: String?
        let open: OpenAttempt?
        init(lastFailure: String?, open: OpenAttempt?) {
            self.lastFailure = lastFailure
            self.open = open
        }
    }

    private static let committedFlag: UInt8 = 1, interruptedFlag: UInt8 = 2, forcedFlag: UInt8 = 4, remakingFlag: UInt8 = 8

    private func flag(_ f: UInt8) -> Bool { flags & f != 0 }
    private mutating func set(_ f: UInt8, _ on: Bool) { if on { flags |= f } else { flags &= ~f } }
    private mutating func setRare(lastFailure: String?, open: OpenAttempt?) {
        rare = lastFailure == nil && open == nil ? nil : Rare(lastFailure: lastFailure, open: open)
    }

    /// A durable commit record exists.
    public var committed: Bool {
        get { flag(Self.committedFlag) }
        set { set(Self.committedFlag, newValue) }
    }
    /// Attempts started so far, over all sessions.
    public var attempts: Int {
        get { Int(storedAttempts) }
        set { storedAttempts = Int32(clamping: newValue) }
    }
    /// The last failure's message, when the last attempt failed.
    public var lastFailure: String? {
        get { rare?.lastFailure }
        set { if newValue != nil || rare?.lastFailure != nil { setRare(lastFailure: newValue, open: rare?.open) } }
    }
    /// The last attempt started and never ended (the controller died or was interrupted).
    public var interrupted: Bool {
        get { flag(Self.interruptedFlag) }
        set { set(Self.interruptedFlag, newValue) }
    }
    /// When the commit record was written (ms since the epoch).
    public var commitTime: Int64? {
        get { storedCommitTime == .min ? nil : storedCommitTime }
        set { storedCommitTime = newValue ?? .min }
    }
    /// How long the committing attempt took (ms), for expected durations.
    public var durationMs: Int64? {
        get { storedDuration == .min ? nil : storedDuration }
        set { storedDuration = newValue ?? .min }
    }
    /// Attempts journaled as interrupted (stopped, not failed), over all sessions.
    public var interruptions: Int {
        get { Int(storedInterruptions) }
        set { storedInterruptions = Int32(clamping: newValue) }
    }
    /// Invalidated (`--force`) and not committed again since.
    public var forced: Bool {
        get { flag(Self.forcedFlag) }
        set { set(Self.forcedFlag, newValue) }
    }
    /// The attempt that started and has no end record yet, if any.
    public var open: OpenAttempt? {
        get { rare?.open }
        set { if newValue != nil || rare?.open != nil { setRare(lastFailure: rare?.lastFailure, open: newValue) } }
    }
    /// Committed, and an attempt to make it again (its outputs were deleted or modified)
    /// started and has not committed: the unit's outputs are not all in place.
    public var remaking: Bool {
        get { flag(Self.remakingFlag) }
        set { set(Self.remakingFlag, newValue) }
    }

    /// Committed, with its outputs in place as far as the journal knows.
    public var done: Bool { committed && !remaking }

    /// An attempt with a start record and no end record.
    public struct OpenAttempt: Sendable, Equatable {
        public var attempt: Int
        public var pid: Int32
        /// Start time of the process group's leader, in clock ticks since boot (0 if unknown).
        public var startTicks: Int64
        /// Index of the journal segment (writer) that started it.
        public var writer: Int
        public var time: Int64

        public init(attempt: Int, pid: Int32, startTicks: Int64, writer: Int, time: Int64) {
            self.attempt = attempt
            self.pid = pid
            self.startTicks = startTicks
            self.writer = writer
            self.time = time
        }
    }

    public init(committed: Bool = false, attempts: Int = 0, lastFailure: String? = nil, interrupted: Bool = false,
                commitTime: Int64? = nil, open: OpenAttempt? = nil) {
        self.committed = committed
        self.attempts = attempts
        self.interrupted = interrupted
        self.commitTime = commitTime
        setRare(lastFailure: lastFailure, open: open)
    }

    public static func == (a: UnitHistory, b: UnitHistory) -> Bool {
        a.flags == b.flags && a.storedAttempts == b.storedAttempts && a.storedInterruptions == b.storedInterruptions
            && a.storedCommitTime == b.storedCommitTime && a.storedDuration == b.storedDuration
            && a.commitWriter == b.commitWriter && a.failureWriter == b.failureWriter
            && a.lastFailure == b.lastFailure && a.open == b.open
    }
}

/// Where a unit stands before a run.
public enum UnitStanding: Sendable, Equatable {
    case committed
    case new
    case failed(String)
    case interrupted
    case forced

    /// Classifies a unit from its history (nil: never seen).
    public init(_ history: UnitHistory?) {
        self.init(PlanHistory.Facts(history)) { history?.lastFailure ?? "" }
    }

    /// Classifies a unit from what a plan's walk reads of it; `failure` gives the failure's
    /// message, asked only for a failed unit.
    public init(_ facts: PlanHistory.Facts, failure: () -> String) {
        guard facts.known else { self = .new; return }
        if facts.committed { self = facts.remaking ? .interrupted : .committed }
        else if facts.forced && !facts.interrupted && !facts.failed { self = .forced }
        else if facts.interrupted { self = .interrupted }
        else if facts.failed { self = .failed(failure()) }
        else { self = .new }
    }
}
