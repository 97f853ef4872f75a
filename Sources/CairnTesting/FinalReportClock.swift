import CairnRun
import Foundation

/// A ``RunObserver`` that notes when a session's runner made its final progress report: every
/// commit durable, before the session's own end (its final checkpoint, removing staging
/// folders). For tests and benchmarks timing a session from outside; read ``at`` after the
/// session returned.
public final class FinalReportClock: RunObserver, @unchecked Sendable {
    /// When the final report came (nil until it did).
    public private(set) var at: Date?

    public init() {}

    public var refreshInterval: Double? { nil }
    public func progress(_ progress: RunProgress, final: Bool) { if final { at = Date() } }
    public func unitFailed(_ report: UnitFailureReport, retrying: Bool) {}
    public func notice(_ message: String) {}
    public func statusRequested(running: [(unit: String, seconds: Double)], progress: RunProgress) {}
}
