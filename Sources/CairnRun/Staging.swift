import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

/// Atomic outputs. A unit writes each output to an attempt-private staging path beside its
/// final path (`DIR/.cairn-staging/ATTEMPT/NAME`, same file system); on success Cairn checks
/// every declared output exists, fsyncs it, renames it into place, fsyncs the folder, and only
/// then journals the commit. A final path never holds a partial file written by a unit.
struct Staging {
    static let folderName = ".cairn-staging"
    /// The folder paths are relative to.
    let root: String

    /// The staging folder beside an output (relative to the root), shared by all attempts.
    static func stagingFolder(of output: String) -> String {
        let dir = RawPath.split(output).folder
        return dir.isEmpty ? folderName : "\(dir)/\(folderName)"
    }

    /// The distinct staging folders of `outputs`.
    static func stagingFolders(of outputs: some Sequence<String>) -> Set<String> {
        // Outputs of one step mostly share a folder, one after another: hash each folder once.
        var folders = Set<String>()
        var last: Substring?
        for output in outputs {
            let slash = output.utf8.lastIndex(of: UInt8(ascii: "/"))
            let dir = slash.map { output[..<$0] } ?? ""
            if dir == last { continue }
            last = dir
            folders.insert(dir.isEmpty ? folderName : "\(dir)/\(folderName)")
        }
        return folders
    }

    /// The staging path of an output for an attempt (relative to the root).
    func stagingPath(for output: String, attempt: String) -> String {
        "\(Self.stagingFolder(of: output))/\(attempt)/\(RawPath.split(output).name)"
    }

    /// Creates the staging folders of an attempt's outputs, or takes emptied ones from
    /// `spare` (attempt folders that committed and are empty, see ``emptied(_:)``): making and
    /// removing a folder per unit is most of what an output costs the file system.
    func prepare(_ outputs: OutputPaths, attempt: String, spare: inout SpareStagingFolders) throws(RunError) -> [String] {
        var paths: [String] = []
        var taken: [String: String] = [:]  // staging folder → this attempt's folder in it
        for output in outputs {
            let (folder, name) = (Self.stagingFolder(of: output), RawPath.split(output).name)
            if let mine = taken[folder] {
                paths.append("\(mine)/\(name)")
                continue
            }
            // A spare folder someone removed meanwhile (another session's clean-up) is not used.
            if let reused = spare.take(in: folder), RawPath.isDirectory("\(root)/\(reused)") {
                taken[folder] = reused
                paths.append("\(reused)/\(name)")
                continue
            }
            let mine = "\(folder)/\(attempt)"
            let dir = "\(root)/\(mine)"
            let failure = RawPath.makeDirectories(dir)
            if failure != 0 {
                let code = WritableCheck.errorCode(in: WritableCheck.nearestExisting(dir, root: "")) ?? failure
                throw RunError("cannot create output folder \(RawBytes.display(dir)) (\(String(cString: strerror(code))))", machineFault: isMachineFault(code))
            }
            taken[folder] = mine
            paths.append("\(mine)/\(name)")
        }
        return paths
    }

    /// After a commit renamed `staged` out: the attempt folders left empty, for a later attempt
    /// of this session (``prepare(_:attempt:spare:)``); folders holding anything else the
    /// attempt wrote are removed.
    func emptied(_ staged: [String]) -> [String] {
        var empty: [String] = []
        for folder in Set(staged.map { RawPath.split($0).folder }) {
            if RawPath.entries(of: "\(root)/\(folder)")?.isEmpty == true {
                empty.append(folder)
            } else {
                RawPath.removeTree("\(root)/\(folder)")
            }
        }
        return empty
    }

    /// Removes attempt folders kept for reuse (at the end of a session).
    func removeSpare(_ spare: SpareStagingFolders) {
        for folder in spare.all { _ = RawPath.rmdir("\(root)/\(folder)") }
    }

    /// Why a commit failed; `fatal` when the machine is at fault (disk full, read-only, I/O error).
    struct Failure: Error {
        let reason: String
        var fatal = false
        /// The bytes differ from the digest journaled at their commit.
        var modified = false

        init(reason: String, errno code: Int32? = nil, modified: Bool = false) {
            self.reason = reason
            fatal = code.map(isMachineFault) ?? false
            self.modified = modified
        }
    }

    /// Checks, syncs and renames staged outputs into place; returns their sizes and digests.
    /// With `expected` (outputs taken from another run), refuses outputs that hash otherwise.
    /// The folders renamed into are added to `folders`: the caller fsyncs each once
    /// (``sync(_:)``) before journaling any commit of the batch. Without `syncFiles`, files are
    /// not fsynced either (the caller syncs the file system). The staging folders are left to
    /// the caller (``emptied(_:)`` or ``discard(_:)``).
    func place(
        outputs: OutputPaths, staged: [String], names: [String], expected: [OutputDigest]?, folders: inout Set<String>,
        syncFiles: Bool = true
    ) throws(Failure) -> [OutputDigest] {
        var digests: [OutputDigest] = []
        for (i, path) in staged.enumerated() {
            var info = stat()
            guard RawPath.lstat("\(root)/\(path)", &info) == 0 else {
                throw Failure(reason: "exited 0 but did not create output '\(names[i])' (\(outputs[i])); write it to {out.\(names[i])}")
            }
            digests.append(try digest("\(root)/\(path)", isDirectory: (info.st_mode & S_IFMT) == S_IFDIR, sync: syncFiles))
            if let expected, expected[i] != digests[i] {
                throw Failure(reason: "output '\(names[i])' does not match the digest journaled when it was committed (modified after commit)", modified: true)
            }
        }
        for (final, path) in zip(outputs, staged) {
            let target = "\(root)/\(final)"
            var renamed = RawPath.rename("\(root)/\(path)", target) == 0
            if !renamed, errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST || errno == ENOTDIR {
                // A folder where the output goes (or an output folder where a file was): replace it.
                var info = stat()
                if RawPath.lstat(target, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { RawPath.removeTree(target) }
                renamed = RawPath.rename("\(root)/\(path)", target) == 0
            }
            guard renamed else {
                throw Failure(reason: "cannot move output into place at \(RawBytes.display(final)): \(String(cString: strerror(errno)))", errno: errno)
            }
            folders.insert(RawPath.split(target).folder)
        }
        return digests
    }

    /// fsyncs folders, so renames into them are durable.
    static func sync(_ folders: Set<String>) {
        for folder in folders.sorted() {
            let fd = RawPath.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 { fsync(fd); close(fd) }
        }
    }

    /// Removes an attempt's staging folders.
    func discard(_ staged: [String]) {
        for path in Set(staged.map { ($0 as NSString).deletingLastPathComponent }) {
            RawPath.removeTree("\(root)/\(path)")
        }
    }

    /// Removes all staging debris beside `outputs` (only while holding the run lock); returns
    /// how many attempts' debris it removed. An output folder's staging folder can be shared
    /// with other pipelines of the workspace: the attempt folders of a live session on this
    /// machine (its process still runs) are left alone, as is the staging folder holding them.
    func cleanDebris(outputs: some Sequence<String>) -> Int {
        var removed = 0
        for stage in Self.stagingFolders(of: outputs) {
            guard let entries = RawPath.entries(of: "\(root)/\(stage)") else { continue }
            var kept = false
            for entry in entries {
                var info = stat()
                let changed = RawPath.lstat("\(root)/\(stage)/\(entry)", &info) == 0 ? Double(info.st_ctim.tv_sec) : 0
                if Self.belongsToLiveSession(entry, changed: changed) {
                    kept = true
                    continue
                }
                // An empty attempt folder is a spare a killed session kept for reuse, not an
                // interrupted attempt's leftovers: removed without being counted.
                if RawPath.rmdir("\(root)/\(stage)/\(entry)") == 0 { continue }
                removed += 1
                RawPath.removeTree("\(root)/\(stage)/\(entry)")
            }
            if !kept { RawPath.removeTree("\(root)/\(stage)") }
        }
        return removed
    }

    /// Whether an attempt folder (`SEGMENT-COUNTER`, the segment `NNNNNN-HOST-PID-NONCE` of the
    /// session that made it), last changed at `changed` (seconds since 1970), was made by another
    /// session on this machine whose process runs: one with that pid that started before the
    /// folder last changed (a process that took over the pid of a dead session started later).
    static func belongsToLiveSession(_ attempt: String, changed: Double, host: String = Journal.segmentHost(HostIdentity.current.host)) -> Bool {
        let parts = attempt.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 5, let pid = Int32(parts[parts.count - 3]), pid > 0, pid != getpid() else { return false }
        guard parts[1..<(parts.count - 3)].joined(separator: "-") == host else { return false }
        guard let started = ProcessTable.startTime(ofLive: pid) else { return false }
        return started <= changed + 1  // the boot time is whole seconds
    }

    /// Removes empty staging folders at the end of a run.
    func removeEmptyStagingFolders(outputs: some Sequence<String>) {
        for stage in Self.stagingFolders(of: outputs) { _ = RawPath.rmdir("\(root)/\(stage)") }
    }

    /// Size and SHA-256 of a file (fsynced on the way), or of a folder's listing.
    func digest(_ path: String, isDirectory: Bool, sync: Bool = true) throws(Failure) -> OutputDigest {
        if isDirectory {
            let names = RawPath.subpaths(of: path).sorted { RawBytes.bytes(of: $0).lexicographicallyPrecedes(RawBytes.bytes(of: $1)) }
            var size: Int64 = 0
            var manifest = ""
            for name in names {
                var info = stat()
                _ = RawPath.lstat("\(path)/\(name)", &info)
                size += Int64(info.st_size)
                manifest += "\(name)\t\(info.st_size)\n"
            }
            let fd = RawPath.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 { fsync(fd); close(fd) }
            return OutputDigest(size: size, digest: Digest(of: manifest))
        }
        let fd = RawPath.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(reason: "cannot read output \(RawBytes.display(path)): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard let (size, digest) = RawPath.sha256(of: fd) else {
            throw Failure(reason: "cannot read output \(RawBytes.display(path)): \(String(cString: strerror(errno)))", errno: errno)
        }
        guard !sync || fsync(fd) == 0 else { throw Failure(reason: "cannot sync output \(path): \(String(cString: strerror(errno)))", errno: errno) }
        return OutputDigest(size: size, digest: digest)
    }
}
