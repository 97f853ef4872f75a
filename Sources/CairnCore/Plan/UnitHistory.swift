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

    public init(committed: Bool = false, attempts: Int = 0, lastFailure: String? = nil, interrupted: Bool = false) {
        self.committed = committed
        self.attempts = attempts
        self.lastFailure = lastFailure
        self.interrupted = interrupted
    }
}

/// Where a unit stands before a run.
public enum UnitStanding: Sendable, Equatable {
    case committed
    case new
    case failed(String)
    case interrupted

    /// Classifies a unit from its history (nil: never seen).
    public init(_ history: UnitHistory?) {
        guard let history else { self = .new; return }
        if history.committed { self = .committed }
        else if history.interrupted { self = .interrupted }
        else if let failure = history.lastFailure { self = .failed(failure) }
        else { self = .new }
    }
}
