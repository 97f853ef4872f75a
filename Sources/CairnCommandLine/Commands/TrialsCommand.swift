import ArgumentParser
import CairnCore
import CairnRun
import Foundation

struct TrialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trials",
        abstract: "One row per trial (item): its values, status, time and metrics; read-only, works on a live run.",
        discussion: """
            RUN is a run folder, a pipeline file, or a run name; without it, the most recently active run below the current folder. \
            Statuses: committed, failed, running, interrupted, pending, staged, orphaned (dropped by a restart; kept, shown with --all). \
            Metrics come from each step's `metrics:` and are journaled with its commits.
            """)

    @Argument(help: ArgumentHelp("The run to show.", valueName: "RUN"))
    var target: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Sort by a metric (or a numeric axis): NAME ascending, -NAME descending; the last line names the best trial.", valueName: "[-]NAME"))
    var sort: String?

    @Option(help: ArgumentHelp("Only the first N rows (after sorting).", valueName: "N"))
    var top: Int?

    @Option(name: .customLong("where"), help: ArgumentHelp("Only trials whose axis or metric passes: NAME=FROM:TO (numbers, TO excluded) or NAME=V1,V2. Repeatable.", valueName: "NAME=…"))
    var filters: [String] = []

    @Flag(help: "Include orphaned trials (dropped from the trial set by a restart).")
    var all = false

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @Flag(help: "Print CSV.")
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv: choose one") }
        if let top, top < 1 { throw ValidationError("--top \(top): give 1 or more") }
    }

    func run() throws {
        let folder = try RunTarget.resolve(target, preferUnfinished: false)
        let inspector = try RunInspector(folder: folder)
        var rows = inspector.trials(orphans: all)
        let metricNames = TrialTable.metricNames(rows)
        let axes = inspector.plan.axisNames
        for text in filters {
            guard let filter = RunSelection.AxisFilter.parse(text) else {
                throw ValidationError("--where \(text): give NAME=FROM:TO or NAME=V1,V2, e.g. --where loss=0:0.5")
            }
            guard axes.contains(filter.axis) || metricNames.contains(filter.axis) else {
                let hint = Suggestion.hint(for: filter.axis, in: axes + metricNames) { "'\($0)'" }
                throw RunError.usage("--where \(text): no axis or metric '\(filter.axis)'\(hint); axes: \(axes.joined(separator: ", ")); metrics: \(metricNames.isEmpty ? "none yet" : metricNames.joined(separator: ", "))")
            }
            rows = TrialTable.filtered(rows, by: filter)
        }
        var best: TrialRow?
        if let sort {
            let name = sort.hasPrefix("-") || sort.hasPrefix("+") ? String(sort.dropFirst()) : sort
            guard metricNames.contains(name) || axes.contains(name) else {
                let hint = Suggestion.hint(for: name, in: metricNames + axes) { "'\($0)'" }
                throw RunError.usage("--sort \(sort): no trial has a metric '\(name)'\(hint); metrics: \(metricNames.isEmpty ? "none yet" : metricNames.joined(separator: ", "))")
            }
            rows = TrialTable.sorted(rows, by: sort)
            best = rows.first.flatMap { $0.metrics[name] != nil || $0.value(name)?.number != nil ? $0 : nil }
        }
        if let top { rows = Array(rows.prefix(top)) }
        let printer = TrialsPrinter(rows: rows)
        if json {
            Terminal.standardOutput.writeExactly(printer.json(best: best))
        } else if csv {
            Terminal.standardOutput.writeExactly(printer.csv())
        } else {
            Terminal.standardOutput.write(printer.table())
            var counts: [TrialStatus: Int] = [:]
            for row in rows { counts[row.status, default: 0] += 1 }
            let summary = TrialStatus.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
            Terminal.standardOutput.line("\(rows.count) trial(s)\(summary.isEmpty ? "" : ": \(summary)")")
            if let best, let sort { Terminal.standardOutput.line(TrialsPrinter.bestLine(best, key: sort)) }
        }
    }
}
