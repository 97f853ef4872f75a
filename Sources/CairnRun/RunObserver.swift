/// Counts for one step while a run goes on.
public struct StepProgress: Sendable, Equatable {
    public var name: String
    public var total = 0
    /// Committed before this session started.
    public var alreadyDone = 0
    public var committed = 0
    public var running = 0
    public var failed = 0
    public var skipped = 0

    /// Units neither done, running, failed nor skipped.
    public var pending: Int { total - alreadyDone - committed - running - failed - skipped }
}

/// A snapshot of a run in progress.
public struct RunProgress: Sendable {
    public var steps: [StepProgress]
    /// Seconds since the session started.
    public var elapsed: Double
    /// Whether the run is stopping (interrupt or fail-fast).
    public var stopping: Bool
    /// The unit running longest now (label, seconds), when the observer refreshes on a clock.
    public var slowest: (unit: String, seconds: Double)? = nil
}

/// One failed unit, for the summary.
public struct UnitFailureReport: Sendable, Equatable {
    public var unit: String
    public var reason: String
    public var log: String
}

/// Receives what a run does, to show it. Called on the runner's thread; keep it quick.
public protocol RunObserver: AnyObject {
    /// How often ``progress(_:final:)`` should be called even when nothing happens (so a
    /// display of long-running units stays current); nil for only on events.
    var refreshInterval: Double? { get }
    /// Called often; throttle drawing yourself. `final` is true once, at the end.
    func progress(_ progress: RunProgress, final: Bool)
    /// A unit failed (for good, or before a retry when `retrying`).
    func unitFailed(_ report: UnitFailureReport, retrying: Bool)
    /// A notice for the user (interrupts, recovered journal tails...).
    func notice(_ message: String)
    /// SIGUSR1 asked what is running: labels with seconds running.
    func statusRequested(running: [(unit: String, seconds: Double)], progress: RunProgress)
}

/// An observer that shows nothing.
public final class SilentObserver: RunObserver {
    public init() {}
    public var refreshInterval: Double? { nil }
    public func progress(_ progress: RunProgress, final: Bool) {}
    public func unitFailed(_ report: UnitFailureReport, retrying: Bool) {}
    public func notice(_ message: String) {}
    public func statusRequested(running: [(unit: String, seconds: Double)], progress: RunProgress) {}
}
