import CairnCore
import CairnJournal
import Foundation

extension Staging {
    /// Takes committed outputs from another folder (another run of the workspace, or a merged
    /// copy): hard-links each file (or copies it, where linking is not possible) into an
    /// attempt's staging path, then commits them like outputs a unit wrote — checked against
    /// the digests journaled where they were made, fsynced, renamed into place. Nothing is left
    /// behind when any of it fails, and nothing in `sourceRoot` is changed.
    func take(
        from sourceRoot: String, paths: [String], into outputs: [String], names: [String], expected: [OutputDigest], attempt: String
    ) throws(Failure) -> [OutputDigest] {
        var folders = Set<String>()
        let digests = try take(from: sourceRoot, paths: paths, into: outputs, names: names, expected: expected, attempt: attempt, folders: &folders)
        Self.sync(folders)
        return digests
    }

    /// ``take(from:paths:into:names:expected:attempt:)`` leaving the folders to sync to the
    /// caller (see ``place(outputs:staged:names:expected:folders:)``).
    func take(
        from sourceRoot: String, paths: [String], into outputs: [String], names: [String], expected: [OutputDigest], attempt: String,
        folders: inout Set<String>
    ) throws(Failure) -> [OutputDigest] {
        let staged: [String]
        do { staged = try prepare(outputs, attempt: attempt) } catch { throw Failure(reason: error.description) }
        for (i, path) in staged.enumerated() where !Self.linkOrCopy("\(sourceRoot)/\(paths[i])", to: "\(root)/\(path)") {
            discard(staged)
            throw Failure(reason: "cannot take \(RawBytes.display(paths[i])) from \(RawBytes.display(sourceRoot)) (missing, not a file, or unreadable)")
        }
        do { return try place(outputs: outputs, staged: staged, names: names, expected: expected, folders: &folders) } catch {
            discard(staged)
            throw error
        }
    }

    /// A hard link of the file `from` at `to`, or a copy where linking is not possible (the
    /// copy is fsynced by ``commit(outputs:staged:names:expected:)``, which reads it).
    static func linkOrCopy(_ from: String, to: String) -> Bool {
        var info = stat()
        guard RawPath.status(from, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        let linked = RawBytes.withCString(from) { f in RawBytes.withCString(to) { t in link(f, t) } }
        if linked == 0 { return true }
        let input = RawPath.open(from, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return false }
        defer { close(input) }
        let output = RawPath.open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
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
