/// What a run does with one unit, and why.
public enum UnitDecision: Sendable, Equatable {
    /// Committed under its current key: skipped.
    case done
    /// Runs, for these reasons (the first is the main one).
    case run([RunReason])
    /// Would run, but a `--never-rerun` step may not be recomputed: reported as failed.
    case held(String)
    /// Failed before, and `--skip-failed` says not to retry it: reported as failed.
    case skippedFailed(String)
    /// Outside the selection (`--steps`, `--until`, `--items`, `--where`).
    case notSelected
    /// Cannot run because a unit it needs will not be there.
    case blocked(String)
    /// Needs units an item selection (`--items`, `--where`, `--shard`) left out and that are not
    /// committed — an aggregate over a partial run. Not a failure: it runs once they are there.
    case waiting(String)

    /// Whether the unit will be started (or its outputs reused from another run).
    public var runs: Bool { if case .run = self { true } else { false } }

    /// Whether the unit's outputs come from another run instead of running it.
    public var reuses: Bool { if case .run(let r) = self { r.first?.kind == .reused } else { false } }
}

/// One reason a unit runs.
public struct RunReason: Sendable, Equatable {
    /// What kind of reason this is; the plan groups units by it.
    public enum Kind: String, Sendable, Codable {
        case newItem = "new item"
        case newStep = "new step"
        case neverRan = "never ran"
        case failedBefore = "failed before"
        case interrupted = "interrupted"
        case forced = "forced"
        case forcedUpstream = "downstream of a forced unit"
        case command = "command changed"
        case env = "env changed"
        case outputs = "output paths changed"
        case codeList = "code list changed"
        case param = "param changed"
        case input = "input file changed"
        case code = "code file changed"
        case seed = "seed changed"
        case upstream = "upstream unit re-runs"
        case other = "definition changed"
        /// Not run: another run in the workspace committed the same key; its outputs are reused.
        case reused = "reused from another run"
        /// Committed, but its temp outputs were deleted and a unit that runs needs them.
        case tempRecreate = "temp output needed again by"
        /// Committed, but a declared output is no longer on disk: it is made again.
        case outputDeleted = "output deleted"
        /// Committed, but an output's bytes differ from the SHA-256 journaled at commit (`--verify`).
        case outputModified = "output modified since commit"
        /// Committed, but another version of the unit (other values, from an earlier `--set` or
        /// pipeline file) wrote the same output since: it is made again.
        case outputReplaced = "output replaced by another version"
    }

    public var kind: Kind
    /// The group heading: the kind, with the step or param it concerns.
    public var group: String
    /// The particular: a path, a value change, a short diff, a unit.
    public var detail: String

    public init(_ kind: Kind, group: String? = nil, detail: String = "") {
        self.kind = kind
        self.group = group ?? kind.rawValue
        self.detail = detail
    }
}
