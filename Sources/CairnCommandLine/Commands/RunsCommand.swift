import ArgumentParser
import CairnCore
import CairnRun
import Foundation

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List the runs below the current folder.",
        discussion: "Five folders deep, with each run's state, committed and total units and last activity. Reads only; works beside live runs.")

    @Flag(help: "Print JSON: {\"runs\": [{name, state, committed, failed, interrupted, total, lastActivity, folder}]} (an unreadable run has no counts).")
    var json = false

    /// One run as `--json` shows it.
    struct Row: Encodable {
        var name: String
        var state: String
        var committed: Int?
        var failed: Int?
        var interrupted: Int?
        var total: Int?
        var lastActivity: String
        /// The run folder's absolute path.
        var folder: String
    }

    func run() throws {
        let entries = RunCatalog.find(under: ".")
        let formatter = ISO8601DateFormatter()
        let rows = entries.map { entry -> Row in
            let time = formatter.string(from: entry.lastActivity)
            let path = URL(fileURLWithPath: entry.folder.path).standardizedFileURL.path
            guard let summary = try? StatusSummary.of(entry.folder) else {
                return Row(name: (entry.folder.path as NSString).lastPathComponent, state: "unreadable", lastActivity: time, folder: path)
            }
            let total = summary.report.total
            return Row(name: summary.report.pipeline, state: summary.state, committed: total.committed, failed: total.failed,
                       interrupted: total.interrupted, total: total.total, lastActivity: time, folder: path)
        }
        if json {
            struct Output: Encodable { var runs: [Row] }
            try JSONOutput.print(Output(runs: rows))
            return
        }
        guard !rows.isEmpty else {
            Terminal.standardOutput.line("no runs below \(FileManager.default.currentDirectoryPath); start one with `cairn run PIPELINE.yaml`")
            return
        }
        var table = [["RUN", "STATE", "COMMITTED", "LAST ACTIVITY", "FOLDER"]]
        for (row, entry) in zip(rows, entries) {
            table.append([row.name, row.state, row.total.map { "\(row.committed ?? 0)/\($0)" } ?? "-", row.lastActivity, Terminal.relative(entry.folder.path)])
        }
        Terminal.standardOutput.write(Terminal.table(table))
    }
}
