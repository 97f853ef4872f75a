import ArgumentParser
import CairnCore

/// The options that choose which units a run (or plan) touches, forces or holds back.
struct SelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only these steps (comma-separated).", valueName: "A,B"))
    var steps: String?

    @Option(help: ArgumentHelp("Only this step and the steps it depends on.", valueName: "STEP"))
    var until: String?

    @Option(help: ArgumentHelp("Only items START to START+COUNT-1, in plan order.", valueName: "START:COUNT"))
    var items: String?

    @Option(name: .customLong("where"), help: ArgumentHelp("Only items whose axis passes: AXIS=FROM:TO (numbers, TO excluded) or AXIS=V1,V2. Repeatable.", valueName: "AXIS=…"))
    var filters: [String] = []

    @Option(help: ArgumentHelp("Only the K-th of N disjoint parts of the items, for machines that share no disk (fold them together with `cairn merge`); `cairn resume` keeps it.", valueName: "K/N"))
    var shard: String?

    @Flag(help: "Run only the aggregates (foreach: once), each over the items committed now, as partial aggregates; item units do not run. They run again when more items are committed.")
    var aggregateOnly = false

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Re-run these steps' committed units and everything downstream.", valueName: "STEP"))
    var force: [String] = []

    @Flag(help: "Re-run every selected unit, committed or not.")
    var forceAll = false

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Never recompute these steps: a unit that would need it is reported failed instead.", valueName: "STEP"))
    var neverRerun: [String] = []

    @Flag(help: "Do not retry units whose last attempt failed.")
    var skipFailed = false

    @Flag(help: "Re-read every code and input file instead of trusting the digest cache.")
    var verify = false

    @Flag(help: "Do not reuse outputs that other runs in the workspace committed; run everything here.")
    var fresh = false

    @Option(help: ArgumentHelp("With a folder: only this pipeline file (repeatable).", valueName: "FILE"))
    var only: [String] = []

    @Option(help: ArgumentHelp("With a folder: only pipeline files below this folder (repeatable).", valueName: "DIR"))
    var under: [String] = []

    /// Whether the command line narrows the items (`--items`, `--where`, `--shard`).
    var narrowsItems: Bool { items != nil || !filters.isEmpty || shard != nil }

    /// The item scope to store with the run: the shard with the item filters it was given
    /// with; nil without `--shard`.
    func scope() throws -> ItemScope? {
        ItemScope(try selection(), filterTexts: filters)
    }

    /// The selection, within `stored` (a resumed shard) unless the command line names items itself.
    func selection(within stored: ItemScope?) throws -> RunSelection {
        let own = try selection()
        guard let stored, !narrowsItems else { return own }
        return stored.applied(to: own)
    }

    /// The selection, or a usage error naming the bad value.
    func selection() throws -> RunSelection {
        var s = RunSelection()
        let list = { (text: String) in text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        s.steps = steps.map { Set(list($0)) }
        s.until = until
        if let items {
            let parts = items.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let start = Int(parts[0]), let count = Int(parts[1]), start >= 0, count >= 0 else {
                throw ValidationError("--items \(items): give START:COUNT, two whole numbers, e.g. --items 100:50")
            }
            s.items = start..<(start + count)
        }
        for f in filters {
            guard let filter = RunSelection.AxisFilter.parse(f) else {
                throw ValidationError("--where \(f): give AXIS=FROM:TO or AXIS=V1,V2, e.g. --where sample=100:200")
            }
            s.filters.append(filter)
        }
        if let shard {
            guard let parsed = Shard(parsing: shard) else {
                throw ValidationError("--shard \(shard): give K/N with 1 ≤ K ≤ N, e.g. --shard 1/4 on the first of four machines")
            }
            s.shard = parsed
        }
        s.aggregateOnly = aggregateOnly
        s.force = Set(force.flatMap(list))
        s.forceAll = forceAll
        s.neverRerun = Set(neverRerun.flatMap(list))
        s.skipFailed = skipFailed
        return s
    }
}

import Foundation
