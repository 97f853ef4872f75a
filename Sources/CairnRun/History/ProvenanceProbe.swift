import CairnCore
import CairnJournal
import Foundation

/// Finds out who runs a session and from what: Cairn's version, the user, and — when the
/// pipeline folder is in a git work tree — the commit, whether tracked files differ from it,
/// and that difference, stored once per distinct diff as `diffs/HEX.diff` in the run folder.
enum ProvenanceProbe {
    static func probe(root: String, folder: RunFolder, message: String?) -> SessionProvenance {
        var p = SessionProvenance(version: CairnVersion.current, user: user(), message: message ?? "")
        guard let head = git(root, ["rev-parse", "--verify", "-q", "HEAD"]), !head.isEmpty else { return p }
        p.gitCommit = head
        // Tracked files only (`git diff HEAD`): untracked files are outputs and scratch as often as code.
        guard let diff = git(root, ["diff", "--no-color", "--no-ext-diff", "HEAD", "--", "."], trim: false), !diff.isEmpty else { return p }
        p.gitDirty = true
        let digest = Digest(of: diff).hex
        let path = "\(folder.path)/diffs/\(digest).diff"
        if !FileManager.default.fileExists(atPath: path) {
            _ = RawPath.makeDirectories("\(folder.path)/diffs")
            try? AtomicFile.write(Data(diff.utf8), to: path)
        }
        p.diff = digest
        return p
    }

    /// The output of `git -C root ARGS`, nil when git is missing or says no (not a work tree).
    static func git(_ root: String, _ arguments: [String], trim: Bool = true) -> String? {
        guard let out = ToolCommand.run("git", ["-C", root] + arguments), out.status == 0 else { return nil }
        return trim ? out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : out.stdout
    }

    static func user() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(geteuid())"
    }
}
