import CairnTestSupport
import Foundation
import Testing

/// Top-level `jobs`, `env` and `defaults` in real runs: `-j` wins over `jobs`, settings inherit
/// through `extends`, and they change unit keys exactly where the step keys they set do.
@Suite(.serialized) struct PipelineDefaultsRunTests {
    /// The most units that ran at once, from `start`/`end` lines with times.
    func concurrency(_ lines: [String]) -> Int {
        var events: [(Double, Int)] = []
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let t = Double(parts[1]) else { continue }
            events.append((t, parts[0] == "start" ? 1 : -1))
        }
        var now = 0, most = 0
        for e in events.sorted(by: { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }) { now += e.1; most = max(most, now) }
        return most
    }

    @Test func jobsIsTheDefaultForDashJAndTheFlagWins() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let pipeline = { (name: String) in """
            name: \(name)
            jobs: 1
            items: {i: [1, 2, 3]}
            steps:
              - {name: s, run: 'echo start $(date +%s.%N) >> \(name).log; sleep 0.5; echo end $(date +%s.%N) >> \(name).log'}
            """ }
        dir.write("one.yaml", pipeline("one"))
        dir.write("three.yaml", pipeline("three"))
        #expect(try CairnBinary.run(["run", "one.yaml"], in: dir.path).status == 0)
        #expect(concurrency(dir.lines("one.log")) == 1, "\(dir.lines("one.log"))")
        #expect(try CairnBinary.run(["run", "three.yaml", "-j", "3"], in: dir.path).status == 0)
        #expect(concurrency(dir.lines("three.log")) == 3, "\(dir.lines("three.log"))")
        // A changed `jobs` is no reason to run anything again.
        dir.write("one.yaml", pipeline("one").replacingOccurrences(of: "jobs: 1", with: "jobs: 2"))
        #expect(try CairnBinary.run(["plan", "one.yaml"], in: dir.path).stdout.contains("to run: 0; already committed: 3"))
    }

    @Test func envAndDefaultsInheritThroughExtendsAndChangeKeysWhereStepKeysWould() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("base.yaml", """
            name: base
            runnable: false
            env: {GREETING: héllo, WHO: "{i}"}
            defaults: {retries: 3, retry_backoff: 0s}
            items: {i: [1, 2]}
            steps:
              - {name: s, run: 'echo "$GREETING $WHO" >> seen-{i}.log; [ {i} = 1 ]'}
            """)
        dir.write("child.yaml", "extends: base.yaml\nname: child\ndefaults: {retries: 1}\n")
        let run = try CairnBinary.run(["run", "child.yaml"], in: dir.path)
        #expect(run.status == 1, "i=2 fails every attempt: \(run.stdout)")
        #expect(dir.lines("seen-1.log") == ["héllo 1"], "the pipeline's env reaches the unit, rendered")
        #expect(dir.lines("seen-2.log").count == 2, "the child's retries (1) win over the parent's (3): \(dir.lines("seen-2.log"))")
        let retry = { (text: String) in try CairnBinary.run(["plan", "child.yaml"], in: dir.path).stdout.contains(text) }
        #expect(try retry("to run: 1 (failed before 1); already committed: 1"))
        // A changed pipeline-wide value changes every unit's key, as a changed step env would.
        dir.write("child.yaml", "extends: base.yaml\nname: child\nenv: {GREETING: hello}\n")
        let changed = try CairnBinary.run(["plan", "child.yaml"], in: dir.path).stdout
        #expect(changed.contains("to run: 2"), "\(changed)")
    }

    @Test func movingEnvBetweenThePipelineAndAStepChangesNoKey() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let topLevel = "name: m\nenv: {A: '1', B: '{i}'}\nitems: {i: [1, 2]}\nsteps:\n  - {name: s, run: 'echo $A$B > {out.o}', outputs: {o: 'o/{i}'}, env: {C: x}}\n"
        dir.write("p.yaml", topLevel)
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        #expect(dir.read("o/2") == "12\n")
        dir.write("p.yaml", "name: m\nitems: {i: [1, 2]}\nsteps:\n  - {name: s, run: 'echo $A$B > {out.o}', outputs: {o: 'o/{i}'}, env: {A: '1', B: '{i}', C: x}}\n")
        let moved = try CairnBinary.run(["plan", "p.yaml"], in: dir.path)
        #expect(moved.stdout.contains("to run: 0; already committed: 2"), "\(moved.stdout)")
        dir.write("p.yaml", topLevel.replacingOccurrences(of: "A: '1'", with: "A: '2'"))
        let changed = try CairnBinary.run(["plan", "p.yaml"], in: dir.path)
        #expect(changed.stdout.contains("to run: 2"), "\(changed.stdout)")
    }
}
