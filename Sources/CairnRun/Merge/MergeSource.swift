import CairnCore
import CairnJournal
import Foundation

/// Another copy of a run, to fold into this one (``MergeSession``): read like `cairn status`
/// reads a run — no lock, no repair, nothing written — so it may still be running.
struct MergeSource {
    /// The argument as given.
    let argument: String
    let folder: RunFolder
    /// The folder its output paths are relative to, on this machine.
    let root: String
    let inspector: RunInspector

    var plan: Plan { inspector.plan }
    var state: JournalState { inspector.state }

    /// Finds the run in `argument`: a run folder, or a project folder holding
    /// `.cairn/runs/NAME` (`name` is the destination's pipeline name) somewhere below it.
    static func open(_ argument: String, name: String, destination: RunFolder) throws(RunError) -> MergeSource {
        let path = RunFolder.absolute(argument)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            if argument.contains(":") && !argument.hasPrefix("/") {
                throw RunError.usage("merge source \(argument) is on another machine; copy it here first (`rsync -a \(argument)/ copy/`) and merge the copy")
            }
            throw RunError.usage("merge source \(argument) is not a folder; give a run folder or a project folder copied from another machine")
        }
        let folder = try find(path, name: name, argument: argument)
        if canonical(folder.path) == canonical(destination.path) {
            throw RunError.usage("merge source \(argument) is the destination run itself; give the copy from another machine")
        }
        let inspector = try RunInspector(folder: folder)
        guard inspector.snapshot.pipeline.name == name else {
            throw RunError.usage("merge source \(argument) holds pipeline '\(inspector.snapshot.pipeline.name)', not '\(name)'; merge copies of the same pipeline")
        }
        return MergeSource(argument: argument, folder: folder, root: try root(of: folder, snapshot: inspector.snapshot, argument: argument), inspector: inspector)
    }

    static func find(_ path: String, name: String, argument: String) throws(RunError) -> RunFolder {
        let direct = RunFolder(path: path)
        if direct.exists { return direct }
        let named = RunFolder(path: "\(path)/.cairn/runs/\(name)")
        if named.exists { return named }
        let found = RunCatalog.find(under: path).map(\.folder).filter { ($0.path as NSString).lastPathComponent == name }
        guard let first = found.first else {
            throw RunError.usage("merge source \(argument) holds no run of pipeline '\(name)' (looked for snapshot.json, .cairn/runs/\(name) and below); give its run folder")
        }
        guard found.count == 1 else {
            throw RunError.usage("merge source \(argument) holds \(found.count) runs of pipeline '\(name)' (\(found.map { $0.path }.joined(separator: ", "))); give one run folder")
        }
        return first
    }

    /// Where the copy's outputs are: the folder that holds its `.cairn/runs/NAME` (the copy
    /// was made on another machine, so the root its snapshot names may not exist here).
    static func root(of folder: RunFolder, snapshot: Snapshot, argument: String) throws(RunError) -> String {
        let runs = (folder.path as NSString).deletingLastPathComponent
        if (runs as NSString).lastPathComponent == "runs", ((runs as NSString).deletingLastPathComponent as NSString).lastPathComponent == ".cairn" {
            return ((runs as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: snapshot.root, isDirectory: &isDirectory), isDirectory.boolValue { return snapshot.root }
        throw RunError.usage("merge source \(argument): cannot tell where its outputs are (its run folder is not PROJECT/.cairn/runs/NAME and \(snapshot.root) does not exist here); copy the whole project folder and merge that")
    }
}

/// `path` with symbolic links resolved (itself when that fails).
func canonical(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
