import ArgumentParser
import CairnCore
import CairnJournal
import CairnRun
import Foundation

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `cairn run` would do, and why, without running or writing anything.",
        discussion: "With --why, groups the units that would run by reason; `--why UNIT` explains one unit (a label such as 'render[sample=3]', a once-step's name, or a key prefix).")

    @Argument(help: "The pipeline file (YAML or JSON), or a folder of them.")
    var pipeline: String

    @Argument(help: ArgumentHelp("With --why: the unit to explain.", valueName: "UNIT"))
    var unit: String?

    @Option(help: "The run folder (default: .cairn/runs/<name> beside the pipeline file).")
    var runDir: String?

    @Flag(help: "Say why each unit would run, grouped by reason.")
    var why = false

    @Flag(help: "Print the decisions as JSON (with --why: every unit's reasons).")
    var json = false

    @Flag(help: "List every unit with its decision and key.")
    var list = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var overrides: OverrideOptions

    func run() throws {
        if RawPathCheck.isDirectory(pipeline) {
            guard unit == nil, !json else { throw ValidationError("--why UNIT and --json take one pipeline file, not a folder") }
            try Batch(folder: pipeline, selection: selection).plan(why: why)
            return
        }
        let changes = try overrides.overrides()
        let spec = try PipelineLoader().load(file: pipeline, overrides: changes)
        var snapshot = Snapshot(file: pipeline, pipeline: spec)
        snapshot.overrides = changes
        let folder = runDir.map(RunFolder.init) ?? RunFolder.defaultFor(pipelineFile: pipeline, name: spec.name)
        let inspector = try RunInspector(folder: folder, snapshot: snapshot, digester: FileDigester(root: snapshot.root, verify: selection.verify))
        let chosen = try selection.selection()
        if let problem = chosen.problems(in: inspector.plan) { throw RunError.usage(problem) }
        let explanation = inspector.explain(selection: chosen, reuse: !selection.fresh, verify: selection.verify)
        let printer = PlanPrinter(explanation: explanation, folder: folder, color: Terminal.standardOutput.color)
        if let unit {
            guard why else { throw ValidationError("a UNIT argument goes with --why: cairn plan \(pipeline) --why '\(unit)'") }
            let found = inspector.plan.find(unit)
            guard found.count == 1 else {
                throw RunError.usage(found.isEmpty
                    ? "no unit '\(unit)' in \(pipeline); give a label such as '\(inspector.plan.units.first.map { inspector.plan.label(of: $0) } ?? "step[axis=value]")' or a key prefix (`cairn plan \(pipeline) --list`)"
                    : "'\(unit)' matches \(found.count) units; give more of the key")
            }
            if json {
                Terminal.standardOutput.writeExactly(PlanJSON(explanation: explanation).text(units: found) + "\n")
            } else {
                Terminal.standardOutput.write(printer.unit(found[0], history: inspector.state.units[found[0].key]))
            }
            return
        }
        if json {
            Terminal.standardOutput.writeExactly(PlanJSON(explanation: explanation).text(units: why ? inspector.plan.units : []) + "\n")
            return
        }
        Terminal.standardOutput.line(printer.summary())
        if why { Terminal.standardOutput.write(printer.reasons()) }
        if list { Terminal.standardOutput.write(printer.unitList()) }
    }
}
