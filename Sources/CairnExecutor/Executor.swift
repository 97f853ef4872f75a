/// What woke a wait.
public struct ExecutorEvents: Sendable {
    /// Attempts that ended.
    public var ends: [AttemptEnd] = []
    /// Signals that arrived through the signal pipe.
    public var signals: [Int32] = []

    public init(ends: [AttemptEnd] = [], signals: [Int32] = []) {
        self.ends = ends
        self.signals = signals
    }
}

/// Runs attempts of units: ``LocalExecutor`` as process groups on this machine,
/// ``InProcessExecutor`` as Swift closures in this process, ``MixedExecutor`` both.
///
/// The runner drives an executor from one thread: it starts attempts up to ``slots``, then
/// waits for an event (an attempt ended, a signal, a wake-up, a deadline). Stopping is a
/// request: every running attempt is asked to stop, and the executor forces an end `grace`
/// seconds later; an attempt always ends with an ``AttemptEnd``.
public protocol Executor: AnyObject {
    /// How many attempts may run at once.
    var slots: Int { get }
    /// Attempts running now.
    var runningCount: Int { get }
    /// Starts an attempt.
    func start(_ attempt: AttemptRequest) throws(ExecutorError) -> AttemptHandle
    /// Waits until an attempt ends, a signal arrives, ``waker`` is used, or the monotonic time `deadline`.
    func wait(until deadline: Double?) -> ExecutorEvents
    /// Asks every running attempt to stop (its stop signal, or cancellation) and forces its end
    /// `grace` seconds later.
    func stopAll(grace: Double)
    /// Forces every running attempt's end now.
    func killAll()
    /// A handle other threads can use to make a pending ``wait(until:)`` return.
    var waker: Waker { get }
}

/// A thread-safe handle that wakes an executor's pending wait.
public struct Waker: Sendable {
    let fd: Int32

    /// Wakes the wait; safe from any thread, including the journal's writer thread.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
    }
}

#if canImport(Glibc)
import Glibc
#endif
