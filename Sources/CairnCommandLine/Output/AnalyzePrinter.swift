import CairnCore
import CairnRun
import Foundation

/// The text of `cairn analyze`.
struct AnalyzePrinter {
    let analysis: RunAnalysis
    let color: Bool

    func text() -> String {
        let style = Style(on: color)
        let a = analysis
        var out = style.bold("run \(a.pipeline)") + " — \(a.state) — \(a.items) items — \(Terminal.relative(a.runFolder))\n"
        if let shard = a.shard { out += "shard: \(shard)\n" }
        var rows = [["STEP", "UNITS", "COMMITTED", "FAILED", "INTERRUPTED", "NEVER RAN", "RUNNING", "OUTPUTS GONE", "MEDIAN", "P95", "MAX"]]
        for s in a.steps {
            rows.append([s.step, "\(s.units)", "\(s.committed)", "\(s.failed)", "\(s.interrupted)", "\(s.neverRan)", "\(s.running)", "\(s.outputsMissing)",
                         s.durations.map { Self.seconds($0.median) } ?? "-", s.durations.map { Self.seconds($0.p95) } ?? "-", s.durations.map { Self.seconds($0.max) } ?? "-"])
        }
        out += Terminal.table(rows, indent: "  ")
        for s in a.steps {
            if let partial = s.partialAggregate { out += "  \(s.step): committed as a partial aggregate over \(partial) items\n" }
            if !s.missingItems.isEmpty {
                out += "  \(s.step) missing: " + s.missingItems.joined(separator: "; ") + "\n"
            }
            if !s.missingOutputExamples.isEmpty {
                out += "  \(s.step) outputs the journal has but the disk lacks: \(s.missingOutputExamples.joined(separator: ", "))\(s.outputsMissing > s.missingOutputExamples.count ? ", …" : "") (`cairn resume` makes them again)\n"
            }
        }
        if !a.failures.isEmpty {
            out += style.bold("failures by cause") + "\n"
            for f in a.failures.prefix(10) { out += "  \(f.count) × \(f.cause)\n      e.g. \(f.examples.joined(separator: ", "))\n" }
            if a.failures.count > 10 { out += "  … and \(a.failures.count - 10) more causes (--json)\n" }
        }
        if !a.slowest.isEmpty {
            out += style.bold("slowest units") + "\n"
            for t in a.slowest { out += "  \(Self.seconds(t.seconds))  \(t.unit)\(t.host.isEmpty ? "" : " on \(t.host)")\n" }
        }
        if !a.hosts.isEmpty {
            out += style.bold("hosts") + "\n"
            var hostRows = [["HOST", "SESSIONS", "COMMITTED", "FAILED", "BUSY", "UNITS/S"]]
            for h in a.hosts {
                hostRows.append([h.host, "\(h.sessions)", "\(h.committed)", "\(h.failed)", Self.seconds(h.busySeconds), h.unitsPerSecond.map { String(format: "%.2f", $0) } ?? "-"])
            }
            out += Terminal.table(hostRows, indent: "  ")
        }
        if !a.sessions.isEmpty {
            out += style.bold("sessions") + "\n"
            let formatter = ISO8601DateFormatter()
            var sessionRows = [["#", "HOST", "KIND", "STARTED", "ENDED", "OUTCOME", "COMMITTED", "FAILED", "INTERRUPTED", "UNITS/S"]]
            for (i, s) in a.sessions.enumerated() {
                sessionRows.append(["\(i + 1)", s.host, s.kind, formatter.string(from: Date(timeIntervalSince1970: Double(s.started) / 1000)),
                                    s.ended.map { formatter.string(from: Date(timeIntervalSince1970: Double($0) / 1000)) } ?? "-", s.outcome,
                                    "\(s.committed)", "\(s.failed)", "\(s.interrupted)", s.unitsPerSecond.map { String(format: "%.1f", $0) } ?? "-"])
            }
            out += Terminal.table(sessionRows, indent: "  ")
            for (i, s) in a.sessions.enumerated() { if let command = s.command { out += "  \(i + 1): \(command)\n" } }
        }
        if a.orphanedTrials > 0 { out += "orphaned: \(a.orphanedTrials) trial(s) a restart dropped (`cairn trials --all`)\n" }
        return out.trimmingCharacters(in: .newlines)
    }

    /// The survey of a pipeline with no run folder.
    static func text(_ survey: DiskSurvey, file: String) -> String {
        var out = "\(file) has no run folder; outputs found on disk under \(Terminal.relative(survey.root)):\n"
        var rows = [["STEP", "UNITS", "OUTPUTS PRESENT", "SOME OUTPUTS", "MISSING"]]
        for s in survey.steps {
            rows.append([s.step, "\(s.units)", s.noOutputs ? "(no outputs)" : "\(s.present)", "\(s.incomplete)", s.noOutputs ? "-" : "\(s.units - s.present)"])
        }
        out += Terminal.table(rows, indent: "  ")
        for s in survey.steps where !s.missingItems.isEmpty && s.present > 0 { out += "  \(s.step) missing: \(s.missingItems.joined(separator: "; "))\n" }
        out += "`cairn adopt \(file)` shows what it would record as committed; add --yes to do it"
        return out
    }

    static func seconds(_ s: Double) -> String {
        if s < 10 { return String(format: "%.2fs", s) }
        if s < 600 { return String(format: "%.0fs", s) }
        return String(format: "%.0fm", s / 60)
    }
}
