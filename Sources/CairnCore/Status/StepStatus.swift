/// Counts for one step of a run, as `cairn status` and `cairn plan` show them.
public struct StepStatus: Sendable, Equatable, Codable {
    public var step: String
    public var total = 0
    public var committed = 0
    public var running = 0
    public var failed = 0
    public var interrupted = 0
    public var pending = 0
    /// Units committed per second over the recent window, if known.
    public var rate: Double?
    /// Seconds until the step's pending units are done at the current rate, if known.
    public var eta: Double?
    /// An aggregate not committed over every item, but committed as a partial aggregate
    /// (`--aggregate-only`) over this many of ``partialTotal`` items.
    public var partialItems: Int?
    public var partialTotal: Int?

    public init(step: String) { self.step = step }
}

/// Where a run stands: per-step counts plus totals. Built by ``StatusReport/build(plan:history:running:live:recentSince:window:partials:)``.
public struct StatusReport: Sendable, Equatable, Codable {
    public var pipeline: String
    public var steps: [StepStatus]
    public var live: Bool

    public init(pipeline: String, steps: [StepStatus], live: Bool) {
        self.pipeline = pipeline
        self.steps = steps
        self.live = live
    }

    /// Totals over all steps.
    public var total: StepStatus {
        var t = StepStatus(step: "total")
        for s in steps {
            t.total += s.total
            t.committed += s.committed
            t.running += s.running
            t.failed += s.failed
            t.interrupted += s.interrupted
            t.pending += s.pending
        }
        let rates = steps.compactMap(\.rate)
        t.rate = rates.isEmpty ? nil : rates.reduce(0, +)
        if let r = t.rate, r > 0 { t.eta = Double(t.pending + t.running) / r }
        return t
    }

    /// Builds the report. Pure. One pass over the units (a million-unit run's status is
    /// published by its session every few seconds).
    /// - Parameters:
    ///   - history: the journal's view per unit key.
    ///   - resolved: `history` resolved for `plan` (see ``PlanHistory``), when the caller holds it.
    ///   - running: keys with an attempt in progress in a live run.
    ///   - recentSince: with `window` > 0, commits at or after this time (ms) count toward the rate.
    public static func build(
        plan: Plan, history: UnitTable, resolved: PlanHistory? = nil, running: Set<Digest>, live: Bool,
        recentSince: Int64, window: Double, partials: [String: (items: Int, total: Int)] = [:]
    ) -> StatusReport {
        precondition(resolved.map { $0.count == plan.units.count } ?? true, "a plan history resolved for another plan")
        var steps: [StepStatus] = []
        let rates = live && window > 0
        for s in plan.stepOrder {
            var status = StepStatus(step: plan.pipeline.steps[s].name)
            // Counted in chunks on every core: at a million units the lookups are the time.
            let range = plan.stepRanges[s]
            let size = 1 << 16
            let tallies = ParallelMap.map((range.count + size - 1) / size, threshold: 2) { c in
                var t = StepStatus(step: "")
                var recent = 0
                for i in (range.lowerBound + c * size)..<min(range.upperBound, range.lowerBound + (c + 1) * size) {
                    let key = plan.units[i].key
                    let facts = resolved.map { $0.facts(i) } ?? PlanHistory.Facts(history[key])
                    if rates, facts.committed, let time = (resolved.map { $0[i] } ?? history[key])?.commitTime, time >= recentSince { recent += 1 }
                    if live, !running.isEmpty, running.contains(key) { t.running += 1; continue }
                    switch UnitStanding(facts, failure: { "" }) {
                    case .committed: t.committed += 1
                    case .failed: t.failed += 1
                    case .interrupted: t.interrupted += 1
                    case .new, .forced: t.pending += 1
                    }
                }
                return (t, recent)
            }
            var recent = 0
            for (t, r) in tallies {
                status.committed += t.committed
                status.running += t.running
                status.failed += t.failed
                status.interrupted += t.interrupted
                status.pending += t.pending
                recent += r
            }
            status.total = range.count
            if status.committed < status.total, let partial = partials[status.step] {
                status.partialItems = partial.items
                status.partialTotal = partial.total
            }
            if rates {
                status.rate = Double(recent) / window
                if recent > 0 { status.eta = Double(status.pending + status.running + status.interrupted) / status.rate! }
            }
            steps.append(status)
        }
        return StatusReport(pipeline: plan.pipeline.name, steps: steps, live: live)
    }
}
