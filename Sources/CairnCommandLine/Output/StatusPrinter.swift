import CairnCore
import CairnRun
import Foundation

/// The text of `cairn status`.
struct StatusPrinter {
    let report: StatusReport
    let state: String
    let folder: RunFolder
    let color: Bool

    func text() -> String {
        var out = Style(on: color).bold("run \(report.pipeline)") + " — \(state) — \(Terminal.relative(folder.path))\n"
        var rows = [["STEP", "COMMITTED", "RUNNING", "FAILED", "INTERRUPTED", "PENDING", "RATE", "ETA"]]
        for s in report.steps + [report.total] {
            rows.append([s.step, "\(s.committed)/\(s.total)", "\(s.running)", "\(s.failed)", "\(s.interrupted)", "\(s.pending)",
                         s.rate.map { String(format: "%.1f/s", $0) } ?? "-", s.eta.map(humanDuration) ?? "-"])
        }
        out += Terminal.table(rows, indent: "  ")
        for s in report.steps {
            if let items = s.partialItems, let total = s.partialTotal {
                out += "  \(s.step): committed over \(items)/\(total) items (partial, --aggregate-only); it runs again over every item once all are committed\n"
            }
        }
        return out.trimmingCharacters(in: .newlines)
    }
}
