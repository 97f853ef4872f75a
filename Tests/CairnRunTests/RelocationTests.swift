import CairnCore
@testable import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// A project moved or copied whole (pipeline files, outputs and `.cairn/runs`) keeps working in
/// its new place: its recorded paths are rebased, nothing is written where it used to be.
@Suite(.serialized) struct RelocationTests {
    /// A project with a template in a sibling folder, and a run of it killed with SIGKILL after
    /// `committed` units committed. Returns the project folder (`DIR/proj`).
    func killedProject(_ dir: TemporaryFolder, committed: Int) throws -> String {
        dir.write("proj/base/base.yaml", """
            name: base
            runnable: false
            items: {i: {range: [1, 31]}}
            steps:
              - {name: s, run: 'sleep 0.1; echo {i} {seed} > {out.o}', outputs: {o: 'o/{i}.txt'}}
            """)
        dir.write("proj/exp/p.yaml", "name: moved\nextends: ../base/base.yaml\n")
        let exp = "\(dir.path)/proj/exp"
        let run = try CairnBinary.start(["run", "p.yaml", "-j", "2"], in: exp)
        #expect(CairnBinary.waitFor { ((try? self.committed(in: exp)) ?? 0) >= committed })
        run.signal(SIGKILL)
        #expect(run.wait().status == 128 + SIGKILL)
        return "\(dir.path)/proj"
    }

    /// The committed count `cairn status --json` gives in `folder`.
    func committed(in folder: String) throws -> Int {
        let status = try CairnBinary.run(["status", "--json"], in: folder)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status.stdout)")
        return try #require((json["total"] as? [String: Any])?["committed"] as? Int, "\(status.stdout)")
    }

    func done(_ result: CairnBinary.Result) -> (session: Int, before: Int)? {
        guard let line = result.stdout.split(separator: "\n").first(where: { $0.hasPrefix("done:") }) else { return nil }
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return numbers.count >= 4 ? (numbers[2], numbers[3]) : nil
    }

    @Test func aKilledRunMovedElsewhereResumesThereAndWritesNothingWhereItWas() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let old = try killedProject(dir, committed: 8)
        let new = "\(dir.path)/elsewhere/proj2"
        try FileManager.default.createDirectory(atPath: "\(dir.path)/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: old, toPath: new)
        let exp = "\(new)/exp"
        let committed = try self.committed(in: exp)
        #expect(committed >= 8 && committed < 30)
        try FileManager.default.removeItem(atPath: "\(exp)/o/1.txt")  // a committed output lost after the move
        let plan = try CairnBinary.run(["plan", "p.yaml"], in: exp)
        #expect(plan.status == 0 && plan.stdout.contains("to run: \(30 - committed + 1)"), "\(plan.stdout) \(plan.stderr)")
        #expect(!plan.stdout.contains("changed"), "moving the files changed nothing in the pipeline: \(plan.stdout)")
        let resumed = try CairnBinary.run(["resume"], in: exp)
        #expect(resumed.status == 0, "\(resumed.stdout) \(resumed.stderr)")
        #expect(done(resumed)?.session == 30 - committed + 1, "\(resumed.stdout)")
        for i in 1...30 { #expect(FileManager.default.fileExists(atPath: "\(exp)/o/\(i).txt"), "o/\(i).txt") }
        #expect(!FileManager.default.fileExists(atPath: old), "nothing was written at the old place")
        let snapshot = try Snapshot.read(RunFolder(path: "\(exp)/.cairn/runs/moved"))
        #expect(snapshot.root == exp && snapshot.pipelineFile == "\(exp)/p.yaml")
        #expect(snapshot.pipeline.ancestors == ["\(new)/base/base.yaml"])
        let again = try CairnBinary.run(["plan", "p.yaml"], in: exp)
        #expect(again.stdout.contains("to run: 0"), "\(again.stdout)")
    }

    @Test func aCopyResumesInTheCopyAndLeavesTheOriginalAlone() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let old = try killedProject(dir, committed: 5)
        let before = try FileManager.default.contentsOfDirectory(atPath: "\(old)/exp/o").sorted()
        let committed = try self.committed(in: "\(old)/exp")
        #expect(Tool.run("/bin/cp", ["-a", old, "\(dir.path)/copy"]) == 0)
        let resumed = try CairnBinary.run(["resume"], in: "\(dir.path)/copy/exp")
        #expect(resumed.status == 0, "\(resumed.stdout) \(resumed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/copy/exp/o").count == 30)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(old)/exp/o").sorted() == before, "the original is untouched")
        let original = try CairnBinary.run(["resume"], in: "\(old)/exp")
        #expect(original.status == 0 && done(original)?.before == committed, "\(original.stdout) \(original.stderr)")
    }

    @Test func aRunFolderChosenElsewhereKeepsItsRecordedRoot() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("proj/p.yaml", "name: kept\nitems: {i: [1, 2]}\nsteps:\n  - {name: s, run: 'echo {i} > {out.o}', outputs: {o: 'o/{i}'}}\n")
        // A run folder named like the default layout of another folder that also holds a p.yaml.
        dir.write("other/p.yaml", "name: unrelated\n")
        let result = try CairnBinary.run(["run", "p.yaml", "--run-dir", "\(dir.path)/elsewhere/.cairn/runs/kept"], in: "\(dir.path)/proj")
        #expect(result.status == 0, "\(result.stderr)")
        let snapshot = try Snapshot.read(RunFolder(path: "\(dir.path)/elsewhere/.cairn/runs/kept"))
        #expect(snapshot.root == "\(dir.path)/proj", "no p.yaml in elsewhere/: not a move")
    }

    @Test func relativePathsClimbAsFarAsNeeded() {
        #expect(Snapshot.relative("/a/b/c.yaml", from: "/a/b") == "c.yaml")
        #expect(Snapshot.relative("/a/x/base.yaml", from: "/a/b") == "../x/base.yaml")
        #expect(Snapshot.relative("/a/b", from: "/a/b") == ".")
        #expect(Snapshot.relative("/z", from: "/a/b") == "../../z")
        #expect(Snapshot.relative("rel", from: "/a") == nil)
    }
}
