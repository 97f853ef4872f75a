import ArgumentParser
import CairnCore
import CairnJournal
import CairnRun
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where a run stands, per step; read-only, works on a live run.",
        discussion: "RUN is a run folder, a pipeline file, or a run name; without it, the most recently active run below the current folder.")

    @Argument(help: ArgumentHelp("The run to show.", valueName: "RUN"))
    var target: String?

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() throws {
        let folder = try RunTarget.resolve(target, preferUnfinished: false)
        let inspector = try RunInspector(folder: folder)
        let report = inspector.status()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            struct Output: Encodable {
                var pipeline: String
                var runDir: String
                var state: String
                var live: Bool
                var steps: [StepStatus]
                var total: StepStatus
            }
            let output = Output(pipeline: report.pipeline, runDir: folder.path, state: inspector.stateWord, live: report.live,
                                steps: report.steps, total: report.total)
            Terminal.standardOutput.writeExactly(String(decoding: try encoder.encode(output), as: UTF8.self) + "\n")
            return
        }
        Terminal.standardOutput.line(StatusPrinter(report: report, state: inspector.stateWord, folder: folder, color: Terminal.standardOutput.color).text())
    }
}
