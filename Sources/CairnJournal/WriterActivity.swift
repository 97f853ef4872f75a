/// What one writer of a journal did (a session: a run, a resume, a merge, a SLURM worker —
/// or, after `cairn merge`, a session of another copy of the run), folded from its records.
public struct WriterActivity: Sendable, Equatable {
    /// When its session started (`runStarted`), if it journaled that.
    public var started: Int64?
    /// When its session ended and what it counted (`runEnded`); nil when it never ended
    /// cleanly (killed, or still running).
    public var ended: Int64?
    public var endedCommitted = 0
    public var endedFailed = 0
    /// Records of each kind it wrote.
    public var commits = 0
    public var failures = 0
    public var interruptions = 0
    public var attempts = 0
    /// Time of its last record.
    public var lastTime: Int64 = 0
    /// The command line that started its session, if journaled.
    public var command: String?
    /// Who ran it and from what, if journaled.
    public var provenance: SessionProvenance?
    /// How it ended, in words, if it ended cleanly enough to say.
    public var outcome: String?
    /// Imported from another copy of the run by `cairn merge`.
    public var imported = false
    /// A `cairn merge` session (its segment carries other writers' records).
    public var merged = false

    public init(imported: Bool = false) { self.imported = imported }
}
