import CairnTestSupport
import Foundation
import Testing

/// A committed unit whose output was deleted runs again; with `--verify`, so does one whose
/// output bytes changed. What depends on it keeps its key and stays committed.
@Suite(.serialized) struct OutputRecreationTests {
    static let pipeline = """
        name: rec
        items: {x: {range: [0, 6]}}
        steps:
          - name: a
            run: echo "a {x}" >> side.log; sleep 0.{slow}; echo {x} > {out.o}
            outputs: {o: 'out/a/{x}.txt'}
          - name: b
            run: echo "b {x}" >> side.log; cat {in.i} > {out.o}; echo done >> {out.o}
            inputs: {i: {from: a.o}}
            outputs: {o: 'out/b/{x}.txt'}
        """

    func setUp(slow: Int = 0) throws -> TemporaryFolder {
        let dir = TemporaryFolder()
        dir.write("p.yaml", Self.pipeline.replacingOccurrences(of: "{slow}", with: String(slow)))
        let first = try CairnBinary.run(["run", "p.yaml", "-q"], in: dir.path)
        #expect(first.status == 0, "\(first.stderr)")
        try FileManager.default.removeItem(atPath: "\(dir.path)/side.log")
        return dir
    }

    @Test func deletedOutputIsMadeAgainAndNothingElseRuns() throws {
        let dir = try setUp()
        defer { dir.remove() }
        try FileManager.default.removeItem(atPath: "\(dir.path)/out/a/2.txt")
        let plan = try CairnBinary.run(["plan", "p.yaml", "--why"], in: dir.path)
        #expect(plan.stdout.contains("to run: 1 (output deleted 1); already committed: 11"), "\(plan.stdout)")
        #expect(plan.stdout.contains("out/a/2.txt"))
        let json = try CairnBinary.run(["plan", "p.yaml", "--why", "--json"], in: dir.path)
        #expect(json.stdout.contains("output deleted"), "\(json.stdout)")

        let run = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(run.status == 0)
        #expect(dir.lines("side.log") == ["a 2"], "the downstream unit keeps its key: \(dir.lines("side.log"))")
        #expect(dir.read("out/a/2.txt") == "2\n")
        #expect(try CairnBinary.run(["plan", "p.yaml"], in: dir.path).stdout.contains("to run: 0; already committed: 12"))
    }

    @Test func modifiedOutputRunsAgainOnlyWithVerify() throws {
        let dir = try setUp()
        defer { dir.remove() }
        dir.write("out/b/3.txt", "tampered\n")
        #expect(try CairnBinary.run(["plan", "p.yaml"], in: dir.path).stdout.contains("to run: 0; already committed: 12"))
        let plan = try CairnBinary.run(["plan", "p.yaml", "--why", "--verify"], in: dir.path)
        #expect(plan.stdout.contains("to run: 1 (output modified since commit 1)"), "\(plan.stdout)")
        let run = try CairnBinary.run(["run", "p.yaml", "--verify"], in: dir.path)
        #expect(run.status == 0)
        #expect(dir.lines("side.log") == ["b 3"])
        #expect(dir.read("out/b/3.txt") == "3\ndone\n")
        #expect(try CairnBinary.run(["plan", "p.yaml", "--verify"], in: dir.path).stdout.contains("to run: 0; already committed: 12"))
    }

    @Test func killedWhileRemakingDeletedOutputsThenResumed() throws {
        let dir = try setUp(slow: 5)
        defer { dir.remove() }
        for x in 0..<6 { try FileManager.default.removeItem(atPath: "\(dir.path)/out/a/\(x).txt") }
        let run = try CairnBinary.start(["run", "p.yaml", "-j", "2", "-q"], in: dir.path)
        // Killed once a remade output is in place (outputs are placed off the loop's thread, so a
        // third unit can start before the first one's output is renamed).
        #expect(CairnBinary.waitFor { dir.lines("side.log").count >= 3 && (0..<6).contains { dir.exists("out/a/\($0).txt") } })
        run.signal(SIGKILL)
        _ = run.wait()
        let before = dir.lines("side.log").count
        let missing = (0..<6).filter { !dir.exists("out/a/\($0).txt") }.count
        #expect(missing > 0 && missing < 6)
        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        for x in 0..<6 { #expect(dir.read("out/a/\(x).txt") == "\(x)\n") }
        #expect(!dir.lines("side.log").contains { $0.hasPrefix("b ") }, "downstream ran: \(dir.lines("side.log"))")
        #expect(Set(dir.lines("side.log")) == Set((0..<6).map { "a \($0)" }))
        // Only the outputs still missing at the kill were made again: no remade unit ran twice.
        #expect(dir.lines("side.log").count == before + missing)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/out/a")) ?? []
        #expect(leftovers.sorted() == (0..<6).map { "\($0).txt" })
    }

    /// Output folders found complete are remembered (`.cairn/outputs-seen`) and not looked into
    /// while unchanged; a deletion changes the folder, and a plan that expects other names in
    /// it looks again — even if the folder has not changed since a narrower plan remembered it.
    @Test func rememberedFoldersNeverHideADeletedOutput() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: many\nitems: {x: {range: [0, 40]}}\nsteps:\n  - {name: a, run: 'echo {x} > {out.o}', outputs: {o: 'out/{x}.txt'}}\n")
        #expect(try CairnBinary.run(["run", "p.yaml", "-q"], in: dir.path).status == 0)
        func plan(_ args: [String] = []) throws -> String { try CairnBinary.run(["plan", "p.yaml"] + args, in: dir.path).stdout }
        func age() { #expect(Tool.run("/usr/bin/touch", ["-d", "1 hour ago", "\(dir.path)/out"]) == 0) }
        age()
        #expect(try plan().contains("to run: 0; already committed: 40"))
        #expect(dir.read(".cairn/outputs-seen")?.contains("cairn-outputs-seen 1") == true, "the folder was remembered")
        #expect(try plan().contains("to run: 0; already committed: 40"))
        try FileManager.default.removeItem(atPath: "\(dir.path)/out/7.txt")
        #expect(try plan().contains("to run: 1 (output deleted 1)"), "a deletion changes the folder")

        // Deleted long ago, while a narrower plan that does not expect it remembered the folder.
        try FileManager.default.removeItem(atPath: "\(dir.path)/out/30.txt")
        #expect(try CairnBinary.run(["run", "p.yaml", "-q", "--set", "x={range: [0, 20]}"], in: dir.path).status == 0)
        age()
        #expect(try plan(["--set", "x={range: [0, 20]}"]).contains("to run: 0; already committed: 20"))
        #expect(try plan().contains("to run: 1 (output deleted 1); already committed: 39"), "other names expected: looked again")
    }

    /// A folder with more committed outputs than `OutputCheck.Folders.listingThreshold` is read
    /// once instead of one `lstat` per output: it must miss no deletion either (the first,
    /// a middle and the last name; one output replaced by a dangling symbolic link is present,
    /// as `lstat` says).
    @Test func aFolderOfManyOutputsIsReadOnceAndMissesNoDeletion() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: big\nitems: {x: {range: [0, 1100]}}\nsteps:\n  - {name: a, run: ': > {out.o}', outputs: {o: 'out/{x}'}}\n")
        #expect(try CairnBinary.run(["run", "p.yaml", "-q", "-j", "4"], in: dir.path).status == 0)
        for name in ["0", "517", "1099"] { try FileManager.default.removeItem(atPath: "\(dir.path)/out/\(name)") }
        try FileManager.default.removeItem(atPath: "\(dir.path)/out/33")
        try FileManager.default.createSymbolicLink(atPath: "\(dir.path)/out/33", withDestinationPath: "nowhere")
        let plan = try CairnBinary.run(["plan", "p.yaml", "--why"], in: dir.path)
        #expect(plan.stdout.contains("to run: 3 (output deleted 3); already committed: 1097"), "\(plan.stdout)")
        for name in ["out/0\n", "out/517\n", "out/1099\n"] { #expect(plan.stdout.contains(name), "\(name): \(plan.stdout)") }
    }
    /// `cairn analyze` looks at outputs as a plan does (a folder remembered complete is trusted,
    /// a changed folder of many outputs is read once): it still counts every deletion.
    @Test func analyzeTrustsRememberedFoldersAndCountsEveryDeletion() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: big\nitems: {x: {range: [0, 1100]}}\nsteps:\n  - {name: a, run: ': > {out.o}', outputs: {o: 'out/{x}'}}\n")
        #expect(try CairnBinary.run(["run", "p.yaml", "-q", "-j", "4"], in: dir.path).status == 0)
        #expect(Tool.run("/usr/bin/touch", ["-d", "1 hour ago", "\(dir.path)/out"]) == 0)
        func gone() throws -> Int? {
            let out = try CairnBinary.run(["analyze", "--json"], in: dir.path).stdout
            let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
            return ((json?["steps"] as? [[String: Any]])?.first?["outputsMissing"]) as? Int
        }
        #expect(try CairnBinary.run(["plan", "p.yaml"], in: dir.path).stdout.contains("to run: 0; already committed: 1100"))
        #expect(dir.read(".cairn/outputs-seen")?.contains("cairn-outputs-seen 1") == true, "the plan remembered the folder")
        #expect(try gone() == 0)
        for name in ["0", "517", "1099"] { try FileManager.default.removeItem(atPath: "\(dir.path)/out/\(name)") }
        #expect(try gone() == 3, "the changed folder is read again")
    }
}
