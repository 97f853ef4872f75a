import CairnTestSupport
import Foundation
import Testing

/// `cairn history`: every session with who ran it, from which commit, and how it ended.
@Suite struct HistoryTests {
    static func git(_ dir: TemporaryFolder, _ arguments: [String]) -> String {
        Tool.output("/usr/bin/env", ["git", "-C", dir.path, "-c", "user.email=t@example.com", "-c", "user.name=t"] + arguments)
    }

    @Test func sessionsCarryTheirCommitDirtyDiffMessageAndEnding() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("step.sh", "echo one\n")
        dir.write(".gitignore", "out/\n.cairn/\nstarts.log\n")
        dir.write("p.yaml", """
            name: h
            items: {i: {range: [0, 8]}}
            steps:
              - name: a
                run: echo x >> starts.log; sh step.sh > {out.o}; sleep 0.4
                outputs: {o: 'out/{i}.txt'}
            """)
        _ = Self.git(dir, ["init", "-q"])
        _ = Self.git(dir, ["add", "-A"])
        _ = Self.git(dir, ["commit", "-qm", "first"])
        let head = Self.git(dir, ["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(head.count == 40)
        dir.write("step.sh", "echo two\n")  // a tracked file edited, not committed: a dirty tree
        let first = try CairnBinary.start(["run", "p.yaml", "-j", "2", "-m", "first try, ünï"], in: dir.path)
        #expect(CairnBinary.waitFor(timeout: 60) { dir.lines("starts.log").count >= 3 })
        first.signal(SIGKILL)
        _ = first.wait()
        let resumed = try CairnBinary.run(["resume", "--message", "after the kill"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")

        let result = try CairnBinary.run(["history", "--json"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let sessions = try #require(object["sessions"] as? [[String: Any]])
        try #require(sessions.count == 2, "\(result.stdout)")
        #expect(sessions[0]["outcome"] as? String == "killed (no end journaled)" && sessions[1]["outcome"] as? String == "completed", "\(sessions)")
        #expect(sessions[0]["message"] as? String == "first try, ünï" && sessions[1]["message"] as? String == "after the kill")
        #expect(sessions.allSatisfy { $0["gitCommit"] as? String == head && $0["gitDirty"] as? Bool == true && !($0["user"] as? String ?? "").isEmpty })
        #expect(sessions.allSatisfy { $0["version"] as? String == "0.1.0" })
        #expect((sessions[0]["command"] as? String)?.hasPrefix("cairn run p.yaml -j 2 -m") == true, "\(sessions[0])")
        // The diff of tracked files is stored once, and says what changed.
        let diffs = try FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/.cairn/runs/h/diffs")
        #expect(diffs.count == 1)
        let diff = try #require(sessions[0]["diff"] as? String)
        #expect(diff == sessions[1]["diff"] as? String)
        let text = try String(contentsOfFile: diff, encoding: .utf8)
        #expect(text.contains("-echo one") && text.contains("+echo two"), "\(text)")
        // The text form lists both, with the commit marked dirty.
        let table = try CairnBinary.run(["history"], in: dir.path)
        #expect(table.stdout.contains("\(head.prefix(10)) (dirty)") && table.stdout.contains("after the kill"), "\(table.stdout)")
    }

    @Test func outsideGitThereIsNoCommitAndACleanRunSaysCompleted() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: h\nitems: {i: [1]}\nsteps:\n  - name: a\n    run: 'true'\n")
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        let result = try CairnBinary.run(["history", "--json"], in: dir.path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let sessions = try #require(object["sessions"] as? [[String: Any]])
        #expect(sessions.count == 1 && sessions[0]["gitCommit"] as? String == "" && sessions[0]["outcome"] as? String == "completed", "\(sessions)")
        let bad = try CairnBinary.run(["history", "no-such-run"], in: dir.path)
        #expect(bad.status == 2 && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }
}
