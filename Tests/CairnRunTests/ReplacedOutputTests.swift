import CairnCore
import CairnJournal
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// Two versions of one unit write the same path: an aggregate over 6 items and over 9 both
/// write `out/total.txt`. Going back with `--set` to values whose version was committed earlier
/// finds the other version's file in place; the unit must run again (it used to count as done
/// and leave "9" where "6" belongs). Through a SIGKILL while it runs again, too.
@Suite struct ReplacedOutputTests {
    static let pipeline = """
        name: agg
        items: {i: {range: [0, 6]}}
        steps:
          - {name: gen, run: 'printf "%s\\n" {i} > {out.o}', outputs: {o: 'out/gen/{i}.txt'}}
          - {name: total, foreach: once, run: 'sleep "$(cat delay 2>/dev/null || echo 0)"; cat {in.x} | wc -l > {out.o}', inputs: {x: {from: gen.o}}, outputs: {o: out/total.txt}}
        """
    static let six = ["--set", "i=[0, 1, 2, 3, 4, 5]"]
    static let nine = ["--set", "i=[0, 1, 2, 3, 4, 5, 6, 7, 8]"]

    func total(_ dir: TemporaryFolder) -> String? { dir.read("out/total.txt")?.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Commit and invalidation records of `key`, in journal order.
    func history(_ dir: TemporaryFolder, of key: Digest) throws -> [String] {
        var out: [String] = []
        let journal = "\(dir.path)/.cairn/runs/agg/journal"
        for name in try Journal.segments(in: journal) {
            _ = try SegmentReader.read("\(journal)/\(name)", repair: false) { record in
                if case .committed(let c) = record, c.key == key { out.append("committed") }
                if case .invalidated(let k, _) = record, k == key { out.append("invalidated") }
            }
        }
        return out
    }

    func totalKey(_ dir: TemporaryFolder) throws -> Digest {
        let plan = try Snapshot.read(RunFolder(path: "\(dir.path)/.cairn/runs/agg")).plan(reading: nil).plan
        return try #require(plan.units.last?.key)
    }

    @Test func goingBackToEarlierValuesMakesAnOverwrittenOutputAgain() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline)
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        #expect(total(dir) == "6")
        let sixKey = try totalKey(dir)
        #expect(try CairnBinary.run(["resume"] + Self.nine, in: dir.path).status == 0)
        #expect(total(dir) == "9")

        // Back to six items: the 6-item total is committed, but the file holds the 9-item one.
        let why = try CairnBinary.run(["plan", "p.yaml", "--why"] + Self.six, in: dir.path)
        #expect(why.stdout.contains("output replaced by another version") && why.stdout.contains("out/total.txt"), "\(why.stdout)")
        let back = try CairnBinary.run(["resume"] + Self.six, in: dir.path)
        #expect(back.status == 0 && back.stdout.contains("1 in this session"), "\(back.stdout) \(back.stderr)")
        #expect(total(dir) == "6")
        #expect(try history(dir, of: sixKey) == ["committed", "invalidated", "committed"])

        // And forth again, this time killed with SIGKILL while the total runs again.
        dir.write("delay", "30")
        let killed = try CairnBinary.start(["resume"] + Self.nine, in: dir.path)
        _ = CairnBinary.waitFor(timeout: 60) { self.runningTotal(dir) }
        killed.signal(SIGKILL)
        #expect(killed.wait().status == 128 + SIGKILL)
        let status = try CairnBinary.run(["status", "agg", "--json"], in: dir.path)
        #expect(status.stdout.contains("\"state\" : \"interrupted\""), "the invalidated total is not counted as committed: \(status.stdout)")
        try FileManager.default.removeItem(atPath: "\(dir.path)/delay")
        #expect(try CairnBinary.run(["resume"], in: dir.path).status == 0)
        #expect(total(dir) == "9")
    }

    /// Whether a total attempt is running (its log exists and the journal holds its start).
    func runningTotal(_ dir: TemporaryFolder) -> Bool {
        let status = try? CairnBinary.run(["status", "agg", "--json"], in: dir.path)
        return status?.stdout.contains("\"running\" : 1") == true
    }

    @Test func aVersionThatNeverWroteTheFileLeavesTheUnitDone() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline)
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        // The 9-item version runs only its item units (the aggregate is left out): out/total.txt is untouched.
        #expect(try CairnBinary.run(["resume", "--steps", "gen"] + Self.nine, in: dir.path).status == 0)
        #expect(total(dir) == "6")
        let back = try CairnBinary.run(["resume"] + Self.six, in: dir.path)
        #expect(back.status == 0 && back.stdout.contains("0 in this session"), "\(back.stdout) \(back.stderr)")
        #expect(total(dir) == "6")
    }
}
