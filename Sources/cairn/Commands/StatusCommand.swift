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
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
            return
        }
        print(StatusPrinter(report: report, state: inspector.stateWord, folder: folder, color: Terminal.standardOutput.color).text())
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List the runs below the current folder.")

    func run() throws {
        let entries = RunCatalog.find(under: ".")
        guard !entries.isEmpty else {
            print("no runs below \(FileManager.default.currentDirectoryPath); start one with `cairn run PIPELINE.yaml`")
            return
        }
        let formatter = ISO8601DateFormatter()
        var rows = [["RUN", "STATE", "COMMITTED", "LAST ACTIVITY", "FOLDER"]]
        for entry in entries {
            if let inspector = try? RunInspector(folder: entry.folder) {
                let total = inspector.status().total
                rows.append([inspector.snapshot.pipeline.name, inspector.stateWord, "\(total.committed)/\(total.total)",
                             formatter.string(from: entry.lastActivity), Terminal.relative(entry.folder.path)])
            } else {
                rows.append([(entry.folder.path as NSString).lastPathComponent, "unreadable", "-", formatter.string(from: entry.lastActivity), Terminal.relative(entry.folder.path)])
            }
        }
        print(Terminal.table(rows), terminator: "")
    }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Print a unit's log (its stdout and stderr, all attempts).",
        discussion: "UNIT is a label such as 'render[sample=3]', a once-step's name, or a prefix (6+ hex digits) of the unit key.")

    @Argument(help: "The unit.")
    var unit: String

    @Option(name: .customLong("run"), help: ArgumentHelp("The run (a run folder, a pipeline file or a run name); default: the most recent run.", valueName: "RUN"))
    var target: String?

    func run() throws {
        let folder = try RunTarget.resolve(target, preferUnfinished: false)
        let inspector = try RunInspector(folder: folder)
        let matches = inspector.plan.find(unit)
        guard matches.count == 1, let match = matches.first else {
            let hint = matches.isEmpty
                ? "no unit '\(unit)' in \(inspector.snapshot.pipeline.name); see `cairn plan --list \(inspector.snapshot.pipelineFile)` for labels"
                : "'\(unit)' matches \(matches.count) units; give more of the key"
            throw RunError.usage(hint)
        }
        let label = inspector.plan.label(of: match)
        let path = folder.log(step: inspector.plan.step(of: match).name, label: inspector.plan.itemLabel(of: match))
        guard let data = FileManager.default.contents(atPath: path) else {
            let standing = UnitStanding(inspector.state.units[match.key])
            print("\(label): no output recorded (\(standing == .new ? "not run yet" : "the unit printed nothing"))")
            return
        }
        Terminal.standardOutput.write(String(decoding: data, as: UTF8.self))
    }
}
