import CairnCore
import CairnJournal
import CairnRun
import Foundation

/// The text of `cairn merge`.
struct MergePrinter {
    let report: MergeReport
    let color: Bool

    func text() -> String {
        let style = Style(on: color)
        var out = ""
        for s in report.sources {
            let hosts = s.hosts.isEmpty ? "" : " (ran on \(s.hosts.joined(separator: ", ")))"
            out += "\(Terminal.relative(s.source)): took \(style.bold("\(s.taken)")) unit(s)\(hosts); \(s.agreed) committed in both with identical outputs"
            if s.sessionsImported > 0 { out += "; \(s.sessionsImported) session(s) added to the history" }
            out += "\n"
            if s.forcedHere > 0 { out += "  \(s.forcedHere) unit(s) forced here (--force) not taken: they run here\n" }
            if !s.nondeterministic.isEmpty {
                out += style.red("  non-determinism: \(s.nondeterministic.count) unit(s) committed in both with different outputs") + " (this run's kept):\n"
                for n in s.nondeterministic.prefix(10) {
                    out += "    \(n.unit) \(n.output): here sha256 \(n.here.prefix(12)) (\(n.hereHost)), there \(n.there.prefix(12)) (\(n.thereHost))\n"
                }
                if s.nondeterministic.count > 10 { out += "    … and \(s.nondeterministic.count - 10) more (--json lists all)\n" }
            }
            for (title, list) in [("modified after commit", s.modified), ("missing or unreadable", s.missing)] where !list.isEmpty {
                out += style.red("  \(list.count) unit(s) not taken, outputs \(title) in the source:") + "\n"
                for r in list.prefix(10) { out += "    \(r.unit): \(r.reason)\n" }
                if list.count > 10 { out += "    … and \(list.count - 10) more (--json lists all)\n" }
            }
        }
        if let scope = report.scopeCleared {
            out += "this run was a shard (\(scope)); it now gathers the shards: `cairn resume` here runs what is still missing\n"
        }
        out += "\(Terminal.relative(report.destination)): \(report.committed)/\(report.units) units committed"
        if report.committed < report.units {
            out += "\nnext: `cairn resume \(Terminal.relative(report.destination))` runs the rest (the aggregates once every item is in)"
        }
        return out
    }
}
