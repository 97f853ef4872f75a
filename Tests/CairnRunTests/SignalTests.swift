import CairnTestSupport
import Foundation
import Testing

/// How signals to the controller reach (or do not reach) units.
@Suite(.serialized) struct SignalTests {
    /// A unit that records which stop signals it receives, then exits.
    static let trapping = """
        name: sig
        items: {i: [1, 2]}
        steps:
          - name: s
            run: 'trap "echo INT >> sig-{i}.log; exit 1" INT; trap "echo TERM >> sig-{i}.log; exit 1" TERM; trap "echo USR1 >> sig-{i}.log; exit 1" USR1; echo up > up-{i}; while true; do sleep 0.05; done'
        """

    @Test func ctrlCOnTheTerminalReachesOnlyCairnWhichStopsUnitsWithTheirStopSignal() throws {
        let tmux = Tool.find("/usr/bin/tmux", "/bin/tmux")
        try #require(tmux != nil, "tmux is needed to type Ctrl-C into a real terminal; scripts/test installs it")
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.trapping)
        dir.write("run.sh", "trap '' INT\nNO_COLOR=1 '\(CairnBinary.path)' run p.yaml -j 2 --grace 5\necho $? > exit.txt\nsleep 30\n")
        let session = "cairn-test-\(getpid())"
        #expect(Tool.run(tmux!, ["new-session", "-d", "-s", session, "-c", dir.path, "-x", "150", "-y", "40", "bash \(dir.path)/run.sh"]) == 0)
        defer { Tool.run(tmux!, ["kill-session", "-t", session]) }
        #expect(CairnBinary.waitFor { dir.exists("up-1") && dir.exists("up-2") })
        #expect(Tool.run(tmux!, ["send-keys", "-t", session, "C-c"]) == 0)
        #expect(CairnBinary.waitFor { dir.exists("exit.txt") })
        #expect(dir.read("exit.txt") == "130\n")
        #expect(dir.read("sig-1.log") == "TERM\n" && dir.read("sig-2.log") == "TERM\n", "units saw only Cairn's TERM, never the terminal's INT")
    }

    @Test func stopSignalIsConfigurablePerStep() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.trapping + "\n    stop_signal: SIGUSR1\n")
        let run = try CairnBinary.start(["run", "p.yaml", "-j", "2"], in: dir.path)
        #expect(CairnBinary.waitFor { dir.exists("up-1") && dir.exists("up-2") })
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).status == 143)
        #expect(dir.read("sig-1.log") == "USR1\n" && dir.read("sig-2.log") == "USR1\n")
    }

    @Test func sighupExitsWith129AndASecondSignalKillsAtOnce() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: h\nitems: {i: [1]}\nsteps:\n  - {name: s, run: 'trap \"\" TERM; echo up > up; while true; do sleep 0.05; done'}\n")
        let run = try CairnBinary.start(["run", "p.yaml", "--grace", "60"], in: dir.path)
        #expect(CairnBinary.waitFor { dir.exists("up") })
        run.signal(SIGHUP)
        usleep(500_000)
        #expect(run.isRunning, "the unit ignores TERM, so Cairn waits out the grace period")
        let second = Date()
        run.signal(SIGHUP)
        let result = run.wait(timeout: 20)
        #expect(result.status == 129)
        #expect(Date().timeIntervalSince(second) < 10, "the second signal kills at once")
        #expect(result.stderr.contains("killing running units now"))
        let status = try CairnBinary.run(["status", "--json"], in: dir.path)
        #expect(status.stdout.contains("\"interrupted\" : 1"))
    }

    /// A pipeline whose planning takes seconds in a debug build (100,000 items); every unit
    /// that starts leaves a file.
    static let slowToPlan = "name: slow\nitems: {i: {range: [0, 100000]}}\nsteps:\n  - {name: t, run: 'touch started-{i}'}\n"

    /// Starts `cairn run` of ``slowToPlan`` in `dir`, sends SIGINT once Cairn catches it (its
    /// handler is installed, the plan under way), and `then` whatever more the test sends.
    static func interruptWhilePlanning(_ dir: TemporaryFolder, then: (CairnBinary.Running) -> Void = { _ in }) throws -> CairnBinary.Result {
        dir.write("p.yaml", slowToPlan)
        let run = try CairnBinary.start(["run", "p.yaml", "-j", "2"], in: dir.path)
        let caught = CairnBinary.waitFor {
            let status = (try? String(contentsOfFile: "/proc/\(run.pid)/status", encoding: .utf8)) ?? ""
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
                  let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
            return mask & (1 << (UInt64(SIGINT) - 1)) != 0
        }
        #expect(caught)
        run.signal(SIGINT)
        then(run)
        return run.wait(timeout: 120)
    }

    /// Whether `signal` is pending for the process (sent, not yet delivered to a handler).
    static func pending(_ signal: Int32, in pid: pid_t) -> Bool {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let bit = UInt64(1) << (UInt64(signal) - 1)
        return status.split(separator: "\n").contains { line in
            guard line.hasPrefix("ShdPnd:") || line.hasPrefix("SigPnd:"),
                  let mask = UInt64(line.drop { $0 != "\t" }.trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
            return mask & bit != 0
        }
    }

    /// The units that started (each leaves a file).
    static func started(in dir: TemporaryFolder) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("started-") }
    }

    @Test func aSignalWhilePlanningStopsTheSessionBeforeItsFirstUnit() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let result = try Self.interruptWhilePlanning(dir)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("SIGINT received"))
        #expect(Self.started(in: dir).isEmpty, "\(Self.started(in: dir).count) unit(s) started after the signal")
        // Not even an attempt the signal then stopped: the journal holds none.
        let status = try CairnBinary.run(["status", "--json"], in: dir.path)
        #expect(status.stdout.contains("\"interrupted\" : 0") && status.stdout.contains("\"running\" : 0"), "\(status.stdout)")
    }

    @Test func aSecondSignalWhilePlanningEndsTheProcessAtOnce() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        var second = Date()
        let result = try Self.interruptWhilePlanning(dir) { run in
            // Two SIGINTs pending at once are one to the kernel: on a loaded machine the process
            // may not run for a while, so send the second only once the first was delivered.
            #expect(CairnBinary.waitFor { !Self.pending(SIGINT, in: run.pid) }, "the first SIGINT was never delivered")
            usleep(100_000)
            second = Date()
            run.signal(SIGINT)
        }
        let took = Date().timeIntervalSince(second)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("stopping at once"))
        #expect(took < 1.5, "exited \(took) s after the second signal (planning takes seconds)")
        #expect(Self.started(in: dir).isEmpty)
    }

    @Test func sigusr1PrintsWhatIsRunningAndTheRunGoesOn() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: u\nitems: {i: [1, 2]}\nsteps:\n  - {name: s, run: 'echo up > up-{i}; while [ ! -e go ]; do sleep 0.05; done'}\n")
        let run = try CairnBinary.start(["run", "p.yaml", "-j", "2"], in: dir.path)
        #expect(CairnBinary.waitFor { dir.exists("up-1") && dir.exists("up-2") })
        run.signal(SIGUSR1)
        usleep(300_000)
        dir.write("go", "")
        let result = run.wait()
        #expect(result.status == 0)
        #expect(result.stderr.contains("cairn: 2 running after"))
        #expect(result.stderr.contains("s[i=1]") && result.stderr.contains("s[i=2]"))
    }
}

extension SignalTests {
    /// On a terminal (a real one, tmux's): a bar per step with counts, the number running,
    /// rate and ETA, and the unit running longest.
    @Test func theTerminalShowsABarPerStepAndTheSlowestUnit() throws {
        let tmux = try #require(Tool.find("/usr/bin/tmux", "/bin/tmux"), "tmux is needed for a real terminal; scripts/test installs it")
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: bars
            items: {i: {range: [0, 30]}}
            steps:
              - name: quick
                run: sleep 0.05; echo {i} > {out.o}
                outputs: {o: 'q/{i}.txt'}
              - name: slow
                run: if [ {i} = 29 ]; then sleep 60; fi; cp {in.o} {out.o}
                inputs: {o: {from: quick.o}}
                outputs: {o: 's/{i}.txt'}
            """)
        dir.write("run.sh", "NO_COLOR=1 '\(CairnBinary.path)' run p.yaml -j 2 --grace 1\necho $? > exit.txt\nsleep 30\n")
        let session = "cairn-bars-\(getpid())"
        #expect(Tool.run(tmux, ["new-session", "-d", "-s", session, "-c", dir.path, "-x", "160", "-y", "40", "bash \(dir.path)/run.sh"]) == 0)
        defer { Tool.run(tmux, ["kill-session", "-t", session]) }
        var screen = ""
        #expect(CairnBinary.waitFor(timeout: 60) {
            screen = Tool.output(tmux, ["capture-pane", "-p", "-t", session])
            return screen.contains("slowest: slow[i=29]") && screen.contains("29/30")
        }, "\(screen)")
        let lines = screen.split(separator: "\n").map(String.init)
        let quick = try #require(lines.last { $0.hasPrefix("  quick") }, "\(screen)")
        let slow = try #require(lines.last { $0.hasPrefix("  slow") }, "\(screen)")
        #expect(quick.contains("████") && quick.contains("30/30"), "\(quick)")
        #expect(slow.contains("█") && slow.contains("·") && slow.contains("29/30") && slow.contains("1 running"), "\(slow)")
        #expect(lines.contains { $0.contains("1 running · slowest: slow[i=29]") }, "\(screen)")
        #expect(Tool.run(tmux, ["send-keys", "-t", session, "C-c"]) == 0)
        #expect(CairnBinary.waitFor { dir.exists("exit.txt") })
        #expect(dir.read("exit.txt") == "130\n")
    }
}
