/// What `cairn merge` did, per source: units taken, units both copies committed (and whether
/// their outputs agree), and units it refused, with why.
public struct MergeReport: Sendable, Encodable {
    /// The run folder merged into.
    public var destination: String
    public var sources: [Source] = []
    /// The destination was one shard (`--shard`); after a merge it gathers them, so `cairn
    /// resume` there runs whatever is still missing from the whole dataset.
    public var scopeCleared: String?

    /// One unit a merge did not take, and why.
    public struct Refused: Sendable, Encodable, Equatable {
        public var unit: String
        public var reason: String
    }

    /// A unit both copies committed with different outputs: the same key gave other bytes.
    public struct Nondeterminism: Sendable, Encodable, Equatable {
        public var unit: String
        public var output: String
        public var here: String
        public var hereHost: String
        public var there: String
        public var thereHost: String
    }

    /// What one source gave.
    public struct Source: Sendable, Encodable {
        public var source: String
        public var runFolder: String
        /// Units committed there and not here, now committed here.
        public var taken = 0
        /// Units committed in both with identical outputs (a determinism check passed).
        public var agreed = 0
        /// Units committed there whose outputs changed since their commit: not taken.
        public var modified: [Refused] = []
        /// Units committed there whose outputs are missing or unreadable: not taken.
        public var missing: [Refused] = []
        /// Units committed in both with different outputs: this run's are kept.
        public var nondeterministic: [Nondeterminism] = []
        /// Units forced here (`--force`) and not run again yet: not taken, they run here.
        public var forcedHere = 0
        /// Sessions of the source (hosts, times) newly recorded here.
        public var sessionsImported = 0
        /// Hosts the taken units ran on.
        public var hosts: [String] = []

        public init(source: String, runFolder: String) {
            self.source = source
            self.runFolder = runFolder
        }
    }

    /// Units of the destination's plan, and how many are committed after the merge.
    public var units = 0
    public var committed = 0

    public init(destination: String) { self.destination = destination }

    /// 0 when every unit offered was taken or agreed; 1 when outputs disagree
    /// (non-determinism) or a source's outputs were modified or missing.
    public var exitCode: Int32 {
        sources.contains { !$0.nondeterministic.isEmpty || !$0.modified.isEmpty || !$0.missing.isEmpty } ? 1 : 0
    }

    /// Units taken from every source.
    public var taken: Int { sources.reduce(0) { $0 + $1.taken } }
}
