import CairnCore
import CairnRun
import Foundation

/// Turns a RUN argument into a run folder: a run folder path, a pipeline file (its default run
/// folder), or a run name found below the current folder; nil means the most recent run.
enum RunTarget {
    static func resolve(_ argument: String?, preferUnfinished: Bool) throws(RunError) -> RunFolder {
        if let argument {
            let folder = RunFolder(path: RunFolder.absolute(argument))
            if folder.exists { return folder }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isDir), !isDir.boolValue {
                let spec = try PipelineLoader().load(file: argument)
                let f = RunFolder.defaultFor(pipelineFile: argument, name: spec.name)
                guard f.exists else { throw RunError.usage("\(argument) has not been run yet (no \(f.path)); start it with `cairn run \(argument)`") }
                return f
            }
            let named = RunCatalog.find(under: ".").filter { ($0.folder.path as NSString).lastPathComponent == argument }
            guard let first = named.first else {
                throw RunError.usage("no run '\(argument)': not a run folder, a pipeline file, or a run name below this folder; `cairn runs` lists them")
            }
            return first.folder
        }
        let entries = try runs()
        if preferUnfinished {
            if let inspector = try unfinished(among: entries) { return inspector.folder }
            throw RunError.usage("every run below this folder is complete; nothing to resume")
        }
        return entries[0].folder
    }

    /// For `resume` without RUN: the most recently active unfinished run below the current
    /// folder, or nil when every run there is complete (each run is inspected once: planned,
    /// its journal read — seconds at a million units; the session then starts from the chosen
    /// run's inspection, see ``RunOptions/inspected``). A run that cannot be read is never
    /// chosen; when one could not be read and none is unfinished, that is an error (exit 2), as
    /// before, rather than "all complete".
    static func unfinished(among given: [RunCatalog.Entry]? = nil) throws(RunError) -> RunInspector? {
        let entries: [RunCatalog.Entry]
        if let given { entries = given } else { entries = try runs() }
        var unreadable = false
        for entry in entries {
            guard let inspector = try? RunInspector(folder: entry.folder) else { unreadable = true; continue }
            if !inspector.isComplete { return inspector }
        }
        if unreadable { throw RunError.usage("every run below this folder is complete; nothing to resume") }
        return nil
    }

    /// The runs below the current folder, most recently active first; an error when there is none.
    static func runs() throws(RunError) -> [RunCatalog.Entry] {
        let entries = RunCatalog.find(under: ".")
        guard !entries.isEmpty else {
            throw RunError.usage("no runs below \(FileManager.default.currentDirectoryPath); start one with `cairn run PIPELINE.yaml`")
        }
        return entries
    }
}
