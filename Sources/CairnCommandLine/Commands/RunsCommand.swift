import ArgumentParser
import CairnCore
import CairnRun
import Foundation

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List the runs below the current folder.")

    func run() throws {
        let entries = RunCatalog.find(under: ".")
        guard !entries.isEmpty else {
            Terminal.standardOutput.line("no runs below \(FileManager.default.currentDirectoryPath); start one with `cairn run PIPELINE.yaml`")
            return
        }
        let formatter = ISO8601DateFormatter()
        var rows = [["RUN", "STATE", "COMMITTED", "LAST ACTIVITY", "FOLDER"]]
        for entry in entries {
            if let summary = try? StatusSummary.of(entry.folder) {
                let total = summary.report.total
                rows.append([summary.report.pipeline, summary.state, "\(total.committed)/\(total.total)",
                             formatter.string(from: entry.lastActivity), Terminal.relative(entry.folder.path)])
            } else {
                rows.append([(entry.folder.path as NSString).lastPathComponent, "unreadable", "-", formatter.string(from: entry.lastActivity), Terminal.relative(entry.folder.path)])
            }
        }
        Terminal.standardOutput.write(Terminal.table(rows))
    }
}
