import ArgumentParser
import CairnCore
import CairnJournal
import CairnRun
import Foundation

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Fold copies of the same run made on other machines (shards) into this one, verified.",
        discussion: """
            SOURCE is a project folder copied from another machine (it holds .cairn/runs/NAME), or a run folder. \
            Nothing in a SOURCE is changed, and it may still be running: what it has committed is taken. \
            Each unit committed there and not here has its outputs checked against the SHA-256 journaled at its commit, \
            hard-linked in place (or copied, fsynced and renamed), made durable, then journaled here with the host, attempt, \
            duration and metrics it had. A unit committed in both with different outputs is non-determinism: this run's outputs are \
            kept and both digests are reported. Merging twice adds nothing; after a crash, merge again. \
            Exit codes: 0 merged; 1 non-determinism, or outputs modified after commit or missing in a source (not taken); \
            2 bad usage or a source of another pipeline (the first difference is named); 3 the destination is in use by a live run.
            """)

    @Argument(help: ArgumentHelp("Copies of the run to fold in.", valueName: "SOURCE"))
    var sources: [String] = []

    @Option(help: ArgumentHelp("The run to merge into: a run folder, a pipeline file (its run folder is created if it was never run here), or a run name (default: the one run below this folder that is not inside a SOURCE).", valueName: "RUN"))
    var into: String?

    @OptionGroup var overrides: OverrideOptions

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func validate() throws {
        if sources.isEmpty { throw ValidationError("give at least one SOURCE: a project or run folder copied from another machine") }
    }

    func run() throws {
        let (folder, create) = try destination()
        let report = try MergeSession.execute(sources: sources, into: folder, create: create, observer: NoticePrinter())
        if json {
            try JSONOutput.print(report)
        } else {
            Terminal.standardOutput.line(MergePrinter(report: report, color: Terminal.standardOutput.color).text())
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The destination run folder, and the snapshot to create it with when it is a pipeline
    /// file never run here.
    func destination() throws -> (RunFolder, Snapshot?) {
        if let into {
            let folder = RunFolder(path: into)
            if folder.exists { return (folder, nil) }
            if !RawPathCheck.isDirectory(into), FileManager.default.fileExists(atPath: into) {
                let spec = try PipelineLoader().load(file: into, overrides: try overrides.overrides())
                var snapshot = Snapshot(file: into, pipeline: spec)
                snapshot.overrides = try overrides.overrides()
                return (RunFolder.defaultFor(pipelineFile: into, name: spec.name), snapshot)
            }
            return (try RunTarget.resolve(into, preferUnfinished: false), nil)
        }
        let inside = sources.map { RunFolder.absolute($0) + "/" }
        let candidates = RunCatalog.find(under: ".").filter { entry in !inside.contains { (entry.folder.path + "/").hasPrefix($0) } }
        guard candidates.count == 1 else {
            throw RunError.usage(candidates.isEmpty
                ? "no run below this folder to merge into; give --into PIPELINE.yaml (its run folder is created) or --into RUN"
                : "\(candidates.count) runs below this folder; choose the one to merge into with --into RUN")
        }
        return (candidates[0].folder, nil)
    }
}

/// Prints a session's notices (torn journal tails, leftovers) to standard error.
final class NoticePrinter: RunObserver {
    var refreshInterval: Double? { nil }
    func progress(_ progress: RunProgress, final: Bool) {}
    func unitFailed(_ report: UnitFailureReport, retrying: Bool) {}
    func notice(_ message: String) { Terminal.standardError.line("cairn: \(message)") }
    func statusRequested(running: [(unit: String, seconds: Double)], progress: RunProgress) {}
}
