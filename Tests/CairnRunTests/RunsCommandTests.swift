import CairnTestSupport
import Foundation
import Testing

/// `cairn runs`: every run below the folder with the state and counts `cairn status` gives it —
/// a complete run, one killed with SIGKILL, a nested one and a damaged folder — as a table and
/// as `--json`.
@Suite struct RunsCommandTests {
    func runs(_ dir: TemporaryFolder) throws -> [[String: Any]] {
        let listed = try CairnBinary.run(["runs", "--json"], in: dir.path)
        #expect(listed.status == 0, "\(listed.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any], "\(listed.stdout)")
        return try #require(json["runs"] as? [[String: Any]], "\(listed.stdout)")
    }

    /// The total committed of `cairn status --json` of `run`.
    func committed(_ dir: TemporaryFolder, _ run: String) throws -> Int? {
        let status = try CairnBinary.run(["status", run, "--json"], in: dir.path)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        return (json?["steps"] as? [[String: Any]])?.reduce(0) { $0 + ($1["committed"] as? Int ?? 0) }
    }

    @Test func listsEachRunWithTheStateAndCountsStatusGivesIt() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        // Nothing yet: an empty list, and the table says how to start.
        #expect(try runs(dir).isEmpty)
        let empty = try CairnBinary.run(["runs"], in: dir.path)
        #expect(empty.status == 0 && empty.stdout.contains("no runs below"), "\(empty.stdout)")

        dir.write("done.yaml", "name: done\nitems: {x: [1.0, 2.5, \"ünï\"]}\nsteps:\n  - {name: s, run: 'echo {x} > {out.o}', outputs: {o: 'out/{x}.txt'}}\n")
        #expect(try CairnBinary.run(["run", "done.yaml"], in: dir.path).status == 0)
        dir.write("nested/deep.yaml", "name: deep\nitems: {i: {range: [0, 4]}}\nsteps:\n  - {name: s, run: 'true'}\n")
        #expect(try CairnBinary.run(["run", "deep.yaml"], in: "\(dir.path)/nested").status == 0)
        dir.write("slow.yaml", "name: slow\nitems: {i: {range: [0, 400]}}\nsteps:\n  - {name: s, run: 'sleep 0.05; echo {i} >> ran.log'}\n")
        let slow = try CairnBinary.start(["run", "slow.yaml", "-j", "2"], in: dir.path)
        _ = CairnBinary.waitFor(timeout: 60) { dir.lines("ran.log").count >= 20 || !slow.isRunning }
        slow.signal(SIGKILL)
        #expect(slow.wait().status == 128 + SIGKILL)
        dir.write(".cairn/runs/broken/snapshot.json", "{ not json")
        FileManager.default.createFile(atPath: "\(dir.path)/.cairn/runs/broken/journal", contents: nil)

        let listed = try runs(dir)
        let byName = Dictionary(listed.map { ($0["name"] as? String ?? "?", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(listed.count == 4 && Set(byName.keys) == ["done", "deep", "slow", "broken"], "\(listed)")
        #expect(byName["done"]?["state"] as? String == "complete")
        #expect(byName["done"]?["committed"] as? Int == 3 && byName["done"]?["total"] as? Int == 3)
        #expect(byName["deep"]?["state"] as? String == "complete" && byName["deep"]?["total"] as? Int == 4)
        #expect(byName["slow"]?["state"] as? String == "interrupted")
        let slowCommitted = byName["slow"]?["committed"] as? Int
        let statusCommitted = try committed(dir, "slow")
        #expect(slowCommitted != nil && slowCommitted == statusCommitted && slowCommitted! >= 20 - 2 && slowCommitted! < 400, "\(String(describing: slowCommitted))")
        #expect(byName["slow"]?["total"] as? Int == 400)
        #expect(byName["broken"]?["state"] as? String == "unreadable" && byName["broken"]?["committed"] == nil)
        for run in listed {
            let folder = run["folder"] as? String ?? ""
            #expect(folder.hasPrefix("/") && FileManager.default.fileExists(atPath: "\(folder)/snapshot.json"), "\(folder)")
            #expect((run["lastActivity"] as? String).flatMap(ISO8601DateFormatter().date(from:)) != nil)
        }

        let table = try CairnBinary.run(["runs"], in: dir.path)
        #expect(table.status == 0)
        let rows = table.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("RUN") == true && rows.count == 5, "\(table.stdout)")
        #expect(rows.contains { $0.hasPrefix("done ") && $0.contains("complete") && $0.contains("3/3") }, "\(table.stdout)")
        #expect(rows.contains { $0.hasPrefix("slow ") && $0.contains("interrupted") && $0.contains("\(slowCommitted ?? -1)/400") }, "\(table.stdout)")
        #expect(rows.contains { $0.hasPrefix("deep ") && $0.contains("nested/.cairn/runs/deep") }, "\(table.stdout)")

        // Bad input: one line, exit 2.
        let bad = try CairnBinary.run(["runs", "--jsn"], in: dir.path)
        #expect(bad.status == 2 && bad.stderr.split(separator: "\n").count == 1, "\(bad.status) \(bad.stderr)")
    }
}
