import CairnCore
@testable import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// A run folder's `results.index`: the other runs of the workspace read it instead of planning
/// that run and replaying its journal, so it must say exactly what those would, and must not be
/// used once it is stale.
@Suite(.serialized) struct ResultIndexTests {
    /// Two steps, two outputs each, metrics, an aggregate; items 6 and 7 fail while `fail`
    /// exists, and item 6 is slow while `slow` does (to kill a session in).
    static let pipeline = """
        name: a
        items: {i: [1, 2, 3, 4, 5, 6, 7]}
        steps:
          - name: gen
            run: 'if [ {i} -ge 6 ] && [ -e fail ]; then exit 1; fi; if [ {i} = 6 ] && [ -e slow ]; then sleep 30; fi; echo a{i} > {out.data}; echo m{i} > {out.meta}; echo "loss={i}.5"'
            outputs: {data: 'out/{i}.txt', meta: 'out/{i}.meta'}
            metrics: log
          - name: sum
            foreach: once
            inputs: {data: {from: gen.data}}
            run: 'cat {in.data} > {out.all}'
            outputs: {all: 'out/all.txt'}

        """

    /// The cache built from the indexes equals the one built by planning and replaying.
    func expectIndexAgrees(_ dir: TemporaryFolder, other: String, _ comment: Comment) {
        let runs = "\(dir.path)/.cairn/runs"
        let own = RunFolder(path: "\(runs)/b")
        let indexed = ResultCache(runsFolders: [runs], excluding: own, pipelineFile: other)
        let planned = ResultCache(runsFolders: [runs], excluding: own, pipelineFile: other, indexes: false)
        #expect(!planned.entries.isEmpty && !planned.claims.isEmpty, comment)
        #expect(indexed.entries == planned.entries, comment)
        #expect(indexed.claims == planned.claims, comment)
    }

    func index(_ dir: TemporaryFolder) -> ResultIndex? {
        let folder = RunFolder(path: "\(dir.path)/.cairn/runs/a")
        guard let data = FileManager.default.contents(atPath: folder.snapshot) else { return nil }
        return ResultIndex.load(folder, snapshotData: data)
    }

    /// `gen`'s committed count in `cairn status --json` of run a.
    func committed(_ dir: TemporaryFolder) -> Int? {
        guard let status = try? CairnBinary.run(["status", ".cairn/runs/a", "--json"], in: dir.path),
            let json = try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any],
            let steps = json["steps"] as? [[String: Any]]
        else { return nil }
        return steps.first { $0["step"] as? String == "gen" }?["committed"] as? Int
    }

    @Test func theIndexSaysWhatPlanningAndReplaySayAndIsNotUsedOnceStale() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("a.yaml", Self.pipeline)
        let other = dir.write("b.yaml", "name: b\nitems: {i: [7]}\nsteps:\n  - {name: make, run: 'echo b > {out.o}', outputs: {o: 'out/{i}.txt'}}\n")
        // A session that ends with failures closes its journal: the index holds items 1–5.
        dir.write("fail", "")
        #expect(try CairnBinary.run(["run", "a.yaml"], in: dir.path).status == 1)
        let failed = try #require(index(dir), "a closed session leaves a current index")
        #expect(failed.entries.count == 5)
        #expect(failed.entries.first?.metrics == [Metric(name: "loss", value: 1.5)])
        expectIndexAgrees(dir, other: other, "after failures")

        // SIGKILL the resume once item 7 committed (item 6 sleeps): the journal grew past the
        // index, so it is not used; planning finds item 7, and b (writing out/7.txt) is refused.
        try FileManager.default.removeItem(atPath: "\(dir.path)/fail")
        dir.write("slow", "")
        let killed = try CairnBinary.start(["resume", ".cairn/runs/a"], in: dir.path)
        #expect(CairnBinary.waitFor { committed(dir) == 6 })
        killed.signal(SIGKILL)
        _ = killed.wait()
        #expect(index(dir) == nil, "stale after the killed session")
        let refused = try CairnBinary.run(["run", "b.yaml"], in: dir.path)
        #expect(refused.status == 2 && refused.stderr.contains("out/7.txt"), "the stale index is not trusted: \(refused.stderr)")

        // The next session that closes its journal writes it again.
        try FileManager.default.removeItem(atPath: "\(dir.path)/slow")
        #expect(try CairnBinary.run(["resume", ".cairn/runs/a"], in: dir.path).status == 0)
        let complete = try #require(index(dir))
        #expect(complete.entries.count == 8, "seven gen units and the aggregate")
        expectIndexAgrees(dir, other: other, "complete")

        // Damaged, or a snapshot that is not the one it was made from: not used.
        let path = "\(dir.path)/.cairn/runs/a/results.index"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count - 3] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(index(dir) == nil, "damaged")
        expectIndexAgrees(dir, other: other, "damaged index")
        dir.write(".cairn/runs/a/.results.index.99999.tmp", "half of a write a kill -9 cut")
        #expect(try CairnBinary.run(["resume", ".cairn/runs/a"], in: dir.path).status == 0)
        #expect(index(dir) != nil, "a session that ran nothing rewrites it too")
        #expect(!dir.exists(".cairn/runs/a/.results.index.99999.tmp"), "and removes what a killed write left")
        let snapshot = "\(dir.path)/.cairn/runs/a/snapshot.json"
        try (dir.read(".cairn/runs/a/snapshot.json")! + " ").write(toFile: snapshot, atomically: true, encoding: .utf8)
        #expect(index(dir) == nil, "another snapshot")
    }

    /// Output paths are compared as absolute paths normalized by their text alone.
    @Test func outputPathsAreNormalizedByTheirText() {
        let cases: [(String, String)] = [
            ("/a/b", "/a/b"), ("/a//b", "/a/b"), ("/a/./b", "/a/b"), ("/a/b/../c", "/a/c"), ("/a/b/", "/a/b"), ("/", "/"),
            ("/..", "/"), ("/a/..", "/"), ("/a/.b", "/a/.b"), ("/a/..b", "/a/..b"), ("/a/b.", "/a/b."), ("/a/...", "/a/..."),
            ("/a/b/.", "/a/b"), ("/a/b/..", "/a"), ("//a", "/a"), ("/é/ü.txt", "/é/ü.txt"), ("/r/out/../x/./y.txt", "/r/x/y.txt"),
        ]
        for (path, expected) in cases {
            #expect(RawPath.normalized(path) == expected, "\(path)")
            #expect(RawPath.isNormal(path) == (path == expected), "\(path)")
        }
        #expect(ResultCache.absolute("out/./1.txt", root: "/w/p") == "/w/p/out/1.txt")
        #expect(ResultCache.absolute("/abs/../x", root: "/w/p") == "/x")
    }
}
