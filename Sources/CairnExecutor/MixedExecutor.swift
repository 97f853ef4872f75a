/// Runs shell commands as process groups and Swift closures in process, sharing one limit of
/// ``slots`` and one wait: a pipeline whose steps mix both.
public final class MixedExecutor: Executor {
    public let processes: LocalExecutor
    public let closures: InProcessExecutor

    /// - Parameters:
    ///   - slots: the most attempts at once, of both kinds together.
    ///   - signalFD: read end of the signal pipe, if signals should wake waits.
    public init(slots: Int, signalFD: Int32? = nil) {
        let port = EventPort(signalFD: signalFD)
        processes = LocalExecutor(slots: slots, port: port)
        closures = InProcessExecutor(slots: slots, port: port)
    }

    public var slots: Int { processes.slots }
    public var runningCount: Int { processes.runningCount + closures.runningCount }

    public func start(_ attempt: AttemptRequest) throws(ExecutorError) -> AttemptHandle {
        switch attempt.work {
        case .process: try processes.start(attempt)
        case .closure: try closures.start(attempt)
        }
    }

    public func wait(until deadline: Double?) -> ExecutorEvents {
        var events = ExecutorEvents()
        closures.collect(into: &events)
        if !events.ends.isEmpty {
            // Reap processes that ended too, without blocking.
            if processes.runningCount > 0 {
                let more = processes.wait(until: MonotonicClock.now())
                events.ends += more.ends
                events.signals += more.signals
            }
            return events
        }
        var next = deadline
        if let d = closures.nextDeadline { next = min(next ?? d, d) }
        if closures.runningCount > 0 && !closures.willSleep() { next = MonotonicClock.now() }  // ends arrived meanwhile
        events = processes.wait(until: next)
        closures.awake()
        closures.collect(into: &events)
        return events
    }

    public func stopAll(grace: Double) {
        processes.stopAll(grace: grace)
        closures.stopAll(grace: grace)
    }

    public func killAll() {
        processes.killAll()
        closures.killAll()
    }

    public var waker: Waker { processes.waker }
}
