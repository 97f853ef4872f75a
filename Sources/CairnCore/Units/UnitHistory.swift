/// What the journal says about one unit key, as the planner needs it.
public struct UnitHistory: Sendable, Equatable {
    /// A durable commit record exists.
    public var committed = false
    /// Attempts started so far, over all sessions.
    public var attempts = 0
    /// The last failure's message, when the last attempt failed.
    public var lastFailure: String?
    /// The last attempt started and never ended (the controller died or was interrupted).
    public var interrupted = false
    /// When the commit record was written (ms since the epoch).
    public var commitTime: Int64?
    /// How long the committing attempt took (ms), for expected durations.
    public var durationMs: Int64?
    /// Attempts journaled as interrupted (stopped, not failed), over all sessions.
    public var interruptions = 0
    /// Invalidated (`--force`) and not committed again since.
    public var forced = false
    /// The attempt that started and has no end record yet, if any.
    public var open: OpenAttempt?
    /// Committed, and an attempt to make it again (its outputs were deleted or modified)
    /// started and has not committed: the unit's outputs are not all in place.
    public var remaking = false

    /// The writer (index into the journal state's writers) whose commit record counts; -1 when
    /// not committed. With `cairn merge`, the writer on the machine where the unit ran.
    public var commitWriter: Int32 = -1
    /// Index of the writer that journaled `lastFailure` (-1: none).
    public var failureWriter: Int32 = -1

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
        self.lastFailure = lastFailure
        self.interrupted = interrupted
        self.commitTime = commitTime
        self.open = open
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
        guard let history else { self = .new; return }
        if history.committed { self = history.remaking ? .interrupted : .committed }
        else if history.forced && !history.interrupted && history.lastFailure == nil { self = .forced }
        else if history.interrupted { self = .interrupted }
        else if let failure = history.lastFailure { self = .failed(failure) }
        else { self = .new }
    }
}
