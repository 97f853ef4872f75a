import ArgumentParser
import CairnCore
import CairnRun

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `cairn run` would do, without running or writing anything.")

    @Argument(help: "The pipeline file (YAML or JSON).")
    var pipeline: String

    @Option(help: "The run folder (default: .cairn/runs/<name> beside the pipeline file).")
    var runDir: String?

    @Flag(help: "List every unit with its standing and key.")
    var list = false

    func run() throws {
        let spec = try PipelineLoader().load(file: pipeline)
        let snapshot = Snapshot(file: pipeline, pipeline: spec)
        let folder = runDir.map(RunFolder.init) ?? RunFolder.defaultFor(pipelineFile: pipeline, name: spec.name)
        let inspector = try RunInspector(folder: folder, snapshot: snapshot)
        let printer = PlanPrinter(plan: inspector.plan, state: inspector.state, folder: folder, color: Terminal.standardOutput.color)
        Terminal.standardOutput.line(printer.summary())
        if list { Terminal.standardOutput.write(printer.unitList()) }
    }
}
