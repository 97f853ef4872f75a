import ArgumentParser
import CairnCore
import CairnJournal
import CairnRun
import Foundation

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Understand a partial or merged run: what is missing, why units failed, who did what; read-only.",
        discussion: """
            RUN is a run folder, a pipeline file, or a run name (default: the most recently active run below this folder). \
            Shows per step the committed, failed, interrupted and never-run units, the missing items as ranges, outputs the \
            journal has but the disk lacks; failures grouped by cause; durations; throughput per host; every session. \
            Given a pipeline FILE that has no run folder (a dataset made elsewhere, or before Cairn), shows which units' \
            outputs are on disk; `cairn adopt FILE --yes` then records them as committed.
            """)

    @Argument(help: ArgumentHelp("The run (or pipeline file) to analyze.", valueName: "RUN | FILE"))
    var target: String?

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() throws {
        if let target, !RawPathCheck.isDirectory(target), FileManager.default.fileExists(atPath: target) {
            let spec = try PipelineLoader().load(file: target)
            let folder = RunFolder.defaultFor(pipelineFile: target, name: spec.name)
            if !folder.exists {
                let snapshot = Snapshot(file: target, pipeline: spec)
                let plan: Plan
                do { plan = try snapshot.plan(reading: FileDigester(root: snapshot.root, verify: false)).plan } catch { throw RunError.pipeline(error) }
                let survey = DiskSurvey.survey(plan, root: snapshot.root)
                if json { try JSONOutput.print(survey) } else { Terminal.standardOutput.line(AnalyzePrinter.text(survey, file: target)) }
                return
            }
        }
        let folder = try RunTarget.resolve(target, preferUnfinished: false)
        let analysis = RunAnalyzer.analyze(try RunInspector(folder: folder))
        if json { try JSONOutput.print(analysis) } else { Terminal.standardOutput.line(AnalyzePrinter(analysis: analysis, color: Terminal.standardOutput.color).text()) }
    }
}

struct AdoptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Record outputs already on disk as committed under the pipeline's current keys, so they are not made again.",
        discussion: """
            For a dataset made before Cairn, or copied without its run folder. A unit is adopted when every output it \
            declares exists and every unit it needs is committed or adopted; each output's SHA-256 is journaled. Without \
            --yes, only says what it would adopt. Narrow it with --steps, --items, --where or --shard. Cairn cannot know \
            how those files were made: adopt only outputs the pipeline as written would make.
            """)

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(help: "The run folder (default: .cairn/runs/<name> beside the pipeline file).")
    var runDir: String?

    @Flag(help: "Adopt them (without it, nothing is written).")
    var yes = false

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var overrides: OverrideOptions

    func run() throws {
        guard !RawPathCheck.isDirectory(pipeline) else { throw ValidationError("adopt takes one pipeline file, not a folder") }
        let changes = try overrides.overrides()
        let spec = try PipelineLoader().load(file: pipeline, overrides: changes)
        var snapshot = Snapshot(file: pipeline, pipeline: spec)
        snapshot.overrides = changes
        let folder = runDir.map(RunFolder.init) ?? RunFolder.defaultFor(pipelineFile: pipeline, name: spec.name)
        if folder.exists, let stored = try? Snapshot.read(folder) {
            guard stored.pipeline == snapshot.pipeline && stored.overrides == snapshot.overrides else {
                throw RunError.usage("\(Terminal.relative(folder.path)) holds a run of another version of \(pipeline); adopt into a new run folder with --run-dir")
            }
            snapshot = stored
        }
        let report = try AdoptSession.execute(snapshot: snapshot, folder: folder, selection: try selection.selection(), confirm: yes, observer: NoticePrinter())
        if json {
            try JSONOutput.print(report)
            return
        }
        var rows = [["STEP", yes ? "ADOPTED" : "TO ADOPT", "COMMITTED", "OUTPUTS MISSING", "NEEDS MISSING", "NOT SELECTED"]]
        for s in report.steps { rows.append([s.step, "\(s.adopt)", "\(s.committed)", "\(s.missing)", "\(s.blocked)", "\(s.notSelected)"]) }
        Terminal.standardOutput.write(Terminal.table(rows, indent: "  "))
        if yes {
            Terminal.standardOutput.line("adopted \(report.adopted) unit(s) into \(Terminal.relative(folder.path)); `cairn run \(pipeline)` makes only what is missing")
        } else {
            Terminal.standardOutput.line("would adopt \(report.adopted) unit(s); nothing written. Add --yes to record them as committed (their outputs are hashed, not changed)")
        }
    }
}
