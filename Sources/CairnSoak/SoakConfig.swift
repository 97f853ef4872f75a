/// What a soak run does: how many interruptions, on how big a pipeline, with which seed.
public struct SoakConfig: Sendable {
    /// Interruptions to inflict in total (over as many pipeline runs as that takes).
    public var kills: Int
    /// The random seed; printed so a failure can be replayed.
    public var seed: UInt64
    /// Items per pipeline (units = 2 × items + 1).
    public var items: Int
    /// The `cairn` executable to drive.
    public var cairn: String
    /// Where pipelines run (a fresh folder per cycle below it).
    public var workDirectory: String
    /// Chance that an interruption also SIGKILLs one running unit.
    public var unitKillChance = 0.25
    /// Chance that an interruption is SIGINT or SIGTERM rather than SIGKILL.
    public var gracefulChance = 0.3
    /// Chance that a unit kill hits the unit's whole process group rather than its shell.
    public var groupKillChance = 0.5
    /// Chance that a session of a started run is `resume --set` switching the items between
    /// `items` and `items + extraItems` (a restart: trials added, or dropped and orphaned).
    public var restartChance = 0.12
    /// Items a restart adds (and the next one drops again).
    public var extraItems = 4
    /// Chance that a session of a started run is `run --aggregate-only` (partial aggregates).
    public var aggregateOnlyChance = 0.08
    /// Chance that, between sessions, a copy of the project elsewhere runs shard 2/2 and is
    /// merged in with `cairn merge` (itself interrupted at random); at most once per run.
    public var mergeChance = 0.15
    /// Called with progress lines.
    public var log: @Sendable (String) -> Void = { _ in }

    public init(kills: Int, seed: UInt64, items: Int, cairn: String, workDirectory: String) {
        self.kills = kills
        self.seed = seed
        self.items = items
        self.cairn = cairn
        self.workDirectory = workDirectory
    }
}

/// The counts a soak run ends with. Every count after `units` must be zero.
public struct SoakReport: Sendable, CustomStringConvertible {
    public var seed: UInt64 = 0
    public var kills = 0
    public var gracefulStops = 0
    public var unitKills = 0
    /// Unit kills that hit the unit's whole process group.
    public var groupKills = 0
    public var resumes = 0
    /// Sessions that were `resume --set` restarts, `run --aggregate-only`, or `merge`.
    public var restarts = 0
    public var aggregateOnly = 0
    public var merges = 0
    public var cycles = 0
    public var units = 0
    /// Units once recorded as committed that a later journal no longer shows committed.
    public var lost = 0
    /// Units with more than one commit record.
    public var duplicatedCommits = 0
    /// Units that started an attempt after they were committed.
    public var reExecutedCommitted = 0
    /// Final paths seen holding anything but their exact expected content.
    public var partialFilesSeen = 0
    /// Processes of a finished run still alive.
    public var orphans = 0
    /// Finished runs whose outputs, journal or status were not exactly as expected.
    public var badFinishes = 0
    /// Aggregates made again because a restart went back to values whose aggregate was
    /// committed before the other values' aggregate replaced its output (journaled as an
    /// invalidation, then a commit): legitimate, counted apart.
    public var replacedAggregates = 0
    /// Units invalidated that are not an aggregate (nothing in the soak replaces their outputs).
    public var unjustifiedInvalidations = 0
    /// First problems seen, for the report.
    public var problems: [String] = []

    public var isClean: Bool {
        lost + duplicatedCommits + reExecutedCommitted + partialFilesSeen + orphans + badFinishes + unjustifiedInvalidations == 0
    }

    public var description: String {
        var text = """
            soak seed \(seed): \(kills) interruptions (\(gracefulStops) SIGINT/SIGTERM, \(unitKills) unit kills, \(groupKills) of them whole groups), \
            \(resumes) resumes (\(restarts) restarts with --set), \(aggregateOnly) --aggregate-only runs, \(merges) merge sessions, \
            \(cycles) complete runs, \(units) units committed, \(replacedAggregates) aggregates made again after another version replaced their output
            lost \(lost), duplicated commits \(duplicatedCommits), committed units re-executed \(reExecutedCommitted), \
            partial files seen \(partialFilesSeen), orphans \(orphans), bad finishes \(badFinishes), unjustified invalidations \(unjustifiedInvalidations)
            """
        for problem in problems.prefix(10) { text += "\n  problem: \(problem)" }
        return text
    }
}
