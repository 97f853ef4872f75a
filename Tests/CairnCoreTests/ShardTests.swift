import CairnCore
import Testing

/// The documented shard rule (see ``Shard``), checked on plans built without I/O.
@Suite struct ShardTests {
    func plan(_ axes: [(String, [ItemValue])]) throws -> Plan {
        let step = StepSpec(name: "a", run: "true", outputs: [.init(name: "x", pattern: "o/" + axes.map { "{\($0.0)}" }.joined(separator: "-"))])
        return try Planner.plan(PipelineSpec(name: "t", seed: 1, axes: axes.map { AxisSpec(name: $0.0, source: .list($0.1)) }, steps: [step]))
    }

    func parts(_ plan: Plan, _ n: Int, _ base: RunSelection = RunSelection()) -> [[Int]] {
        (1...n).map { k in
            var s = base
            s.shard = Shard(index: k, count: n)
            return s.itemsAllowed(in: plan).enumerated().filter(\.element).map(\.offset)
        }
    }

    @Test func shardsAreDisjointCompleteAndFollowTheFirstAxis() throws {
        let p = try plan([("sample", (0..<10).map { .int($0) }), ("shape", [.string("a"), .string("b")])])
        let three = parts(p, 3)
        #expect(Set(three.flatMap { $0 }) == Set(0..<20) && three.map(\.count).reduce(0, +) == 20)
        // Both shapes of a sample go together; samples alternate over the shards.
        #expect(three[0] == [0, 1, 6, 7, 12, 13, 18, 19])
        // Items added at the end of the first axis move nothing.
        let grown = try plan([("sample", (0..<13).map { .int($0) }), ("shape", [.string("a"), .string("b")])])
        for (before, after) in zip(three, parts(grown, 3)) { #expect(Set(before).isSubset(of: Set(after))) }
    }

    @Test func fewerFirstAxisValuesThanShardsNumbersTheItems() throws {
        let p = try plan([("shape", [.string("a"), .string("b")]), ("sample", (0..<5).map { .int($0) })])
        let four = parts(p, 4)
        #expect(four.map(\.count) == [3, 3, 2, 2], "\(four)")
        #expect(Set(four.flatMap { $0 }).count == 10)
    }

    @Test func shardsSplitWhatTheOtherFiltersSelect() throws {
        let p = try plan([("sample", (0..<10).map { .int($0) })])
        var base = RunSelection()
        base.items = 2..<8
        #expect(parts(p, 2, base) == [[2, 4, 6], [3, 5, 7]])
        #expect(Shard(parsing: "2/3") == Shard(index: 2, count: 3))
        for bad in ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "-1/2"] { #expect(Shard(parsing: bad) == nil, "\(bad)") }
    }
}
