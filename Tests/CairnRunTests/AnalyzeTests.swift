import CairnCore
import CairnJournal
import CairnTestSupport
import Foundation
import Testing

/// `cairn analyze` on partial, failed and merged runs, and on a dataset with no run folder;
/// `cairn adopt` of outputs made before Cairn, including SIGKILL while adopting.
@Suite(.serialized) struct AnalyzeTests {
    static let pipeline = """
        name: ana
        items:
          n: {range: [0, 30]}
          kind: [a, b]
        steps:
          - name: make
            run: |
              if [ {n} = 7 ] && [ {kind} = a ]; then echo "ERROR: quota exceeded on /data" >&2; exit 3; fi
              if [ {n} = 8 ] && [ {kind} = a ]; then echo "ERROR: quota exceeded on /data" >&2; exit 3; fi
              if [ {n} = 9 ] && [ {kind} = b ]; then kill -9 $$; fi
              echo {n}{kind} > {out.o}
            outputs: {o: 'out/{kind}/{n}.txt'}
          - name: pack
            run: cat {in.o} > {out.p}
            inputs: {o: {from: make.o}}
            outputs: {p: 'packed/{kind}/{n}.txt'}
        """

    func cairn(_ args: [String], _ dir: String, env: [String: String] = [:], expect: Int32? = 0) throws -> CairnBinary.Result {
        let r = try CairnBinary.run(args, in: dir, environment: env)
        if let expect { #expect(r.status == expect, "cairn \(args.joined(separator: " ")): \(r.status)\n\(r.stdout)\n\(r.stderr)") }
        return r
    }

    @Test func analyzeGroupsFailuresNamesMissingItemsAndShowsSessions() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline)
        _ = try cairn(["run", "p.yaml", "-q", "--where", "n=0:20"], dir.path, expect: 1)
        try FileManager.default.removeItem(atPath: "\(dir.path)/out/b/3.txt")
        let text = try cairn(["analyze"], dir.path).stdout
        #expect(text.contains("run ana — failed — 60 items"), "\(text)")
        #expect(text.contains("2 × exited with code 3 — ERROR: quota exceeded on /data"), "\(text)")
        #expect(text.contains("e.g. make[n=7,kind=a], make[n=8,kind=a]"), "\(text)")
        #expect(text.contains("1 × killed by signal 9 (SIGKILL)"), "\(text)")
        #expect(text.contains("make missing: n 7–8, 20–29 for kind=a; n 9, 20–29 for kind=b"), "\(text)")
        #expect(text.contains("make outputs the journal has but the disk lacks: out/b/3.txt"), "\(text)")
        #expect(text.contains("sessions") && text.contains("ended"), "\(text)")
        let json = try cairn(["analyze", "--json"], dir.path).stdout
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let steps = decoded["steps"] as! [[String: Any]]
        #expect(steps[0]["committed"] as? Int == 37 && steps[0]["failed"] as? Int == 3 && steps[0]["neverRan"] as? Int == 20, "\(steps[0])")
        #expect((decoded["failures"] as! [[String: Any]]).count == 2)
        let bad = try cairn(["analyze", "nowhere"], dir.path, expect: 2)
        #expect(bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }

    @Test func analyzeOfAMergedRunShowsBothMachinesSessions() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let clean = Self.pipeline.replacingOccurrences(of: "exit 3", with: "true").replacingOccurrences(of: "kill -9 $$", with: "true")
        dir.write("a/p.yaml", clean)
        dir.write("b/p.yaml", clean)
        _ = try cairn(["run", "p.yaml", "-q", "--shard", "1/2"], "\(dir.path)/a")
        _ = try cairn(["run", "p.yaml", "-q", "--shard", "2/2"], "\(dir.path)/b")
        _ = try cairn(["merge", "../b"], "\(dir.path)/a")
        let text = try cairn(["analyze"], "\(dir.path)/a").stdout
        #expect(text.contains("imported by merge") && text.contains("merge "), "\(text)")
        #expect(text.contains("run ana — complete"), "\(text)")
        let json = try JSONSerialization.jsonObject(with: Data(try cairn(["analyze", "--json"], "\(dir.path)/a").stdout.utf8)) as! [String: Any]
        let sessions = json["sessions"] as! [[String: Any]]
        #expect(sessions.count == 3, "run here, run there (imported), the merge: \(sessions)")
        #expect(sessions.map { "\($0["kind"]!) \($0["committed"]!)" } == ["session 60", "imported by merge 60", "merge 0"], "commits count where they ran: \(sessions)")
        // Each session's command line, the other machine's included.
        #expect(sessions.map { $0["command"] as? String ?? "" } == ["cairn run p.yaml -q --shard 1/2", "cairn run p.yaml -q --shard 2/2", "cairn merge ../b"], "\(sessions)")
    }

    @Test func adoptRecordsOutputsMadeBeforeCairnAndSurvivesSIGKILL() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let big = Self.pipeline.replacingOccurrences(of: "range: [0, 30]", with: "range: [0, 1500]")
            .replacingOccurrences(of: "exit 3", with: "true").replacingOccurrences(of: "kill -9 $$", with: "true")
        dir.write("p.yaml", big)
        // A dataset made by an older tool: the files, no run folder.
        for n in 0..<1500 { for kind in ["a", "b"] where !(n >= 1400 && kind == "b") { dir.write("out/\(kind)/\(n).txt", "\(n)\(kind)\n") } }
        let survey = try cairn(["analyze", "p.yaml"], dir.path).stdout
        #expect(survey.contains("has no run folder"), "\(survey)")
        #expect(survey.contains("make  3000   2900"), "\(survey)")
        #expect(survey.contains("make missing: n 1400–1499 for kind=b"), "\(survey)")
        let preview = try cairn(["adopt", "p.yaml"], dir.path).stdout
        #expect(preview.contains("would adopt 2900 unit(s); nothing written"), "\(preview)")
        #expect(!dir.exists(".cairn/runs/ana"))

        var kills = 0
        for delay in [30_000, 60_000, 120_000, 200_000] as [UInt32] {
            let adopt = try CairnBinary.start(["adopt", "p.yaml", "--yes"], in: dir.path)
            usleep(delay)
            adopt.signal(SIGKILL)
            if adopt.wait().status == 128 + SIGKILL { kills += 1 }
        }
        #expect(kills > 0)
        let done = try cairn(["adopt", "p.yaml", "--yes", "--json"], dir.path).stdout
        #expect(done.contains("\"confirmed\" : true"), "\(done)")
        var commits: [Digest: Int] = [:]
        for segment in try Journal.replay(directory: "\(dir.path)/.cairn/runs/ana/journal", repair: false) {
            for case .committed(let c) in segment.records { commits[c.key, default: 0] += 1 }
        }
        #expect(commits.count == 2900 && commits.values.allSatisfy { $0 == 1 }, "\(commits.count)")
        // Only what is missing runs: make for kind=b 1400–1499 and every pack.
        let plan = try cairn(["plan", "p.yaml"], dir.path).stdout
        #expect(plan.contains("to run: 3100 (never ran 3100); already committed: 2900"), "\(plan)")
        #expect(try cairn(["plan", "p.yaml", "--verify"], dir.path).stdout.contains("already committed: 2900"))
    }
}
