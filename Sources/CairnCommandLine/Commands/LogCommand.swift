import ArgumentParser
import CairnCore
import CairnJournal
import CairnRun
import Foundation

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
            Terminal.standardOutput.line("\(label): no output recorded (\(standing == .new ? "not run yet" : "the unit printed nothing"))")
            return
        }
        Terminal.standardOutput.write(bytes: Array(data))
    }
}
