import CairnCore
import CairnJournal
import CairnTestSupport
import Foundation
import Testing

/// Several machines, one dataset: shards run in separate project folders (no shared disk),
/// copied side by side, merged into one run, then the aggregate. Real runs, real processes.
@Suite(.serialized) struct MergeTests {
    static let pipeline = """
        name: data
        seed: 7
        params: {scale: 1.0}
        items:
          sample: {range: [0, 20]}
          shape: [kreis, 四角]
        steps:
          - name: gen
            run: echo "gen {sample} {shape}" >> side.log; printf '%s %s %s%s\\n' {sample} {shape} {seed} "$NOISE" > {out.o}
            outputs: {o: 'out/{shape}/{sample:03d}.txt'}
          - name: total
            foreach: once
            run: echo "total $CAIRN_ITEMS_PRESENT/$CAIRN_ITEMS_TOTAL" >> side.log; cat {in.o} | wc -l > {out.t}
            inputs: {o: {from: gen.o}}
            outputs: {t: out/total.txt}
        """

    /// Two project folders, `a` and `b`, each with the pipeline, inside one temporary folder.
    func twoMachines() -> (TemporaryFolder, String, String) {
        let dir = TemporaryFolder()
        dir.write("a/p.yaml", Self.pipeline)
        dir.write("b/p.yaml", Self.pipeline)
        return (dir, "\(dir.path)/a", "\(dir.path)/b")
    }

    func cairn(_ args: [String], in dir: String, env: [String: String] = [:], expect: Int32? = 0) throws -> CairnBinary.Result {
        let r = try CairnBinary.run(args, in: dir, environment: env)
        if let expect { #expect(r.status == expect, "cairn \(args.joined(separator: " ")): \(r.status)\n\(r.stdout)\n\(r.stderr)") }
        return r
    }

    /// Commit records per unit key in a run folder's journal.
    func commitsPerKey(_ runFolder: String) throws -> [Digest: Int] {
        var out: [Digest: Int] = [:]
        for segment in try Journal.replay(directory: "\(runFolder)/journal", repair: false) {
            for case .committed(let c) in segment.records { out[c.key, default: 0] += 1 }
        }
        return out
    }

    @Test func twoShardsMergeIntoOneDatasetAndTheAggregateRunsOverEverything() throws {
        let (dir, a, b) = twoMachines()
        defer { dir.remove() }
        let first = try cairn(["run", "p.yaml", "--shard", "1/2"], in: a)
        #expect(first.stdout.contains("partial: 20/40 items selected"), "\(first.stdout)")
        #expect(first.stdout.contains("total: waiting for 20 of 40 items"), "\(first.stdout)")
        let status = try cairn(["status"], in: a)
        #expect(status.stdout.contains("shard complete") && status.stdout.contains("partial: 20/40 items selected (--shard 1/2)"), "\(status.stdout)")
        _ = try cairn(["run", "p.yaml", "--shard", "2/2", "-q"], in: b)
        // The shards are disjoint and together every item.
        let madeA = Set(dir.lines("a/side.log")), madeB = Set(dir.lines("b/side.log"))
        #expect(madeA.count == 20 && madeB.count == 20 && madeA.isDisjoint(with: madeB))

        let merged = try cairn(["merge", b], in: a)
        #expect(merged.stdout.contains("took 20 unit(s)"), "\(merged.stdout)")
        #expect(merged.stdout.contains("40/41 units committed"), "\(merged.stdout)")
        for sample in 0..<20 {
            for shape in ["kreis", "四角"] {
                #expect(dir.read("a/out/\(shape)/\(String(format: "%03d", sample)).txt")?.hasPrefix("\(sample) \(shape) ") == true)
            }
        }
        // Merging again adds nothing: no new segment, no new commit.
        let segments = try FileManager.default.contentsOfDirectory(atPath: "\(a)/.cairn/runs/data/journal").count
        let again = try cairn(["merge", b, "--json"], in: a)
        #expect(again.stdout.contains("\"taken\" : 0") && again.stdout.contains("\"agreed\" : 20"), "\(again.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(a)/.cairn/runs/data/journal").count == segments)
        // The aggregate now sees all 40 items; nothing else runs.
        try FileManager.default.removeItem(atPath: "\(a)/side.log")
        _ = try cairn(["resume", "-q"], in: a)
        #expect(dir.lines("a/side.log") == ["total 40/40"])
        #expect(dir.read("a/out/total.txt")?.trimmingCharacters(in: .whitespaces) == "40\n")
        #expect(try commitsPerKey("\(a)/.cairn/runs/data").values.allSatisfy { $0 == 1 })
        // The source is untouched: still its own shard.
        #expect(try cairn(["status"], in: b).stdout.contains("shard complete"))
    }

    @Test func aCrashAnywhereInAMergeLeavesNoPartialFileAndMergingAgainFinishesIt() throws {
        let (dir, a, b) = twoMachines()
        defer { dir.remove() }
        _ = try cairn(["run", "p.yaml", "-q"], in: b)
        for n in [1, 7, 19, 33] {
            let killed = try cairn(["merge", b, "--into", "p.yaml"], in: a, env: ["CAIRN_FAULT": "crash-after-rename=\(n)"], expect: nil)
            #expect(killed.status == 128 + SIGKILL, "\(killed.stderr)")
        }
        let finished = try cairn(["merge", b, "--into", "p.yaml"], in: a)
        #expect(finished.stdout.contains("41/41 units committed"), "\(finished.stdout)")
        // Every output byte for byte as the source made it; no staging debris; one commit per unit.
        for sample in 0..<20 {
            for shape in ["kreis", "四角"] {
                let name = "out/\(shape)/\(String(format: "%03d", sample)).txt"
                #expect(dir.read("a/\(name)") == dir.read("b/\(name)"), "\(name)")
            }
        }
        #expect(dir.read("a/out/total.txt") == dir.read("b/out/total.txt"))
        let leftovers = FileManager.default.enumerator(atPath: "\(a)/out")?.allObjects.compactMap { $0 as? String }.filter { $0.contains(".cairn-staging") } ?? []
        #expect(leftovers.isEmpty, "\(leftovers)")
        let commits = try commitsPerKey("\(a)/.cairn/runs/data")
        #expect(commits.count == 41 && commits.values.allSatisfy { $0 == 1 }, "\(commits.values.sorted())")
        #expect(try cairn(["plan", "p.yaml"], in: a).stdout.contains("to run: 0; already committed: 41"))
    }

    @Test func sigkillAtRandomMomentsOfALargeMergeThenMergeAgain() throws {
        let (dir, a, b) = twoMachines()
        defer { dir.remove() }
        let big = Self.pipeline.replacingOccurrences(of: "range: [0, 20]", with: "range: [0, 600]").replacingOccurrences(of: "echo \"gen {sample} {shape}\" >> side.log; ", with: "")
        dir.write("a/p.yaml", big)
        dir.write("b/p.yaml", big)
        _ = try cairn(["run", "p.yaml", "-q", "-j", "4"], in: b)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<12 {
            let merge = try CairnBinary.start(["merge", b, "--into", "p.yaml"], in: a)
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            merge.signal(SIGKILL)
            if merge.wait().status == 128 + SIGKILL { kills += 1 } else {
                // It finished before the kill; later merges would have nothing left to be killed
                // in (a no-op merge ends within the shortest delay): start again from nothing.
                try? FileManager.default.removeItem(atPath: "\(a)/.cairn")
                try? FileManager.default.removeItem(atPath: "\(a)/out")
            }
        }
        #expect(kills > 0)
        _ = try cairn(["merge", b, "--into", "p.yaml"], in: a)
        let commits = try commitsPerKey("\(a)/.cairn/runs/data")
        #expect(commits.count == 1201 && commits.values.allSatisfy { $0 == 1 }, "\(commits.count) keys")
        for sample in stride(from: 0, to: 600, by: 37) {
            let name = "out/kreis/\(String(format: "%03d", sample)).txt"
            #expect(dir.read("a/\(name)") == dir.read("b/\(name)"), "\(name)")
        }
        #expect(try cairn(["plan", "p.yaml", "--verify"], in: a).stdout.contains("to run: 0; already committed: 1201"))
    }

    @Test func differentOutputsForOneKeyAreReportedAsNonDeterminism() throws {
        let (dir, a, b) = twoMachines()
        defer { dir.remove() }
        _ = try cairn(["run", "p.yaml", "--shard", "1/2", "-q"], in: a)
        // b runs everything, and its gen step is not deterministic for one sample.
        _ = try cairn(["run", "p.yaml", "-q", "--where", "sample=2", "--where", "shape=kreis"], in: b, env: ["NOISE": " noise"])
        _ = try cairn(["run", "p.yaml", "-q"], in: b)
        let merged = try cairn(["merge", b], in: a, expect: 1)
        #expect(merged.stdout.contains("non-determinism: 1 unit(s) committed in both with different outputs"), "\(merged.stdout)")
        #expect(merged.stdout.contains("gen[sample=2,shape=kreis] out/kreis/002.txt: here sha256"), "\(merged.stdout)")
        #expect(merged.stdout.contains("took 21 unit(s)"), "the rest is taken, with the aggregate: \(merged.stdout)")
        #expect(dir.read("a/out/kreis/002.txt")?.hasSuffix(" noise\n") == false, "this run's output is kept")
    }

    @Test func outputsModifiedAfterCommitAreNotTakenAndIncompatibleSourcesAreRefused() throws {
        let (dir, a, b) = twoMachines()
        defer { dir.remove() }
        _ = try cairn(["run", "p.yaml", "--shard", "2/2", "-q"], in: b)
        dir.write("b/out/四角/001.txt", "tampered\n")
        let merged = try cairn(["merge", b, "--into", "p.yaml"], in: a, expect: 1)
        #expect(merged.stdout.contains("1 unit(s) not taken, outputs modified after commit in the source"), "\(merged.stdout)")
        #expect(!dir.exists("a/out/四角/001.txt"))
        #expect(merged.stdout.contains("took 19 unit(s)"), "\(merged.stdout)")
        // A source of another version of the pipeline is refused, naming the difference.
        let (other, _, c) = twoMachines()
        defer { other.remove() }
        other.write("b/p.yaml", Self.pipeline.replacingOccurrences(of: "scale: 1.0", with: "scale: 2.0").replacingOccurrences(of: "{seed}", with: "{seed}{scale}"))
        _ = try cairn(["run", "p.yaml", "-q"], in: c)
        let refused = try cairn(["merge", c], in: a, expect: 2)
        #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains("it is not the same pipeline") && refused.stderr.contains("step gen: command differs"), "\(refused.stderr)")
        let missing = try cairn(["merge", "\(dir.path)/nowhere"], in: a, expect: 2)
        #expect(missing.stderr.contains("is not a folder"), "\(missing.stderr)")
        let remote = try cairn(["merge", "user@host:data"], in: a, expect: 2)
        #expect(remote.stderr.contains("on another machine"), "\(remote.stderr)")
    }

    @Test func mergeRefusesALiveDestinationAndTakesWhatALiveSourceCommitted() throws {
        let (dir, a, b) = twoMachines()
        defer { dir.remove() }
        let slow = Self.pipeline.replacingOccurrences(of: "printf", with: "sleep 0.3; printf")
        dir.write("a/p.yaml", slow)
        dir.write("b/p.yaml", slow)
        _ = try cairn(["run", "p.yaml", "-q", "--items", "0:2"], in: a)
        _ = try cairn(["run", "p.yaml", "-q", "--items", "0:2"], in: b)
        let live = try CairnBinary.start(["run", "p.yaml", "-q", "-j", "1"], in: a)
        #expect(CairnBinary.waitFor { dir.lines("a/side.log").count >= 6 })
        let refused = try cairn(["merge", b], in: a, expect: 3)
        #expect(refused.stderr.contains("is in use by"), "\(refused.stderr)")
        live.signal(SIGKILL)
        _ = live.wait()

        // A source still being written: its committed units are taken, the rest later.
        let writing = try CairnBinary.start(["run", "p.yaml", "-q", "-j", "1"], in: b)
        #expect(CairnBinary.waitFor { dir.lines("b/side.log").count >= 10 })
        let partial = try cairn(["merge", b], in: a)
        #expect(!partial.stdout.contains("took 0 unit(s)"), "\(partial.stdout)")
        _ = writing.wait()
        let rest = try cairn(["merge", b], in: a)
        #expect(rest.stdout.contains("41/41 units committed"), "\(rest.stdout)")
        #expect(try commitsPerKey("\(a)/.cairn/runs/data").values.allSatisfy { $0 == 1 })
    }
}
