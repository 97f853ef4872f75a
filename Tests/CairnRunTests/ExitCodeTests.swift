import CairnTestSupport
import Foundation
import Testing

/// Every row of the README's exit-code table, with the summary line that goes with it.
@Suite(.serialized) struct ExitCodeTests {
    @Test func zeroWhenEveryUnitIsCommittedAlsoForAPartialSelection() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: ok
            items: {i: [1, 2, 3]}
            steps:
              - {name: s, run: 'echo {i} > {out.o}', outputs: {o: 'out/{i}.txt'}}
              - {name: all, foreach: once, run: 'cat {in.o} > {out.a}', inputs: {o: {from: s.o}}, outputs: {a: all.txt}}
            """)
        let partial = try CairnBinary.run(["run", "p.yaml", "--where", "i=1"], in: dir.path)
        #expect(partial.status == 0, "\(partial.stderr)")
        #expect(partial.stdout.contains("done: 1/") && partial.stdout.contains("partial: 1/3 items selected"), "\(partial.stdout)")
        let full = try CairnBinary.run(["resume"], in: dir.path)
        #expect(full.status == 0)
        #expect(full.stdout.contains("done: 4/4 units committed (3 in this session, 1 already done)."), "\(full.stdout)")
    }

    @Test func oneWhenUnitsFailNamingThemAndWhatWasSkipped() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: bad
            items: {i: [1, 2]}
            steps:
              - {name: a, run: '[ {i} = 1 ] || exit 3'}
              - {name: b, needs: [a], run: 'true'}
            """)
        let result = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("1 unit(s) failed, 1 skipped because what they need failed; 2/4 committed."), "\(result.stdout)")
        #expect(result.stdout.contains("a[i=2]: attempt 1 exited with code 3"), "\(result.stdout)")
        #expect(result.stdout.contains("fix the cause, then `cairn resume .cairn/runs/bad` re-runs what did not commit."))
    }

    @Test func twoForBadUsageOrABadPipelineFileInOneLine() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: u\nitems: {i: [1]}\nsteps:\n  - {name: s, run: 'echo {nope}'}\n")
        for arguments in [["run", "p.yaml"], ["run", "missing.yaml"], ["run", "p.yaml", "--time-limit", "soon"], ["run", "p.yaml", "--no-such-flag"], ["status", "nothing-here"]] {
            let result = try CairnBinary.run(arguments, in: dir.path)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).stderr.contains("p.yaml:4"), "the error names the file and line")
        dir.write("q.yaml", "name: q\nitems: {i: [1, 2]}\nsteps:\n  - {name: s, run: 'true'}\n")
        let guessed = try CairnBinary.run(["run", "q.yaml", "--where", "i == 1"], in: dir.path)
        #expect(guessed.status == 2 && guessed.stderr.contains("write --where i=VALUE (no spaces; a range is i=FROM:TO, a list i=A,B)"), "\(guessed.stderr)")
        #expect(!dir.exists(".cairn/runs/u") && !dir.exists(".cairn/runs/q"), "nothing was written")
    }

    @Test func threeWhenTheRunFolderIsInUse() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: busy\nitems: {i: [1]}\nsteps:\n  - {name: s, run: 'touch started; sleep 30'}\n")
        let first = try CairnBinary.start(["run", "p.yaml"], in: dir.path)
        defer { first.signal(SIGKILL); _ = first.wait() }
        #expect(CairnBinary.waitFor { dir.exists("started") })
        let second = try CairnBinary.run(["resume", "busy"], in: dir.path)
        #expect(second.status == 3, "\(second.stderr)")
        #expect(second.stderr.split(separator: "\n").count == 1 && second.stderr.contains("in use"), "\(second.stderr)")
    }

    @Test func oneTwentyFourAtTheTimeLimitWhetherUnitsWerePausedOrHeldBack() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        // Paused: a running unit is stopped at the limit.
        dir.write("p.yaml", "name: slow\nitems: {i: [1]}\nsteps:\n  - {name: s, run: 'sleep 30'}\n")
        let paused = try CairnBinary.run(["run", "p.yaml", "--time-limit", "1s"], in: dir.path)
        #expect(paused.status == 124, "\(paused.stdout) \(paused.stderr)")
        #expect(paused.stdout.contains("stopped at the time limit: 0/1 units committed (0 in this session), 1 attempt(s) paused, 0 not started."), "\(paused.stdout)")
        #expect(paused.stdout.contains("resume with: cairn resume .cairn/runs/slow"))
        // Held back: nothing starts, because every unit is expected to outlast the limit.
        dir.write("q.yaml", "name: held\nitems: {i: [1, 2]}\nsteps:\n  - {name: s, run: 'touch ran-{i}', resources: {time: 2s}}\n")
        let held = try CairnBinary.run(["run", "q.yaml", "--time-limit", "2s"], in: dir.path)
        #expect(held.status == 124, "\(held.stdout) \(held.stderr)")
        #expect(held.stdout.contains("stopped at the time limit: 0/2 units committed (0 in this session), 0 attempt(s) paused, 2 not started."), "\(held.stdout)")
        #expect(!held.stdout.contains("failed"), "nothing failed: \(held.stdout)")
        #expect(!dir.exists("ran-1") && !dir.exists("ran-2"))
        let history = try CairnBinary.run(["history", "held"], in: dir.path)
        #expect(history.stdout.contains("stopped at its time limit"), "\(history.stdout)")
        let resumed = try CairnBinary.run(["resume", "held"], in: dir.path)
        #expect(resumed.status == 0 && dir.exists("ran-1") && dir.exists("ran-2"), "\(resumed.stdout)")
    }

    @Test func aSignalExitsWith128PlusItsNumber() throws {
        for (signal, code, name) in [(SIGHUP, Int32(129), "SIGHUP"), (SIGINT, 130, "SIGINT"), (SIGTERM, 143, "SIGTERM")] {
            let dir = TemporaryFolder()
            defer { dir.remove() }
            dir.write("p.yaml", "name: sig\nitems: {i: [1]}\nsteps:\n  - {name: s, run: 'touch started; sleep 30'}\n")
            let run = try CairnBinary.start(["run", "p.yaml"], in: dir.path)
            #expect(CairnBinary.waitFor { dir.exists("started") })
            run.signal(signal)
            let result = run.wait()
            #expect(result.status == code, "\(name): \(result.status)")
            #expect(result.stdout.contains("interrupted by \(name): 0/1 units committed (0 in this session), 1 attempt(s) stopped."), "\(name): \(result.stdout)")
            #expect(result.stdout.contains("resume with: cairn resume .cairn/runs/sig"))
        }
    }
}
