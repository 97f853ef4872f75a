@testable import CairnRun
import CairnCore
import CairnJournal
import CairnTestSupport
import Foundation
import Testing

/// `cairn trace`: one row per attempt of every session, with what the kernel says it used.
@Suite struct TraceTests {
    static func rows(_ dir: TemporaryFolder, _ extra: [String] = []) throws -> [[String: Any]] {
        let result = try CairnBinary.run(["trace", "--json"] + extra, in: dir.path)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        return try result.stdout.split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func everyAttemptOfEverySessionIsARowAcrossAKillAndAResume() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: t
            items: {i: {range: [0, 12]}}
            steps:
              - name: slow
                run: echo "$CAIRN_UNIT_KEY" >> starts.log; sleep 0.4; echo {i} > {out.o}
                outputs: {o: 'out/{i}.txt'}
            """)
        let first = try CairnBinary.start(["run", "p.yaml", "-j", "3"], in: dir.path)
        #expect(CairnBinary.waitFor(timeout: 60) { dir.lines("starts.log").count >= 5 })
        first.signal(SIGKILL)
        _ = first.wait()
        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let rows = try Self.rows(dir)
        // One row per journaled attempt. An attempt whose start record the kill lost (not yet
        // written) is unknown to the journal, and one the resume's orphan sweep killed may not
        // have logged its start yet: at most one per slot either way.
        let journal = "\(dir.path)/.cairn/runs/t/journal"
        var journaled = 0
        for name in try Journal.segments(in: journal) {
            _ = try SegmentReader.read("\(journal)/\(name)", repair: false) { if case .attemptStarted = $0 { journaled += 1 } }
        }
        let starts = dir.lines("starts.log").count
        #expect(rows.count == journaled, "\(rows.count) rows, \(journaled) journaled")
        #expect(abs(journaled - starts) <= 3, "\(journaled) journaled, \(starts) started")
        #expect(Set(rows.map { "\($0["name"] ?? "") \($0["attempt"] ?? "")" }).count == rows.count, "no attempt twice")
        let committed = rows.filter { $0["status"] as? String == "committed" }
        #expect(committed.count == 12 && Set(committed.map { $0["name"] as? String ?? "" }).count == 12)
        let interrupted = rows.filter { $0["status"] as? String == "interrupted" }
        #expect(!interrupted.isEmpty && interrupted.allSatisfy { $0["session"] as? Int == 1 }, "\(interrupted)")
        #expect(committed.contains { $0["session"] as? Int == 2 } && rows.allSatisfy { ($0["host"] as? String)?.isEmpty == false })
        // A row a kill left open has its start and, once the resume closed it, an end.
        #expect(interrupted.allSatisfy { $0["start"] is String && $0["complete"] is String })
        // TSV: a header, then one line per attempt, with the chosen columns.
        let tsv = try CairnBinary.run(["trace", "--fields", "name,status,attempt"], in: dir.path)
        let lines = tsv.stdout.split(separator: "\n")
        #expect(lines.first == "name\tstatus\tattempt" && lines.count == rows.count + 1, "\(tsv.stdout)")
    }

    @Test func aUnitsCPUAndMemoryAreWhatTheKernelSays() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("burn.py", """
            import time
            block = bytearray(200 << 20)
            for i in range(0, len(block), 4096): block[i] = 1
            t = time.process_time()
            while time.process_time() - t < 1.0: pass
            """)
        dir.write("p.yaml", """
            name: t
            items: {i: [1]}
            steps:
              - name: burn
                run: python3 burn.py && dd if=/dev/zero of={out.o} bs=1M count=3 status=none
                outputs: {o: 'out/{i}.bin'}
              - name: fails
                run: exit 4
                foreach: once
            """)
        let run = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let rows = try Self.rows(dir)
        let burn = try #require(rows.first { $0["step"] as? String == "burn" })
        let cpu = (burn["cpu_user"] as? Int ?? 0) + (burn["cpu_sys"] as? Int ?? 0)
        #expect(cpu >= 900 && cpu < 5000, "\(burn)")
        #expect((burn["peak_rss"] as? Int ?? 0) >= 200 << 20, "\(burn)")
        #expect((burn["wchar"] as? Int ?? 0) >= 3 << 20, "\(burn)")
        // %cpu is CPU time over wall time (how busy depends on the machine's load, not asserted).
        let realtime = try #require(burn["realtime"] as? Int)
        #expect(abs((burn["%cpu"] as? Double ?? -1) - Double(cpu) * 100 / Double(realtime)) <= 0.06, "\(burn)")
        let fails = try #require(rows.first { $0["step"] as? String == "fails" })
        #expect(fails["status"] as? String == "failed" && fails["exit"] as? Int == 4 && fails["reason"] as? String == "exited with code 4", "\(fails)")
    }

    @Test func timesAreISO8601InUTCWithMilliseconds() {
        #expect(TraceTable.time(0) == "1970-01-01T00:00:00.000Z")
        #expect(TraceTable.time(1_700_000_000_123) == "2023-11-14T22:13:20.123Z")
        #expect(TraceTable.time(951_782_400_007) == "2000-02-29T00:00:00.007Z")
        #expect(TraceTable.oneDecimal(99.96) == "100.0" && TraceTable.oneDecimal(0.04) == "0.0" && TraceTable.oneDecimal(12.34) == "12.3")
    }

    @Test func badFormatsAndFieldsExitTwoWithOneLine() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: t\nitems: {i: [1]}\nsteps:\n  - name: a\n    run: 'true'\n")
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        for args in [["--format", "xml"], ["--fields", "name,nope"], ["--json", "--format", "csv"], ["--fields", ","]] {
            let r = try CairnBinary.run(["trace"] + args, in: dir.path)
            #expect(r.status == 2 && r.stdout.isEmpty && r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        let csv = try CairnBinary.run(["trace", "--format", "csv", "-o", "t.csv"], in: dir.path)
        #expect(csv.status == 0 && dir.read("t.csv")?.hasPrefix("name,hash,step") == true, "\(csv.stderr)")
    }
}
