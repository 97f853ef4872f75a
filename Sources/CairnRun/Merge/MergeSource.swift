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
    let snapshot: Snapshot
    /// Its plan: the destination's when the two snapshots plan the same (same pipeline and
    /// file digests), so a large merge plans once.
    let plan: Plan
    let state: JournalState

    /// A source found and read, not planned yet.
    struct Read: Sendable {
        let argument: String
        let folder: RunFolder
        let snapshot: Snapshot
        let state: JournalState
    }

    /// Finds the run in `argument` — a run folder, or a project folder holding
    /// `.cairn/runs/NAME` (`name` is the destination's pipeline name) somewhere below it — and
    /// reads its snapshot and journal.
    static func read(_ argument: String, name: String, destination: RunFolder) throws(RunError) -> Read {
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
        var snapshot = try Snapshot.read(folder)
        guard snapshot.pipeline.name == name else {
            throw RunError.usage("merge source \(argument) holds pipeline '\(snapshot.pipeline.name)', not '\(name)'; merge copies of the same pipeline")
        }
        let state: JournalState
        do { state = try JournalState(directory: folder.journal, repair: false) } catch { throw .journal(error) }
        snapshot = snapshot.withProposals(from: state)
        return Read(argument: argument, folder: folder, snapshot: snapshot, state: state)
    }

    /// Plans a source read with ``read(_:name:destination:)`` (reusing `plan`, the
    /// destination's, when the snapshots plan the same).
    static func open(_ read: Read, snapshot here: Snapshot, plan: Plan) throws(RunError) -> MergeSource {
        let (argument, folder, snapshot, state) = (read.argument, read.folder, read.snapshot, read.state)
        let theirs: Plan
        if snapshot.pipeline == here.pipeline, let files = snapshot.files, files == here.files {
            theirs = plan
        } else {
            do { theirs = try snapshot.plan(reading: nil).plan } catch { throw .pipeline(error) }
        }
        return MergeSource(argument: argument, folder: folder, root: try root(of: folder, snapshot: snapshot, argument: argument),
                           snapshot: snapshot, plan: theirs, state: state)
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
        if let project = folder.project { return project }
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
