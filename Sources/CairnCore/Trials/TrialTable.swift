/// Where a trial (an item: one combination of axis values, with all its units) stands.
public enum TrialStatus: String, Sendable, Codable, CaseIterable {
    /// Every unit of the item is committed.
    case committed
    /// A unit failed (and is not committed).
    case failed
    /// A unit is running in a live run.
    case running
    /// A unit was stopped (interrupt, kill) and has not committed since.
    case interrupted
    /// Nothing of it ran yet.
    case pending
    /// Created by `cairn run --stage`: queued, nothing ran yet; `cairn resume` runs it.
    case staged
    /// No longer in the run's trial set (a restart narrowed it); its results are kept and
    /// taken again if a later restart brings it back.
    case orphaned
}

/// One row of the trial table.
public struct TrialRow: Sendable, Equatable {
    /// 1-based position in the run's current trial set; nil for an orphaned trial.
    public var number: Int?
    /// Axis name and value, in axis order.
    public var values: [(name: String, value: ItemValue)]
    public var status: TrialStatus
    /// Total time of its committed units (ms); nil when none committed.
    public var durationMs: Int64?
    /// Metrics of its units, later steps' values winning, by name.
    public var metrics: [String: Double]

    public init(number: Int?, values: [(name: String, value: ItemValue)], status: TrialStatus, durationMs: Int64?, metrics: [String: Double]) {
        self.number = number
        self.values = values
        self.status = status
        self.durationMs = durationMs
        self.metrics = metrics
    }

    /// The value of axis `name`, if the trial has it.
    public func value(_ name: String) -> ItemValue? { values.first { $0.name == name }?.value }

    /// The row as a JSON object: `number`, `values` (with `params`), and with `results`,
    /// `status`, `duration_s` and `metrics`. Values keep their type (`1.0`, `true`, `"1.0"`).
    public func json(params: [PipelineSpec.Param] = [], results: Bool = true) -> CanonicalJSON {
        var fields: [String: CanonicalJSON] = [:]
        for v in values { fields[v.name] = v.value.json }
        for p in params { fields[p.name] = p.value.json }
        var members: [String: CanonicalJSON] = ["number": number.map { .int($0) } ?? .null, "values": .object(fields)]
        if results {
            members["status"] = .string(status.rawValue)
            members["duration_s"] = durationMs.map { .double(Double($0) / 1000) } ?? .null
            members["metrics"] = .object(metrics.mapValues { .double($0) })
        }
        return .object(members)
    }

    public static func == (a: TrialRow, b: TrialRow) -> Bool {
        a.number == b.number && a.values.map(\.name) == b.values.map(\.name) && a.values.map(\.value) == b.values.map(\.value)
            && a.status == b.status && a.durationMs == b.durationMs && a.metrics == b.metrics
    }
}

/// The trials of a run: one row per item, with status, duration and metrics. Pure.
public enum TrialTable {
    /// Rows for the items of `plan` (all of them, or `only` these item indices).
    /// - Parameters:
    ///   - history: the journal's view per unit key.
    ///   - resolved: `history` resolved for `plan` (see ``PlanHistory``), when the caller holds it.
    ///   - metrics: the metrics each key's commit journaled.
    ///   - running: keys with an attempt in progress in a live run.
    ///   - staged: the run was staged (`--stage`): items nothing ran of are `staged`, not `pending`.
    public static func rows(
        plan: Plan, history: UnitTable, resolved: PlanHistory? = nil, metrics: [Digest: [Metric]], running: Set<Digest> = [],
        staged: Bool = false, only: [Int]? = nil
    ) -> [TrialRow] {
        precondition(resolved.map { $0.count == plan.units.count } ?? true, "a plan history resolved for another plan")
        // The units of each item, as one flat list with a start per item (a million items
        // would otherwise be a million small arrays).
        var starts = [Int32](repeating: 0, count: plan.items.count + 1)
        for u in plan.units { if let item = u.item { starts[item + 1] += 1 } }
        for i in plan.items.indices { starts[i + 1] += starts[i] }
        var next = starts
        var unitsOfItem = [Int32](repeating: 0, count: Int(starts[plan.items.count]))
        for u in plan.units {
            guard let item = u.item else { continue }
            unitsOfItem[Int(next[item])] = Int32(u.index)
            next[item] += 1
        }
        let axes = plan.axisNames
        let wanted = only ?? Array(plan.items.indices)
        // Each row reads only the plan and the journal's view: rows are made on every core.
        return ParallelMap.map(wanted.count, threshold: 50_000) { position in
            let item = wanted[position]
            var done = 0, failed = false, interrupted = false, isRunning = false, attempted = false
            var duration: Int64 = 0
            var measured: [String: Double] = [:]
            let mine = Int(starts[item])..<Int(starts[item + 1])
            for n in mine {
                let index = Int(unitsOfItem[n]), key = plan.units[index].key
                if !running.isEmpty, running.contains(key) { isRunning = true }
                let h = resolved.map { $0.facts(index) } ?? PlanHistory.Facts(history[key])
                guard h.known else { continue }
                if h.attempted || h.committed { attempted = true }
                if h.done {
                    done += 1
                    duration += h.durationMs ?? 0
                    if !metrics.isEmpty { for m in metrics[key] ?? [] { measured[m.name] = m.value } }
                } else if h.failed && !h.committed {
                    failed = true
                } else if h.interrupted || h.remaking {
                    interrupted = true
                }
            }
            let status: TrialStatus
            if isRunning { status = .running }
            else if done == mine.count { status = .committed }
            else if failed { status = .failed }
            else if interrupted { status = .interrupted }
            else if staged && !attempted { status = .staged }
            else { status = .pending }
            let values = plan.items[item].values
            var named: [(name: String, value: ItemValue)] = []
            named.reserveCapacity(values.count)
            for (name, value) in zip(axes, values) { named.append((name, value)) }
            return TrialRow(number: item + 1, values: named, status: status, durationMs: done > 0 ? duration : nil, metrics: measured)
        }
    }

    /// The metric names of `rows`, sorted.
    public static func metricNames(_ rows: [TrialRow]) -> [String] {
        var names = Set<String>()
        for row in rows where !row.metrics.isEmpty {
            for name in row.metrics.keys { names.insert(name) }
        }
        return names.sorted()
    }

    /// The rows whose axis, or else metric, named by `filter` passes it (`--where`).
    public static func filtered(_ rows: [TrialRow], by filter: RunSelection.AxisFilter) -> [TrialRow] {
        rows.filter { row in
            if let v = row.value(filter.axis) { return filter.accepts(v) }
            if let m = row.metrics[filter.axis] { return filter.accepts(.double(m)) }
            return false
        }
    }

    /// Sorts by a metric (`loss`, ascending) or `-acc` (descending); rows without the metric
    /// (or with an axis of that name) come last, in their order.
    public static func sorted(_ rows: [TrialRow], by key: String) -> [TrialRow] {
        let descending = key.hasPrefix("-")
        let name = descending || key.hasPrefix("+") ? String(key.dropFirst()) : key
        func number(_ row: TrialRow) -> Double? { row.metrics[name] ?? row.value(name)?.number }
        let indexed = rows.enumerated().map { ($0.offset, $0.element, number($0.element)) }
        return indexed.sorted { a, b in
            switch (a.2, b.2) {
            case (let x?, let y?): return x != y ? (descending ? x > y : x < y) : a.0 < b.0
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.0 < b.0
            }
        }.map(\.1)
    }
}
