import CairnCore
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// A session handed a read of its run folder made just before (`cairn resume` without RUN)
/// uses its plan only for that very snapshot, and its journal read only while nothing was
/// journaled since.
@Suite(.serialized) struct InspectedSessionTests {
    /// Items 1–3 (or `items`); item N fails while `fail-N` exists; every start is counted in ran.log.
    static func pipeline(items: String = "[1, 2, 3]") -> String {
        """
        name: p
        items: {i: \(items)}
        steps:
          - name: gen
            run: 'echo {i} >> ran.log; if [ -e fail-{i} ]; then exit 1; fi; echo {i} > {out.o}'
            outputs: {o: 'out/{i}.txt'}

        """
    }

    func execute(_ folder: RunFolder, _ snapshot: Snapshot, inspected: RunInspector) throws -> RunSummary {
        var options = RunOptions(jobs: 2)
        options.inspected = inspected
        return try RunSession.execute(snapshot: snapshot, folder: folder, options: options, observer: SilentObserver())
    }

    @Test func theInspectionIsUsedOnlyForItsSnapshotAndWhileTheJournalIsUnchanged() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline())
        dir.write("fail-3", "")
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 1)
        let folder = RunFolder(path: "\(dir.path)/.cairn/runs/p")
        try FileManager.default.removeItem(atPath: "\(dir.path)/fail-3")

        // The same snapshot, nothing journaled since: the inspection stands in for plan and read.
        let first = try RunInspector(folder: folder)
        let resumed = try execute(folder, try Snapshot.read(folder), inspected: first)
        #expect(resumed.committed == 1 && dir.read("out/3.txt") == "3\n")
        // Items 1 and 2 ran side by side (-j 2) in the first run, in either order; 3 ran again.
        #expect(dir.lines("ran.log").sorted() == ["1", "2", "3", "3"] && dir.lines("ran.log").last == "3")

        // Another snapshot (a fourth item): planned afresh, not the inspection's three items.
        let stale = try RunInspector(folder: folder)
        var four = try Snapshot.read(folder)
        four.pipeline = try PipelineLoader().load(file: dir.write("p.yaml", Self.pipeline(items: "[1, 2, 3, 4]")))
        let grown = try execute(folder, four, inspected: stale)
        #expect(grown.committed == 1 && dir.read("out/4.txt") == "4\n", "item 4 ran")

        // The journal grew after the inspection (a session committed item 5, which had failed
        // when the inspection read it): read again, so item 5 does not run twice.
        dir.write("p.yaml", Self.pipeline(items: "[1, 2, 3, 4, 5]"))
        dir.write("fail-5", "")
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 1)
        let before = try RunInspector(folder: folder)
        try FileManager.default.removeItem(atPath: "\(dir.path)/fail-5")
        #expect(try CairnBinary.run(["resume", ".cairn/runs/p"], in: dir.path).status == 0)
        let starts = dir.lines("ran.log").count
        let again = try execute(folder, try Snapshot.read(folder), inspected: before)
        #expect(again.committed == 0, "item 5 was remade after the inspection; the session read the journal again")
        #expect(dir.lines("ran.log").count == starts, "nothing ran twice")
    }
}
