import CairnCore
import CairnJournal
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// End-to-end tests: the real `cairn` binary, real unit processes, real signals.
@Suite(.serialized) struct RunIntegrationTests {
    /// Each attempt appends its unit key to side.log, so duplicates and losses are countable.
    static func countingPipeline(items: Int, sleep: String = "0", extra: String = "") -> String {
        """
        name: counted
        seed: 11
        items: {i: {range: [0, \(items)]}}
        steps:
          - name: make
            run: echo "$CAIRN_UNIT_KEY" >> side.log; sleep \(sleep); echo "value {i} seed {seed}" > {out.data}
            outputs: {data: 'out/make/{i:04d}.txt'}
          - name: double
            run: echo "$CAIRN_UNIT_KEY" >> side.log; cat {in.src} {in.src} > {out.data}
            inputs: {src: {from: make.data}}
            outputs: {data: 'out/double/{i:04d}.txt'}
        \(extra)
        """
    }

    func journalState(_ dir: TemporaryFolder, name: String = "counted") throws -> JournalState {
        JournalState(segments: try Journal.replay(directory: "\(dir.path)/.cairn/runs/\(name)/journal", repair: false))
    }

    func plan(_ dir: TemporaryFolder, file: String = "p.yaml") throws -> Plan {
        try Planner.plan(try PipelineLoader().load(file: "\(dir.path)/\(file)"))
    }

    /// Every final output either does not exist or has exactly its expected content.
    func checkOutputs(_ dir: TemporaryFolder, items: Int, requireAll: Bool) -> Bool {
        var ok = true
        for i in 0..<items {
            let name = String(format: "%04d", i)
            let make = dir.read("out/make/\(name).txt")
            let double = dir.read("out/double/\(name).txt")
            if let make, !make.hasPrefix("value \(i) seed ") { ok = false }
            if let double, let make, double != make + make { ok = false }
            if double != nil && make == nil { ok = false }
            if requireAll && (make == nil || double == nil) { ok = false }
        }
        return ok
    }

    @Test func runCommitsEverythingAndARerunSkipsIt() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.countingPipeline(items: 25))
        let first = try CairnBinary.run(["run", "p.yaml", "-j", "2"], in: dir.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("to run: 50 (never ran 50)"))
        #expect(dir.lines("side.log").count == 50)
        #expect(checkOutputs(dir, items: 25, requireAll: true))
        let second = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(second.status == 0)
        #expect(second.stdout.contains("already committed: 50"))
        #expect(dir.lines("side.log").count == 50, "committed units never run again")
        let state = try journalState(dir)
        #expect(state.commitRecords == 50)
        #expect(state.bytes / 50 <= 300, "journal bytes per unit: \(state.bytes / 50)")
        #expect(!dir.exists("out/make/.cairn-staging"))
    }

    @Test func killedControllerLosesNothingAndRepeatsNothingCommitted() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let items = 40
        dir.write("p.yaml", Self.countingPipeline(items: items, sleep: "0.05"))
        var rounds = 0
        var killedAfter: [Set<Digest>] = []
        while rounds < 6 {
            rounds += 1
            let running = try CairnBinary.start(["run", "p.yaml", "-j", "2"], in: dir.path)
            let target = rounds * 6
            _ = CairnBinary.waitFor(timeout: 20) { dir.lines("side.log").count >= target || !running.isRunning }
            if !running.isRunning { _ = running.wait(); break }
            running.signal(SIGKILL)
            let result = running.wait()
            #expect(result.status == 128 + SIGKILL)
            #expect(checkOutputs(dir, items: items, requireAll: false), "no final path holds a partial or wrong file")
            killedAfter.append(Set(try journalState(dir).units.filter(\.value.committed).keys))
        }
        let final = try CairnBinary.run(["resume"], in: dir.path)
        #expect(final.status == 0, "\(final.stdout)\n\(final.stderr)")
        #expect(checkOutputs(dir, items: items, requireAll: true))
        let state = try journalState(dir)
        let p = try plan(dir)
        #expect(state.commitRecords == p.units.count, "exactly one commit per unit")
        // A unit committed before a kill never ran again afterwards.
        let attempts = dir.lines("side.log")
        var count: [String: Int] = [:]
        for key in attempts { count[key, default: 0] += 1 }
        let lastSnapshot = killedAfter.last ?? []
        for key in lastSnapshot { #expect(count[key.hex] ?? 0 >= 1) }
        var positions: [String: Int] = [:]
        for (n, key) in attempts.enumerated() { positions[key] = n }
        #expect(Set(count.keys) == Set(p.units.map(\.key.hex)), "every unit ran")
        // Units committed before the first kill appear exactly as often as they had then.
        if let firstCommitted = killedAfter.first {
            for key in firstCommitted { #expect(count[key.hex] == 1, "\(key.short) was committed, then ran again") }
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/out/make/.cairn-staging"))
    }

    @Test func sigintStopsUnitsJournalsThemInterruptedAndResumeFinishes() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.countingPipeline(items: 30, sleep: "0.2"))
        let running = try CairnBinary.start(["run", "p.yaml", "-j", "2", "--grace", "5"], in: dir.path)
        _ = CairnBinary.waitFor { dir.lines("side.log").count >= 4 }
        running.signal(SIGINT)
        let result = running.wait()
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stdout.contains("interrupted by SIGINT"))
        #expect(result.stdout.contains("resume with: cairn resume"))
        let state = try journalState(dir)
        #expect(state.openAttempts.isEmpty, "every started attempt was closed (committed, failed or interrupted)")
        #expect(state.units.values.contains { $0.interrupted })
        let plan = try CairnBinary.run(["plan", "p.yaml"], in: dir.path)
        #expect(plan.stdout.range(of: #"interrupted [1-9]"#, options: .regularExpression) != nil, Comment(rawValue: plan.stdout))
        let resumed = try CairnBinary.run(["resume"], in: dir.path)
        #expect(resumed.status == 0)
        #expect(checkOutputs(dir, items: 30, requireAll: true))
        #expect(try journalState(dir).commitRecords == 60)
    }

    @Test func sigtermExitsWith143() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.countingPipeline(items: 10, sleep: "5"))
        let running = try CairnBinary.start(["run", "p.yaml", "-j", "2", "--grace", "1"], in: dir.path)
        _ = CairnBinary.waitFor { dir.lines("side.log").count >= 2 }
        running.signal(SIGTERM)
        let result = running.wait(timeout: 30)
        #expect(result.status == 143)
    }

    @Test func failureIsolationSkipsDependentsAndRunsEverythingElse() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: iso
            items: {i: {range: [0, 8]}}
            steps:
              - name: a
                run: 'if [ {i} = 3 ] && [ ! -e fixed ]; then echo broken >&2; exit 4; fi; echo {i} > {out.o}'
                outputs: {o: 'a/{i}'}
              - name: b
                run: cat {in.x} > {out.o}
                inputs: {x: {from: a.o}}
                outputs: {o: 'b/{i}'}
              - name: total
                foreach: once
                run: cat {in.x} > {out.o}
                inputs: {x: {from: b.o}}
                outputs: {o: total.txt}
            """)
        let first = try CairnBinary.run(["run", "p.yaml", "-j", "2"], in: dir.path)
        #expect(first.status == 1)
        #expect(first.stdout.contains("1 unit(s) failed, 2 skipped"))
        #expect(first.stdout.contains("a[i=3]: attempt 1 exited with code 4"))
        #expect(first.stdout.contains("logs/a/i=3.log"))
        for i in [0, 1, 2, 4, 5, 6, 7] { #expect(dir.read("b/\(i)") == "\(i)\n") }
        #expect(!dir.exists("a/3") && !dir.exists("b/3") && !dir.exists("total.txt"))
        let log = try CairnBinary.run(["log", "a[i=3]"], in: dir.path)
        #expect(log.stdout == "broken\n")
        let status = try CairnBinary.run(["status", "--json"], in: dir.path)
        #expect(status.stdout.contains("\"state\" : \"failed\""))
        dir.write("fixed", "")
        let second = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(second.status == 0)
        #expect(second.stdout.contains("to run: 3 (failed before 1, never ran 2); already committed: 14"), "\(second.stdout)")
        #expect(dir.read("total.txt") == (0..<8).map { "\($0)\n" }.joined())
    }

    @Test func failFastStopsDispatching() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: ff\nitems: {i: {range: [0, 50]}}\nsteps:\n  - {name: a, run: 'echo {i} >> ran.log; [ {i} != 0 ]'}\n")
        let result = try CairnBinary.run(["run", "p.yaml", "-j", "1", "--fail-fast"], in: dir.path)
        #expect(result.status == 1)
        #expect(dir.lines("ran.log") == ["0"])
        #expect(result.stdout.contains("49 not started"))
    }

    @Test func badPipelineExitsTwoWithOneLineAndWritesNothing() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: bad\nitems: {sample: [1]}\nsteps:\n  - name: a\n    run: echo {smaple}\n")
        let result = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.hasPrefix("cairn: p.yaml:5: steps.a.run: placeholder {smaple}"))
        #expect(result.stderr.contains("did you mean {sample}"))
        #expect(!dir.exists(".cairn"))
        dir.write("c.yaml", "name: col\nitems: {i: [1, 2], j: [a, b]}\nsteps:\n  - {name: a, run: 'true', outputs: {x: 'o/{i}'}}\n")
        let collision = try CairnBinary.run(["run", "c.yaml"], in: dir.path)
        #expect(collision.status == 2)
        #expect(collision.stderr.hasPrefix("cairn: c.yaml:4: steps.a.outputs.x: gives the same path 'o/1'"))
        #expect(!dir.exists(".cairn"), "a pipeline error found while planning writes nothing either")
        let usage = try CairnBinary.run(["run"], in: dir.path)
        #expect(usage.status == 2)
        let missing = try CairnBinary.run(["run", "nope.yaml"], in: dir.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.yaml"))
    }

    @Test func secondControllerIsRefusedWithExitThree() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.countingPipeline(items: 4, sleep: "3"))
        let first = try CairnBinary.start(["run", "p.yaml", "-j", "1"], in: dir.path)
        _ = CairnBinary.waitFor { dir.lines("side.log").count >= 1 }
        let second = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(second.status == 3)
        #expect(second.stderr.contains("in use by pid \(first.pid)"))
        let status = try CairnBinary.run(["status"], in: dir.path)
        #expect(status.status == 0)
        #expect(status.stdout.contains("running"))
        first.signal(SIGKILL)
        _ = first.wait()
        let third = try CairnBinary.run(["resume", "-j", "4"], in: dir.path, timeout: 60)
        #expect(third.status == 0, "a dead holder is taken over without a manual step")
    }

    @Test func hostileItemValuesAreDataNotCode() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: hostile
            items:
              v: ["$(touch pwned1)", "; touch pwned2", "`touch pwned3`", "it's \\"quoted\\"", "line\\nbreak", "a b"]
            steps:
              - name: echo
                run: printf '%s\\n' {v} >> values.txt
            """)
        let result = try CairnBinary.run(["run", "p.yaml", "-j", "1"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!dir.exists("pwned1") && !dir.exists("pwned2") && !dir.exists("pwned3"))
        #expect(dir.read("values.txt") == "$(touch pwned1)\n; touch pwned2\n`touch pwned3`\nit's \"quoted\"\nline\nbreak\na b\n")
    }
}
