import CairnTestSupport
import Foundation
import Testing

/// Shards and partial aggregates: a run that does only its part exits 0, says it is partial,
/// and its aggregates wait (or, with `--aggregate-only`, cover what is there).
@Suite(.serialized) struct PartialRunTests {
    static let pipeline = """
        name: part
        params: {lr: 0.5}
        items:
          i: {range: [0, 10]}
          flag: [true, false]
        steps:
          - name: make
            run: echo "make {i} {flag}" >> side.log; echo "{i} {flag} {lr}" > {out.o}
            outputs: {o: 'out/{i}-{flag}.txt'}
          - name: sum
            foreach: once
            run: echo "sum $CAIRN_ITEMS_PRESENT/$CAIRN_ITEMS_TOTAL" >> side.log; cat {in.o} | sort > {out.s}
            inputs: {o: {from: make.o}}
            outputs: {s: out/sum.txt}
        """

    func setUp() -> TemporaryFolder {
        let dir = TemporaryFolder()
        dir.write("p.yaml", Self.pipeline)
        return dir
    }

    func cairn(_ args: [String], _ dir: TemporaryFolder, env: [String: String] = [:], expect: Int32? = 0) throws -> CairnBinary.Result {
        let r = try CairnBinary.run(args, in: dir.path, environment: env)
        if let expect { #expect(r.status == expect, "cairn \(args.joined(separator: " ")): \(r.status)\n\(r.stdout)\n\(r.stderr)") }
        return r
    }

    @Test func shardsAreDisjointCoverEveryItemAndCombineWithWhereAndSet() throws {
        var seen: [String: Int] = [:]
        for k in 1...3 {
            let dir = setUp()
            defer { dir.remove() }
            let r = try cairn(["run", "p.yaml", "--shard", "\(k)/3"], dir)
            // 10 values of the first axis over 3 shards: 4, 3 and 3 values, 2 items each.
            #expect(r.stdout.contains("partial: \(k == 1 ? 8 : 6)/20 items selected"), "\(r.stdout)")
            for line in dir.lines("side.log") { seen[line, default: 0] += 1 }
            #expect(!dir.lines("side.log").contains { $0.hasPrefix("sum") }, "the aggregate waits")
        }
        #expect(seen.count == 20 && seen.values.allSatisfy { $0 == 1 }, "\(seen)")

        // With --where, the shards split what the filter selects; with --set, the new trial set.
        let dir = setUp()
        defer { dir.remove() }
        let filtered = try cairn(["run", "p.yaml", "--where", "flag=true", "--shard", "2/2", "--set", "i=[1, 2, 3, 4, 5.5]"], dir)
        #expect(filtered.stdout.contains("partial: 2/10 items selected"), "\(filtered.stdout)")
        #expect(Set(dir.lines("side.log")) == ["make 2 true", "make 4 true"], "\(dir.lines("side.log"))")
        // resume keeps the shard (and the --set values); status says so.
        #expect(try cairn(["resume"], dir).stdout.contains("every run below this folder is complete"), "a finished shard is complete")
        #expect(try cairn(["resume", "p.yaml"], dir).stdout.contains("partial: 2/10 items selected"))
        let status = try cairn(["status", "--json"], dir)
        #expect(status.stdout.contains("\"itemsSelected\" : 2") && status.stdout.contains("\"shard\" : \"2/2\""), "\(status.stdout)")
        #expect(try cairn(["status"], dir).stdout.contains("shard complete"))
        // A run without --shard is the whole dataset again: the aggregate runs at the end.
        _ = try cairn(["run", "p.yaml", "--set", "i=[1, 2, 3, 4, 5.5]", "-q"], dir)
        #expect(dir.lines("side.log").last == "sum 10/10")

        // Bad values: one line, exit 2.
        for bad in ["0/2", "3/2", "1/0", "x", "1/2/3"] {
            let r = try cairn(["run", "p.yaml", "--shard", bad], dir, expect: 2)
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("--shard \(bad): give K/N"), "\(r.stderr)")
        }
    }

    @Test func aKilledShardResumesAsTheSameShard() throws {
        let dir = setUp()
        defer { dir.remove() }
        let killed = try cairn(["run", "p.yaml", "--shard", "1/2", "-j", "1"], dir, env: ["CAIRN_FAULT": "crash-after-spawn=4:100"], expect: nil)
        #expect(killed.status == 128 + SIGKILL)
        #expect(try cairn(["status"], dir).stdout.contains("partial: 10/20 items selected (--shard 1/2)"))
        let resumed = try cairn(["resume"], dir)
        #expect(resumed.stdout.contains("partial: 10/20 items selected"), "\(resumed.stdout)")
        // Only the shard's items ran (even values of i), each committed once, the aggregate waits.
        let made = dir.lines("side.log").filter { $0.hasPrefix("make") }
        #expect(Set(made).count == 10 && made.allSatisfy { Int($0.split(separator: " ")[1])! % 2 == 0 }, "\(made)")
        #expect(!dir.lines("side.log").contains { $0.hasPrefix("sum") })
        #expect(try cairn(["status"], dir).stdout.contains("shard complete"))
    }

    @Test func aStepSelectionThatLeavesADependencyOutStillFails() throws {
        let dir = setUp()
        defer { dir.remove() }
        // Not an item selection: the aggregate cannot run and that is reported as blocked.
        let r = try cairn(["run", "p.yaml", "--steps", "sum"], dir, expect: 1)
        #expect(r.stdout.contains("not committed and not selected"), "\(r.stdout)")
    }

    @Test func aggregateOnlyCoversTheCommittedItemsAndRunsAgainWhenMoreAreThere() throws {
        let dir = setUp()
        defer { dir.remove() }
        _ = try cairn(["run", "p.yaml", "--items", "0:6", "-q"], dir)
        let plan = try cairn(["plan", "p.yaml", "--aggregate-only"], dir)
        #expect(plan.stdout.contains("to run: 1"), "\(plan.stdout)")
        _ = try cairn(["run", "p.yaml", "--aggregate-only", "-q"], dir)
        #expect(dir.lines("side.log").filter { $0.hasPrefix("sum") } == ["sum 6/20"])
        #expect(dir.lines("out/sum.txt").count == 6)
        let status = try cairn(["status"], dir)
        #expect(status.stdout.contains("sum: committed over 6/20 items (partial, --aggregate-only)"), "\(status.stdout)")
        #expect(status.stdout.contains("0/1"), "the full aggregate is not committed: \(status.stdout)")
        let analysis = try cairn(["analyze", "--json"], dir)
        #expect(analysis.stdout.contains("\"partialAggregate\" : \"6\\/20\"") || analysis.stdout.contains("\"partialAggregate\" : \"6/20\""), "\(analysis.stdout)")
        // Nothing new: nothing runs. More items: it runs again over them.
        _ = try cairn(["run", "p.yaml", "--aggregate-only", "-q"], dir)
        #expect(dir.lines("side.log").filter { $0.hasPrefix("sum") }.count == 1)
        _ = try cairn(["run", "p.yaml", "--items", "6:4", "-q"], dir)
        _ = try cairn(["run", "p.yaml", "--aggregate-only", "-q"], dir)
        #expect(dir.lines("side.log").filter { $0.hasPrefix("sum") } == ["sum 6/20", "sum 10/20"])
        // A crash during the aggregate leaves no partial output; the next pass makes it.
        _ = try cairn(["run", "p.yaml", "--items", "10:10", "--steps", "make", "-q"], dir)
        let killed = try cairn(["run", "p.yaml", "--aggregate-only"], dir, env: ["CAIRN_FAULT": "crash-after-spawn=1:200"], expect: nil)
        #expect(killed.status == 128 + SIGKILL)
        #expect(dir.lines("out/sum.txt").count == 10, "the old partial output stays until the new one is committed")
        _ = try cairn(["resume", "-q"], dir)
        #expect(dir.lines("side.log").last == "sum 20/20")
        #expect(dir.lines("out/sum.txt").count == 20)
        #expect(try cairn(["status"], dir).stdout.contains("complete"))
        // With every item committed, --aggregate-only and a normal run agree on the key.
        #expect(try cairn(["plan", "p.yaml", "--aggregate-only"], dir).stdout.contains("to run: 0"))
    }
}
