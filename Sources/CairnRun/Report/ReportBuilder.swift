import CairnCore
import CairnJournal
import Foundation

/// Gathers ``ReportData`` from a run folder: one streaming pass over the journal
/// (``TraceReader``) for attempts, durations, resource use and the timeline, plus the run's
/// status, history, failures (with the last lines of their logs) and trial table.
public enum ReportBuilder {
    /// Up to this many attempts the timeline draws one bar each; beyond, it aggregates.
    public static let barLimit = 20_000
    static let buckets = 400

    /// One attempt, compactly, for the timeline.
    struct Span {
        var start: Int64
        var end: Int64
        var group: Int32
        var status: UInt8
        var step: Int32
        var name: Int32
    }

    public static func build(folder: RunFolder, inspector: RunInspector, now: Date = Date()) throws(RunError) -> ReportData {
        let plan = inspector.plan
        let steps = plan.pipeline.steps
        let status = inspector.status()
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)

        var stepIndex: [String: Int] = [:]
        for (i, s) in steps.enumerated() { stepIndex[s.name] = i }
        var durations = [[Int64]](repeating: [], count: steps.count)
        var attempts = [Int](repeating: 0, count: steps.count)
        var cpu = [(sum: Double, count: Int)](repeating: (0, 0), count: steps.count)
        var rss = [Int64?](repeating: nil, count: steps.count)
        var spans: [Span] = []
        var names: [String] = []
        var groups: [String: Int32] = [:]
        var groupNames: [String] = []
        var failedAttempts = 0
        try TraceReader(folder: folder, plan: plan).read(live: inspector.live) { row in
            let s = stepIndex[row.step] ?? -1
            if s >= 0 {
                attempts[s] += 1
                if row.status == .committed, let ms = row.realtimeMs { durations[s].append(ms) }
                if let p = row.cpuPercent { cpu[s].sum += p; cpu[s].count += 1 }
                if let u = row.usage { rss[s] = max(rss[s] ?? 0, u.peakRSSKB * 1024) }
            }
            if row.status == .failed || row.status == .timedOut { failedAttempts += 1 }
            let end = row.complete ?? nowMs
            let start = row.start ?? (end - (row.realtimeMs ?? 0))
            // A lane group is a session on a host; a SLURM worker's is its array task.
            let label = row.slurmJob.isEmpty ? "session \(row.session) · \(row.host.isEmpty ? "?" : row.host)"
                : "SLURM \(row.slurmJob) · \(row.host.isEmpty ? "?" : row.host)"
            let group = groups[label] ?? {
                groupNames.append(label)
                groups[label] = Int32(groupNames.count - 1)
                return Int32(groupNames.count - 1)
            }()
            var name: Int32 = -1
            if names.count <= barLimit { names.append("\(row.name) #\(row.attempt)"); name = Int32(names.count - 1) }
            spans.append(Span(start: start, end: max(end, start), group: group, status: code(row.status), step: Int32(s), name: name))
        }

        let history = RunHistory(state: inspector.state, folder: folder, live: inspector.live)
        var reportSteps: [ReportData.Step] = []
        for (i, spec) in steps.enumerated() {
            let st = status.steps.first { $0.step == spec.name } ?? StepStatus(step: spec.name)
            reportSteps.append(ReportData.Step(
                name: spec.name, status: st, attempts: attempts[i], durations: stats(durations[i]),
                cpuPercent: cpu[i].count > 0 ? cpu[i].sum / Double(cpu[i].count) : nil,
                cpusRequested: spec.isClosure ? nil : Double(spec.resources.cpus),
                peakRSS: rss[i], memoryRequested: spec.resources.memoryMB > 0 ? Int64(spec.resources.memoryMB) << 20 : nil))
        }
        let (failures, failedUnits) = Self.failures(folder: folder, inspector: inspector)
        return ReportData(
            pipeline: plan.pipeline.name, runFolder: folder.path, state: inspector.stateWord, generated: TraceTable.time(nowMs),
            total: status.total, steps: reportSteps, next: next(inspector), sessions: history.sessions, slurmWorkers: history.workers,
            timeline: timeline(spans, names: names, groups: groupNames, sessions: history.sessions), failures: failures,
            failedUnits: failedUnits, failedAttempts: failedAttempts, trials: trials(inspector))
    }

    static func code(_ s: TraceRow.Status) -> UInt8 {
        switch s {
        case .committed: 0
        case .failed: 1
        case .timedOut: 2
        case .interrupted: 3
        case .running: 4
        case .reused: 5
        case .merged: 6
        }
    }

    static func stats(_ values: [Int64]) -> ReportData.Durations {
        guard !values.isEmpty else { return ReportData.Durations() }
        let sorted = values.map { max(0, $0) }.sorted()
        let maxMs = sorted.last!
        var histogram = [Int](repeating: 0, count: 20)
        for v in sorted { histogram[maxMs == 0 ? 0 : min(19, Int(v * 20 / (maxMs + 1)))] += 1 }
        return ReportData.Durations(count: sorted.count, medianMs: sorted[sorted.count / 2],
                                    p95Ms: sorted[min(sorted.count - 1, sorted.count * 95 / 100)], maxMs: maxMs, histogram: histogram)
    }

    /// What `cairn resume` would do now.
    static func next(_ inspector: RunInspector) -> String {
        let decisions = inspector.explain().decisions
        var why: [String: Int] = [:]
        var order: [String] = []
        var held = 0
        for d in decisions {
            switch d {
            case .run(let reasons):
                let g = reasons.first?.group ?? "runs"
                if why[g] == nil { order.append(g) }
                why[g, default: 0] += 1
            case .held, .skippedFailed, .blocked: held += 1
            default: continue
            }
        }
        let runs = why.values.reduce(0, +)
        if runs == 0 { return held == 0 ? "nothing: every unit is committed" : "nothing can run: \(held) unit(s) are held back or blocked" }
        return "`cairn resume` would run \(runs) unit(s): " + order.map { "\(why[$0]!) \($0)" }.joined(separator: ", ")
    }

    /// Units whose last attempt failed and that are not committed: the first 50, with the end of their logs.
    static func failures(folder: RunFolder, inspector: RunInspector) -> ([ReportData.Failure], Int) {
        var out: [ReportData.Failure] = []
        var count = 0
        for u in inspector.plan.units {
            guard let h = inspector.state.units[u.key], !h.committed, let reason = h.lastFailure else { continue }
            count += 1
            guard out.count < 50 else { continue }
            let log = folder.log(step: inspector.plan.step(of: u).name, label: inspector.plan.itemLabel(of: u))
            out.append(ReportData.Failure(unit: inspector.plan.label(of: u), attempt: h.attempts, reason: reason, log: log, tail: tail(log)))
        }
        return (out, count)
    }

    /// The last 12 lines of a file (its last 8 KiB at most), each cut to 300 characters.
    static func tail(_ path: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 8192 ? size - 8192 : 0)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(13).filter { !$0.isEmpty }.suffix(12).map { String($0.prefix(300)) }
    }

    static func trials(_ inspector: RunInspector) -> ReportData.Trials? {
        guard inspector.plan.pipeline.steps.contains(where: { $0.metrics != nil }) else { return nil }
        let rows = inspector.trials(orphans: false)
        let metricNames = Array(Set(rows.flatMap { $0.metrics.keys })).sorted()
        let axes = inspector.plan.axisNames
        var out: [[String]] = []
        for r in rows.prefix(500) {
            var cells = [r.number.map(String.init) ?? "-"]
            cells += r.values.map { $0.value.description }
            cells.append(r.status.rawValue)
            cells.append(r.durationMs.map { String(format: "%.1fs", Double($0) / 1000) } ?? "-")
            cells += metricNames.map { r.metrics[$0].map { String(format: "%.6g", $0) } ?? "-" }
            out.append(cells)
        }
        return ReportData.Trials(columns: ["#"] + axes + ["status", "time"] + metricNames, rows: out)
    }
}
