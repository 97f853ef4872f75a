/// Who ran a session and from what: journaled once at its start (not by SLURM workers, whose
/// controller's session says it), shown by `cairn history` and the report.
public struct SessionProvenance: Sendable, Equatable {
    /// Cairn's version.
    public var version: String
    /// The user name (or uid) the session ran as.
    public var user: String
    /// The `HEAD` commit of the git work tree holding the pipeline folder; empty outside git.
    public var gitCommit: String
    /// Tracked files differed from `HEAD` when the session started.
    public var gitDirty: Bool
    /// SHA-256 (hex) of that difference (`git diff HEAD`), stored once per distinct diff as
    /// `diffs/HEX.diff` in the run folder; empty when clean or outside git.
    public var diff: String
    /// `-m/--message`: the user's note; empty when none.
    public var message: String

    public init(version: String, user: String, gitCommit: String = "", gitDirty: Bool = false, diff: String = "", message: String = "") {
        self.version = version
        self.user = user
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.diff = diff
        self.message = message
    }
}
