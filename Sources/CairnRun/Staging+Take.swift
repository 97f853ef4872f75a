import CCairnSystem
import CairnCore
import CairnJournal
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Staging {
    /// Takes committed outputs from another folder (another run of the workspace, or a merged
    /// copy) into this root: hard-links each file (or copies it, where linking is not possible)
    /// into a staging path, checks it against the digest journaled where it was made, and
    /// renames it into place. Nothing in the source is changed; a failure leaves nothing behind.
    ///
    /// One unit at a time (reuse), ``take(from:paths:into:names:expected:attempt:)`` syncs each
    /// file and folder before returning. Many units (merge) share a ``Batch``: one staging
    /// folder per output folder, and one `syncfs` for the whole batch before any of its commits
    /// is journaled.
    final class Batch {
        let staging: Staging
        let attempt: String
        /// Staging folders made for this batch's attempt.
        private var made = Set<String>()
        /// Folders that received outputs since the last ``sync()``.
        private(set) var folders = Set<String>()

        init(staging: Staging, attempt: String) {
            self.staging = staging
            self.attempt = attempt
        }

        /// Outputs hard-linked in place since the last ``sync()`` (their folders are fsynced
        /// one by one only where `syncfs` is not available).
        private var linked: [String] = []
        /// The destination root and the source roots, open, for `linkat` with relative paths.
        private var folderFDs: [String: Int32] = [:]

        deinit {
            for fd in folderFDs.values { close(fd) }
        }

        /// An open descriptor of folder `path` (kept for the batch), or -1.
        private func folderFD(_ path: String) -> Int32 {
            if let fd = folderFDs[path] { return fd }
            let fd = RawPath.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 { folderFDs[path] = fd }
            return fd
        }

        /// Places one unit's outputs; their data and names are durable only after ``sync()``.
        ///
        /// The common case — the source is on the same file system and nothing is at the final
        /// path — is a hash of the source file and a hard link at the final path: a link is
        /// atomic and its bytes are the ones just checked (the same inode), so no staging is
        /// needed. Otherwise (a copy, or a path to replace) the file is staged and renamed.
        func take(from sourceRoot: String, paths: [String], into outputs: [String], names: [String], expected: [OutputDigest], syncEach: Bool = false) throws(Failure) -> [OutputDigest] {
            let verified = syncEach ? false : try Batch.verify(from: sourceRoot, paths: paths, names: names, expected: expected)
            return try place(from: sourceRoot, paths: paths, into: outputs, names: names, expected: expected, verified: verified, syncEach: syncEach)
        }

        /// Whether the source files are regular files with the expected sizes and digests
        /// (false: not regular files, take them through staging); throws when one differs
        /// (modified after commit) or is missing. Reads only: safe on many threads at once.
        static func verify(from sourceRoot: String, paths: [String], names: [String], expected: [OutputDigest]) throws(Failure) -> Bool {
            for (i, path) in paths.enumerated() {
                let fd = RawPath.open("\(sourceRoot)/\(path)", O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw Failure(reason: "cannot take \(RawBytes.display(path)) from \(RawBytes.display(sourceRoot)) (missing or unreadable)") }
                defer { close(fd) }
                var info = stat()
                guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
                guard let (size, digest) = RawPath.sha256(of: fd) else { return false }
                if OutputDigest(size: size, digest: digest) != expected[i] {
                    throw Failure(reason: "output '\(names[i])' does not match the digest journaled when it was committed (modified after commit)", modified: true)
                }
            }
            return true
        }

        /// Places outputs: `verified` ones (see ``verify(from:paths:names:expected:)``) by a
        /// hard link at the final path where nothing is there yet, the rest through staging.
        func place(from sourceRoot: String, paths: [String], into outputs: [String], names: [String], expected: [OutputDigest], verified: Bool, syncEach: Bool = false) throws(Failure) -> [OutputDigest] {
            if verified, let digests = try linkInPlace(from: sourceRoot, paths: paths, into: outputs, names: names, expected: expected) { return digests }
            return try stageAndRename(from: sourceRoot, paths: paths, into: outputs, names: names, expected: expected, syncEach: syncEach)
        }

        /// The hard-link path of ``place(from:paths:into:names:expected:verified:syncEach:)``;
        /// nil when it does not apply (nothing was placed then).
        private func linkInPlace(from sourceRoot: String, paths: [String], into outputs: [String], names: [String], expected: [OutputDigest]) throws(Failure) -> [OutputDigest]? {
            let digests = expected
            let from = folderFD(sourceRoot), to = folderFD(staging.root)
            guard from >= 0, to >= 0 else { return nil }
            // Relative paths from open folders: no path strings to build per unit.
            let linkAt = { (i: Int) -> Int32 in
                RawBytes.withCString(paths[i]) { f in RawBytes.withCString(outputs[i]) { t in linkat(from, f, to, t, 0) } }
            }
            for (i, output) in outputs.enumerated() {
                var result = linkAt(i)
                if result != 0 && errno == ENOENT {
                    let folder = RawPath.split("\(staging.root)/\(output)").folder
                    let failure = RawPath.makeDirectories(folder)
                    if failure != 0 { throw Failure(reason: "cannot create output folder \(RawBytes.display(folder)) (\(String(cString: strerror(failure))))", errno: failure) }
                    result = linkAt(i)
                }
                if result != 0 {
                    // Only the first output can fall back cleanly; a later one means the earlier
                    // links are in place: staging the rest keeps each path atomic as well.
                    if i == 0 { return nil }
                    return digests.prefix(i) + (try stageAndRename(from: sourceRoot, paths: Array(paths[i...]), into: Array(outputs[i...]),
                                                                   names: Array(names[i...]), expected: Array(expected[i...]), syncEach: false))
                }
                linked.append(output)
            }
            return digests
        }

        private func stageAndRename(from sourceRoot: String, paths: [String], into outputs: [String], names: [String], expected: [OutputDigest], syncEach: Bool) throws(Failure) -> [OutputDigest] {
            var staged: [String] = []
            for (i, output) in outputs.enumerated() {
                let folder = "\(Staging.stagingFolder(of: output))/\(attempt)"
                if !made.contains(folder) {
                    let failure = RawPath.makeDirectories("\(staging.root)/\(folder)")
                    if failure != 0 {
                        throw Failure(reason: "cannot create staging folder \(RawBytes.display(folder)) (\(String(cString: strerror(failure))))", errno: failure)
                    }
                    made.insert(folder)
                }
                let path = "\(folder)/\(RawPath.split(output).name)"
                guard Staging.linkOrCopy("\(sourceRoot)/\(paths[i])", to: "\(staging.root)/\(path)") else {
                    for s in staged { _ = RawPath.unlink("\(staging.root)/\(s)") }
                    throw Failure(reason: "cannot take \(RawBytes.display(paths[i])) from \(RawBytes.display(sourceRoot)) (missing, not a file, or unreadable)")
                }
                staged.append(path)
            }
            do {
                return try staging.place(outputs: OutputPaths(outputs), staged: staged, names: names, expected: expected, folders: &folders, syncFiles: syncEach)
            } catch {
                for s in staged { _ = RawPath.unlink("\(staging.root)/\(s)") }
                throw error
            }
        }

        /// Makes everything placed so far durable: one `syncfs` of the destination's file system
        /// (data of linked or copied files, and the renames), or an fsync per file and folder
        /// where `syncfs` is not available.
        func sync() {
            defer { folders = []; linked = [] }
            let fd = folderFD(staging.root)
            if fd >= 0 && cairn_syncfs(fd) == 0 { return }
            for output in linked {
                let file = RawPath.open("\(staging.root)/\(output)", O_RDONLY | O_CLOEXEC)
                if file >= 0 { fsync(file); close(file) }
                folders.insert(RawPath.split("\(staging.root)/\(output)").folder)
            }
            Staging.sync(folders)
        }


        /// Removes this batch's staging folders (empty once everything was placed).
        func finish() {
            for folder in made { RawPath.removeTree("\(staging.root)/\(folder)") }
            for folder in made { _ = RawPath.rmdir("\(staging.root)/\((folder as NSString).deletingLastPathComponent)") }
            made = []
        }
    }

    /// One unit's outputs, made durable before returning (see ``Batch``).
    func take(
        from sourceRoot: String, paths: [String], into outputs: [String], names: [String], expected: [OutputDigest], attempt: String
    ) throws(Failure) -> [OutputDigest] {
        let batch = Batch(staging: self, attempt: attempt)
        defer { batch.finish() }
        let digests = try batch.take(from: sourceRoot, paths: paths, into: outputs, names: names, expected: expected, syncEach: true)
        Self.sync(batch.folders)
        return digests
    }

    /// A hard link of the file `from` at `to`, or a copy where linking is not possible.
    static func linkOrCopy(_ from: String, to: String) -> Bool {
        let linked = RawBytes.withCString(from) { f in RawBytes.withCString(to) { t in link(f, t) } }
        if linked == 0 { return true }
        let failure = errno
        var info = stat()
        guard RawPath.status(from, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        if failure == EEXIST { _ = RawPath.unlink(to) }  // left by an interrupted attempt of the same name
        let input = RawPath.open(from, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return false }
        defer { close(input) }
        let output = RawPath.open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { return false }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return false }
            if n == 0 { return true }
            let w = buffer.withUnsafeBytes { write(output, $0.baseAddress, n) }
            if w != n { return false }
        }
    }
}
