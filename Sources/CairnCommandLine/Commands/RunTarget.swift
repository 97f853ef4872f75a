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
        let entries = RunCatalog.find(under: ".")
        guard !entries.isEmpty else {
            throw RunError.usage("no runs below \(FileManager.default.currentDirectoryPath); start one with `cairn run PIPELINE.yaml`")
        }
        if preferUnfinished {
            for entry in entries {
                if let inspector = try? RunInspector(folder: entry.folder), !inspector.isComplete { return entry.folder }
            }
            throw RunError.usage("every run below this folder is complete; nothing to resume")
        }
        return entries[0].folder
    }

    /// True when there are runs below the current folder and all of them are complete.
    static func allComplete() -> Bool {
        let entries = RunCatalog.find(under: ".")
        return !entries.isEmpty && entries.allSatisfy { (try? RunInspector(folder: $0.folder))?.isComplete ?? false }
    }
}
