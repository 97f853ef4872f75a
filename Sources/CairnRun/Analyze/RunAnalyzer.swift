import CairnCore
import CairnJournal
import Foundation

/// Builds a ``RunAnalysis`` from a run folder, read only (it works on a live run).
public enum RunAnalyzer {
    public static func analyze(_ inspector: RunInspector) -> RunAnalysis {
        let plan = inspector.plan, state = inspector.state, history = inspector.history
        // One output check (it only reads), for the counts and the state word alike.
        let damaged = OutputCheck.check(plan, state: state, root: inspector.snapshot.root, verify: false, remember: false, resolved: history).damaged
        var out = RunAnalysis(pipeline: plan.pipeline.name, runFolder: inspector.folder.path, state: inspector.stateWord(outputsInPlace: { damaged.isEmpty }),
                              items: plan.items.count, shard: inspector.snapshot.scope?.description)
        let running = inspector.live ? Set(state.openAttempts.keys) : []
        var causes: [String: (count: Int, examples: [String])] = [:]
        var causeOrder: [String] = []
        // The five slowest (seconds, unit, writer), and busy seconds per writer: no per-unit strings.
        var slowest: [(seconds: Double, unit: Int, writer: Int)] = []
        var busy = [Double](repeating: 0, count: state.writers.count)
        for s in plan.stepOrder {
            let step = plan.pipeline.steps[s]
            var entry = RunAnalysis.Step(step: step.name)
            var missing: [Int] = []
            var seconds: [Double] = []
            for unit in plan.units[plan.stepRanges[s]] {
                entry.units += 1
                let h = history.facts(unit.index)
                if !running.isEmpty, running.contains(unit.key) {
                    entry.running += 1
                } else if h.committed {
                    entry.committed += 1
                    if let ms = h.durationMs {
                        seconds.append(Double(ms) / 1000)
                        let w = Int(h.commitWriter), seconds = Double(ms) / 1000
                        if w >= 0 { busy[w] += seconds }
                        if slowest.count < 5 || seconds > slowest[slowest.count - 1].seconds {
                            slowest.append((seconds, unit.index, w))
                            slowest.sort { $0.seconds > $1.seconds }
                            if slowest.count > 5 { slowest.removeLast() }
                        }
                    }
                    if let reason = damaged[unit.index], reason.kind == .outputDeleted {
                        entry.outputsMissing += 1
                        if entry.missingOutputExamples.count < 3 { entry.missingOutputExamples.append(reason.detail) }
                    }
                    continue
                } else if h.failed, !h.interrupted, let failure = history[unit.index]?.lastFailure {
                    entry.failed += 1
                    let cause = Self.cause(failure, log: inspector.folder.log(step: step.name, label: plan.itemLabel(of: unit)))
                    if causes[cause] == nil { causeOrder.append(cause) }
                    causes[cause, default: (0, [])].count += 1
                    if causes[cause]!.examples.count < 2 { causes[cause]!.examples.append(plan.label(of: unit)) }
                } else if h.interrupted || h.forced {
                    entry.interrupted += 1
                } else {
                    entry.neverRan += 1
                }
                if let item = unit.item { missing.append(item) }
            }
            entry.missingItems = ItemRanges.describe(missing, in: plan)
            entry.durations = DurationStats(seconds)
            if entry.committed < entry.units, let p = state.partialAggregates[step.name], state.units[p.key]?.done == true {
                entry.partialAggregate = "\(p.items)/\(p.total)"
            }
            out.steps.append(entry)
        }
        out.failures = causeOrder.map { RunAnalysis.FailureGroup(cause: $0, count: causes[$0]!.count, examples: causes[$0]!.examples) }
            .sorted { $0.count > $1.count }
        out.slowest = slowest.map { RunAnalysis.Timed(unit: plan.label(of: plan.units[$0.unit]), seconds: $0.seconds, host: $0.writer >= 0 ? state.writers[$0.writer].host : "") }
        (out.sessions, out.hosts) = activity(state, live: inspector.live, busy: busy)
        out.orphanedTrials = inspector.orphanedTrials().count
        return out
    }

    /// A failure's cause: its reason, and the last line its log ends with.
    static func cause(_ reason: String, log: String) -> String {
        guard let tail = lastLine(of: log) else { return reason }
        return "\(reason) — \(tail)"
    }

    /// The last non-empty line of a file (read from its last 4 KiB), at most 120 characters.
    static func lastLine(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let line, !line.isEmpty else { return nil }
        return line.count > 120 ? String(line.prefix(119)) + "…" : line
    }

    /// Sessions (one per writer) and hosts, from the journal's writers.
    static func activity(_ state: JournalState, live: Bool, busy: [Double]) -> ([RunAnalysis.Session], [RunAnalysis.Host]) {
        var sessions: [RunAnalysis.Session] = []
        var hosts: [String: RunAnalysis.Host] = [:]
        var hostOrder: [String] = []
        var wall: [String: Double] = [:]
        let lastOwn = state.activity.indices.last { !state.activity[$0].imported }
        for (i, info) in state.writers.enumerated() where !info.host.isEmpty {
            let a = state.activity[i]
            let kind = a.imported ? "imported by merge" : a.merged ? "merge" : (info.job.isEmpty ? "session" : "SLURM worker \(info.job)")
            let outcome: String
            if let _ = a.ended {
                outcome = "ended"
            } else if live && i == lastOwn {
                outcome = "running"
            } else {
                outcome = "no end record (killed, crashed or lost power)"
            }
            let start = a.started ?? info.time
            let end = a.ended ?? a.lastTime
            sessions.append(RunAnalysis.Session(host: info.host, kind: kind, started: start, ended: a.ended,
                                                outcome: outcome, committed: a.commits, failed: a.failures, interrupted: a.interruptions,
                                                command: a.command, unitsPerSecond: end > start && a.commits > 0 ? Double(a.commits) * 1000 / Double(end - start) : nil))
            if hosts[info.host] == nil { hostOrder.append(info.host); hosts[info.host] = RunAnalysis.Host(host: info.host) }
            hosts[info.host]!.sessions += 1
            hosts[info.host]!.committed += a.commits
            hosts[info.host]!.failed += a.failures
            if end > start { wall[info.host, default: 0] += Double(end - start) / 1000 }
        }
        for (w, seconds) in busy.enumerated() where hosts[state.writers[w].host] != nil { hosts[state.writers[w].host]!.busySeconds += seconds }
        for h in hostOrder where (wall[h] ?? 0) > 0 { hosts[h]!.unitsPerSecond = Double(hosts[h]!.committed) / wall[h]! }
        return (sessions.sorted { $0.started < $1.started }, hostOrder.map { hosts[$0]! })
    }
}
