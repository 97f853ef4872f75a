import CairnTestSupport
import Foundation
import Testing

/// `status.summary`: `cairn status` of an unchanged run reads it instead of planning the run and
/// folding its journal, and shows exactly what it would have computed; anything that changes
/// the answer (a journal that grew, an edited snapshot, a deleted output, the end of a live
/// session) makes the summary stale, never wrong.
@Suite struct StatusSummaryTests {
    static let pipeline = """
        name: sum
        items: {i: {range: [0, 6]}}
        steps:
          - name: a
            run: if [ {i} = 3 ] && [ ! -e ok ]; then exit 1; fi; echo {i} > {out.o}
            outputs: {o: 'out/{i}.txt'}
          - name: b
            foreach: once
            run: cat {in.o} > {out.s}
            inputs: {o: {from: a.o}}
            outputs: {s: 'sum.txt'}
        """

    static func summaryPath(_ dir: TemporaryFolder) -> String { "\(dir.path)/.cairn/runs/sum/status.summary" }

    /// The summary file's origin ("live" or "settled") and modification time (ns), if any.
    static func summary(_ dir: TemporaryFolder) -> (origin: String, mtime: Int64)? {
        var info = stat()
        guard stat(summaryPath(dir), &info) == 0, let data = FileManager.default.contents(atPath: summaryPath(dir)),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let origin = (json["origin"] as? [String: Any])?.keys.first else { return nil }
        return (origin, Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    static func status(_ dir: TemporaryFolder) throws -> String {
        let result = try CairnBinary.run(["status", "--json"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// `status --json` computed from the journal (no summary), then read from the summary the
    /// first wrote: the same bytes, and the second did not rewrite it.
    static func computedThenRead(_ dir: TemporaryFolder, _ note: String) throws -> String {
        unlink(summaryPath(dir))
        let computed = try status(dir)
        let written = try #require(summary(dir), "\(note): the computed status stored no summary")
        #expect(written.origin == "settled", "\(note)")
        let read = try status(dir)
        #expect(read == computed, "\(note): summary \(read) against computed \(computed)")
        #expect(summary(dir)?.mtime == written.mtime, "\(note): the summary was computed again instead of read")
        return computed
    }

    @Test func theSummaryShowsWhatTheJournalSaysAndGoesStaleWhenItGrows() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline)
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 1)
        let failed = try Self.computedThenRead(dir, "failed run")
        #expect(failed.contains("\"state\" : \"failed\""), "\(failed)")

        // Proof the summary is what `status` reads: a doctored one is shown while it is current.
        let doctored = try #require(FileManager.default.contents(atPath: Self.summaryPath(dir)).map { String(decoding: $0, as: UTF8.self) })
        #expect(doctored.contains("\"failed\":1"))
        try doctored.replacingOccurrences(of: "\"failed\":1", with: "\"failed\":77").write(toFile: Self.summaryPath(dir), atomically: true, encoding: .utf8)
        #expect(try Self.status(dir).contains("\"failed\" : 77"))

        // The journal grows (here by a torn record, as a session killed mid-write leaves; no
        // session rewrites the summary): the doctored summary is stale, the status computed again.
        let journal = "\(dir.path)/.cairn/runs/sum/journal"
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".seg") }.sorted().last)
        let handle = try #require(FileHandle(forWritingAtPath: "\(journal)/\(segment)"))
        handle.seekToEndOfFile()
        handle.write(Data([0x01, 0x02, 0x03]))
        try handle.close()
        let grown = try Self.status(dir)
        #expect(!grown.contains("77") && grown.contains("\"state\" : \"failed\""), "\(grown)")

        // A session that ends rewrites it.
        dir.write("ok", "")
        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let complete = try Self.computedThenRead(dir, "complete run")
        #expect(complete.contains("\"state\" : \"complete\"") && complete.contains("\"committed\" : 7"), "\(complete)")

        // An edited snapshot (bytes only) makes it stale too.
        try doctored.replacingOccurrences(of: "\"failed\":1", with: "\"failed\":77").write(toFile: Self.summaryPath(dir), atomically: true, encoding: .utf8)
        let snapshot = "\(dir.path)/.cairn/runs/sum/snapshot.json"
        let bytes = try #require(FileManager.default.contents(atPath: snapshot))
        try (bytes + Data("\n".utf8)).write(to: URL(fileURLWithPath: snapshot))
        #expect(!(try Self.status(dir)).contains("77"))
    }

    @Test func aCompleteRunWritesItAsItEndsAndADeletedOutputIsSeen() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline)
        dir.write("ok", "")
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        // The session wrote it as it ended; status reads it without rewriting it.
        let ended = try #require(Self.summary(dir), "the session stored no summary")
        #expect(ended.origin == "settled")
        #expect(try Self.status(dir).contains("\"state\" : \"complete\""))
        #expect(Self.summary(dir)?.mtime == ended.mtime)

        unlink("\(dir.path)/out/3.txt")
        #expect(try Self.status(dir).contains("\"state\" : \"outputs deleted\""))
        _ = try Self.computedThenRead(dir, "an output deleted")
        dir.write("out/3.txt", "3\n")
        usleep(150_000)  // past the folder's timestamp granularity, so the summary can be kept
        #expect(try Self.status(dir).contains("\"state\" : \"complete\""))
        // A removal in a folder the summary recorded changes that folder's mtime.
        _ = try Self.computedThenRead(dir, "the output back")
        unlink("\(dir.path)/sum.txt")
        #expect(try Self.status(dir).contains("\"state\" : \"outputs deleted\""))
    }

    @Test func aLiveRunPublishesItsStatusAndAKilledOnesSummaryIsIgnored() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: sum
            items: {i: {range: [0, 6]}}
            steps:
              - name: a
                run: if [ {i} -ge 4 ]; then while [ ! -e go ]; do sleep 0.05; done; fi; echo {i} > {out.o}
                outputs: {o: 'out/{i}.txt'}
            """)
        let run = try CairnBinary.start(["run", "p.yaml", "-j", "2"], in: dir.path)
        var shown = ""
        #expect(CairnBinary.waitFor {
            // Before the run folder exists, status says there is no run (exit 2).
            shown = (try? CairnBinary.run(["status", "--json"], in: dir.path).stdout) ?? ""
            return shown.contains("\"committed\" : 4") && shown.contains("\"running\" : 2")
        }, "\(shown)")
        #expect(shown.contains("\"live\" : true") && shown.contains("\"state\" : \"running\""), "\(shown)")
        #expect(Self.summary(dir)?.origin == "live")

        // The session publishes only when asked: without a request, nothing is written.
        let published = try #require(Self.summary(dir))
        usleep(500_000)
        #expect(Self.summary(dir)?.mtime == published.mtime, "published without a request")
        // Each status asks (`status.request`) and shows what the session wrote after that: a
        // doctored summary is replaced, not shown.
        let live = try #require(FileManager.default.contents(atPath: Self.summaryPath(dir)).map { String(decoding: $0, as: UTF8.self) })
        #expect(live.contains("\"committed\":4"))
        try live.replacingOccurrences(of: "\"committed\":4", with: "\"committed\":77").write(toFile: Self.summaryPath(dir), atomically: true, encoding: .utf8)
        let asked = try Self.status(dir)
        #expect(asked.contains("\"committed\" : 4") && asked.contains("\"running\" : 2") && !asked.contains("77"), "\(asked)")
        #expect(Self.summary(dir)?.origin == "live" && dir.exists(".cairn/runs/sum/status.request"))
        #expect(dir.read(".cairn/runs/sum/status.summary")?.contains("\"committed\":77") == false, "the session did not publish when asked")

        // kill -9: the live summary's writer no longer holds the lock; status computes it again.
        run.signal(SIGKILL)
        _ = run.wait()
        let killed = try Self.status(dir)
        #expect(killed.contains("\"live\" : false") && killed.contains("\"running\" : 0") && killed.contains("\"committed\" : 4"), "\(killed)")
        #expect(Self.summary(dir)?.origin == "settled")
        #expect(try Self.computedThenRead(dir, "killed run") == killed)

        dir.write("go", "")
        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Self.status(dir).contains("\"committed\" : 6"))
    }
}
