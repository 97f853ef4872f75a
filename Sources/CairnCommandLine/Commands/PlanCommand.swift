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

    @Argument(help: DeclaredProgram.pipelineArgumentHelp)
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

    @Flag(help: "Print the numbered trial table (one column per axis and param) instead.")
    var trials = false

    @Option(help: ArgumentHelp("Write the trial table to FILE (.csv, .json or .yaml); a pipeline can read it back with `trials: FILE`.", valueName: "FILE"))
    var saveTrials: String?

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var overrides: OverrideOptions

    func run() throws {
        if RawPathCheck.isDirectory(pipeline) {
            guard unit == nil, !json else { throw ValidationError("--why UNIT and --json take one pipeline file, not a folder") }
            try Batch(folder: pipeline, selection: selection).plan(why: why)
            return
        }
        let changes = try overrides.overrides()
        let loaded = try DeclaredProgram.load(pipeline, overrides: changes, runnable: false)
        if trials || saveTrials != nil {
            try showTrials(loaded.snapshot.pipeline)
            return
        }
        let snapshot = loaded.snapshot
        let folder = runDir.map(RunFolder.init) ?? loaded.folder
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

    /// `--trials` / `--save-trials`: the trial set, numbered, without touching the run folder.
    func showTrials(_ spec: PipelineSpec) throws {
        let plan: Plan
        do { plan = try Planner.plan(spec) } catch { throw RunError.pipeline(error) }
        let rows = TrialTable.rows(plan: plan, history: [:], metrics: [:])
        let printer = TrialsPrinter(rows: rows, params: spec.params, results: false)
        if let file = saveTrials {
            guard let format = TrialsFile.format(of: file) else {
                throw ValidationError("--save-trials \(file): name a .csv, .json or .yaml file")
            }
            let table = TrialsFile(columns: plan.axisNames + spec.params.map(\.name),
                                   rows: plan.items.map { $0.values + spec.params.map(\.value) })
            try AtomicFile.write(table.text(format: format), to: file)
            Terminal.standardOutput.line("saved \(rows.count) trial(s) to \(file)")
            if !trials { return }
        }
        if json {
            Terminal.standardOutput.writeExactly(printer.json(best: nil))
        } else {
            Terminal.standardOutput.write(printer.table())
            Terminal.standardOutput.line("\(rows.count) trial(s)")
        }
    }
}
