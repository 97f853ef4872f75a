import HeapModule

/// Decides which unit runs next. Pure state machine over a ``Plan``: no clock, no processes.
///
/// Ready units are handed out item-major (all steps of item 0 before item 1, as far as the
/// dependencies allow) so whole items finish early; aggregate (`once`) units go first once ready.
/// When a unit fails for good, every unit that depends on it, directly or not, is skipped.
public struct Scheduler: Sendable {
    /// The state of one unit.
    public enum State: UInt8, Sendable {
        case waiting, ready, running, delayed, done, failed, skipped, excluded
    }

    struct Ready: Comparable {
        let priority: Int
        let unit: Int
        static func < (a: Ready, b: Ready) -> Bool { (a.priority, a.unit) < (b.priority, b.unit) }
    }

    public private(set) var states: [State]
    private var missing: [Int32]
    private var dependents: [[Int32]]
    private var ready = Heap<Ready>()
    private var delayed: [(until: Double, unit: Int)] = []
    private let priorities: [Int]
    /// Units that have not reached done, failed, skipped or excluded.
    public private(set) var open: Int

    /// Schedules `plan`; units with `include[i] == false` are treated as already done.
    public init(plan: Plan, include: [Bool]) {
        let n = plan.units.count
        states = [State](repeating: .waiting, count: n)
        missing = [Int32](repeating: 0, count: n)
        dependents = [[Int32]](repeating: [], count: n)
        var position = [Int](repeating: 0, count: plan.pipeline.steps.count)
        for (p, s) in plan.stepOrder.enumerated() { position[s] = p }
        let stepCount = plan.pipeline.steps.count
        priorities = plan.units.map { u in u.item.map { $0 * stepCount + position[u.step] } ?? -1 }
        open = 0
        for unit in plan.units {
            guard include[unit.index] else { states[unit.index] = .excluded; continue }
            open += 1
            for need in unit.needs where include[need] {
                missing[unit.index] += 1
                dependents[need].append(Int32(unit.index))
            }
        }
        for unit in plan.units where include[unit.index] && missing[unit.index] == 0 {
            states[unit.index] = .ready
            ready.insert(Ready(priority: priorities[unit.index], unit: unit.index))
        }
    }

    /// True when every included unit is done, failed or skipped.
    public var isFinished: Bool { open == 0 }

    /// Units ready to start now.
    public var readyCount: Int { ready.count }

    /// Whether any unit waits for `unit` to finish.
    public func hasDependents(_ unit: Int) -> Bool { !dependents[unit].isEmpty }

    /// ``hasDependents(_:)`` of every unit, by index (for a caller asking once per unit).
    public var unitsWithDependents: [Bool] { dependents.map { !$0.isEmpty } }

    /// Takes the next ready unit and marks it running.
    public mutating func next() -> Int? {
        guard let r = ready.popMin() else { return nil }
        states[r.unit] = .running
        return r.unit
    }

    /// Marks a running unit done; its dependents may become ready.
    public mutating func succeeded(_ unit: Int) {
        states[unit] = .done
        open -= 1
        for d in dependents[unit] {
            let d = Int(d)
            missing[d] -= 1
            if missing[d] == 0, states[d] == .waiting {
                states[d] = .ready
                ready.insert(Ready(priority: priorities[d], unit: d))
            }
        }
    }

    /// Marks a running unit failed for good and skips everything downstream. Returns the skipped units.
    @discardableResult
    public mutating func failed(_ unit: Int) -> [Int] {
        states[unit] = .failed
        open -= 1
        var skipped: [Int] = []
        var stack = dependents[unit].map(Int.init)
        while let d = stack.popLast() {
            guard states[d] == .waiting else { continue }
            states[d] = .skipped
            open -= 1
            skipped.append(d)
            stack.append(contentsOf: dependents[d].map(Int.init))
        }
        return skipped
    }

    /// Sets aside a unit just taken (it would not finish in time) and everything that depends
    /// on it: they end this session not started, and are not failures. Returns how many.
    @discardableResult
    public mutating func postpone(_ unit: Int) -> Int {
        states[unit] = .excluded
        open -= 1
        var count = 1
        var stack = dependents[unit].map(Int.init)
        while let d = stack.popLast() {
            guard states[d] == .waiting else { continue }
            states[d] = .excluded
            open -= 1
            count += 1
            stack.append(contentsOf: dependents[d].map(Int.init))
        }
        return count
    }

    /// Puts a running unit back to run again at time `until` (a retry).
    public mutating func retry(_ unit: Int, at until: Double) {
        states[unit] = .delayed
        delayed.append((until, unit))
    }

    /// Puts a running unit back into the ready queue (it was not really started).
    public mutating func requeue(_ unit: Int) {
        states[unit] = .ready
        ready.insert(Ready(priority: priorities[unit], unit: unit))
    }

    /// Moves delayed units whose time has come to ready. Returns the earliest time still waiting.
    @discardableResult
    public mutating func release(now: Double) -> Double? {
        var earliest: Double?
        delayed.removeAll { entry in
            if entry.until <= now {
                states[entry.unit] = .ready
                ready.insert(Ready(priority: priorities[entry.unit], unit: entry.unit))
                return true
            }
            earliest = min(earliest ?? entry.until, entry.until)
            return false
        }
        return earliest
    }
}
