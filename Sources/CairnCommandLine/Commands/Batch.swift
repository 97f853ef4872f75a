import CairnCore
import CairnRun
import Foundation

/// `cairn run DIR` and `cairn plan DIR`: every runnable pipeline file below a folder, parents
/// before the pipelines that extend them; templates (`runnable: false`) are listed, not run.
struct Batch {
    let folder: String
    let selection: SelectionOptions

    /// The pipeline files, after `--only` and `--under`.
    func entries() throws -> [PipelineDiscovery.Entry] {
        let found = try PipelineDiscovery.find(in: folder, only: selection.only, under: selection.under)
        guard !found.isEmpty else {
            throw RunError.usage("no pipeline files below \(folder) (YAML or JSON files with `steps` or `extends`)\(selection.only.isEmpty && selection.under.isEmpty ? "" : " that --only/--under select")")
        }
        return found
    }

    /// The `.cairn/runs` folders of every pipeline found: one workspace for the result cache.
    func workspace(_ entries: [PipelineDiscovery.Entry]) -> [String] {
        var out: [String] = []
        for e in entries {
            let runs = ((RunFolder.absolute(e.file) as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".cairn/runs")
            if !out.contains(runs) { out.append(runs) }
        }
        return out
    }

    /// Calls `body` with each runnable pipeline (loaded, with its run folder) in order, after
    /// printing its name; templates are named and passed over. Stops when `body` returns false.
    func forEach(templateNote: String, _ body: (Snapshot, RunFolder, [String]) throws -> Bool) throws {
        let list = try entries()
        let workspace = workspace(list)
        let root = RunFolder.absolute(folder)
        for entry in list {
            guard entry.runnable else {
                Terminal.standardOutput.line("== \(entry.file): template (runnable: false)\(templateNote)")
                continue
            }
            Terminal.standardOutput.line("== \(entry.file)")
            let spec = try PipelineLoader().load(file: entry.file, rootDir: root)
            let runFolder = RunFolder.defaultFor(pipelineFile: entry.file, name: spec.name)
            guard try body(Snapshot(file: entry.file, pipeline: spec), runFolder, workspace) else { return }
        }
    }

    /// Runs them in order; stops at an interrupt. Returns the first non-zero exit code.
    func run(execution: ExecutionOptions, runDir: String?) throws -> Int32 {
        if runDir != nil { throw RunError.usage("--run-dir names one run folder; it cannot be used with a folder of pipelines") }
        var worst: Int32 = 0
        try forEach(templateNote: ", not run") { snapshot, runFolder, workspace in
            let code = try Execute.session(snapshot: snapshot, folder: runFolder, options: execution, selection: selection, workspace: workspace)
            if worst == 0 || code > 128 { worst = code }
            return code <= 128
        }
        return worst
    }

    /// Plans each one and prints its summary (and reasons with --why).
    func plan(why: Bool) throws {
        let chosen = try selection.selection()
        try forEach(templateNote: "\n") { snapshot, runFolder, workspace in
            let inspector = try RunInspector(folder: runFolder, snapshot: snapshot, digester: FileDigester(root: snapshot.root, verify: selection.verify))
            let explanation = inspector.explain(selection: chosen, reuse: !selection.fresh, workspace: workspace, verify: selection.verify)
            let printer = PlanPrinter(explanation: explanation, folder: runFolder, color: Terminal.standardOutput.color)
            Terminal.standardOutput.line(printer.summary())
            if why { Terminal.standardOutput.write(printer.reasons()) }
            Terminal.standardOutput.line("")
            return true
        }
    }
}

/// Whether a command-line path is a folder.
enum RawPathCheck {
    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
