import CairnCore
import CairnJournal
import CairnRun
import CairnSoak
import CairnTestSupport
import Foundation
import Testing

/// The SLURM executor against the real single-node cluster `scripts/slurm-local` starts
/// (`scripts/test` starts it). Skipped, saying so, where no cluster answers.
@Suite(.serialized, .enabled(if: SlurmCluster.answers, "no SLURM cluster answers (run `scripts/slurm-local start`, or the whole suite with scripts/test)"))
struct SlurmTests {
    static var environment: [String: String] { SlurmCluster.environment }


    /// Items × (gen, sq) + one aggregate; every attempt appends its unit key to side.log.
    static func pipeline(items: Int, sleep: String = "0") -> String {
        """
        name: sl
        items: {i: {range: [0, \(items)]}}
        steps:
          - name: gen
            run: echo "$CAIRN_UNIT_KEY" >> side.log; sleep \(sleep); echo {i} > {out.o}
            outputs: {o: 'out/gen/{i}.txt'}
          - name: sq
            run: echo "$CAIRN_UNIT_KEY" >> side.log; echo $(( $(cat {in.o}) * 2 )) > {out.o}
            inputs: {o: {from: gen.o}}
            outputs: {o: 'out/sq/{i}.txt'}
          - name: total
            foreach: once
            run: echo "$CAIRN_UNIT_KEY" >> side.log; cat {in.o} | awk '{s+=$1} END {print s}' > {out.t}
            inputs: {o: {from: sq.o}}
            outputs: {t: out/total.txt}
        """
    }

    func checkExactlyOnce(_ dir: TemporaryFolder, items: Int) throws {
        let lines = dir.lines("side.log")
        #expect(lines.count == 2 * items + 1, "each unit ran exactly once: \(lines.count) attempts for \(2 * items + 1) units")
        #expect(Set(lines).count == lines.count, "no unit ran twice")
        #expect(dir.read("out/total.txt") == "\(items * (items - 1))\n")
        let state = try JournalState(directory: "\(dir.path)/.cairn/runs/sl/journal", repair: false)
        #expect(state.commitRecords == 2 * items + 1)
        #expect(state.units.values.allSatisfy { $0.committed })
    }

    @Test func aThousandUnitsRunExactlyOnceThroughArrays() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline(items: 500))
        let result = try CairnBinary.run(["run", "p.yaml", "--executor", "slurm", "--poll", "0.5", "--items-per-task", "50"],
                                         in: dir.path, environment: Self.environment, timeout: 300)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        try checkExactlyOnce(dir, items: 500)
        // One sbatch for the 1,000 item units (10 tasks of 50 items), one for the aggregate.
        #expect(result.stdout.contains("slurm: 2 sbatch"), "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("submitted 1000 unit(s) as SLURM array job") && result.stderr.contains("(10 task(s))"), "\(result.stderr)")
        let again = try CairnBinary.run(["run", "p.yaml", "--executor", "slurm", "--poll", "0.5"], in: dir.path, environment: Self.environment)
        #expect(again.status == 0 && again.stdout.contains("slurm: 0 sbatch"), "\(again.stdout)")
        // The trace names each attempt's array task; the report reads the same journal.
        let trace = try CairnBinary.run(["trace", "--fields", "name,status,native_id,submit,start"], in: dir.path)
        let rows = trace.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.count == 1001 && rows.allSatisfy { $0.count == 5 && $0[1] == "committed" && $0[2].contains("_") }, "\(trace.stdout.prefix(500))")
        // Submitted (the sbatch that carried it) before it started; ISO 8601 times compare as text.
        #expect(rows.allSatisfy { $0.count == 5 && $0[3] <= $0[4] } && rows.contains { $0.count == 5 && $0[3] < $0[4] }, "\(trace.stdout.prefix(500))")
        let report = try CairnBinary.run(["report", "--json"], in: dir.path)
        #expect(report.status == 0 && report.stdout.contains("\"slurmWorkers\" : 11"), "\(report.stdout.prefix(300))\(report.stderr)")
    }

    /// A busy `slurmctld` can answer `squeue` without a job it still holds. Here a real `squeue`
    /// behind a wrapper forgets every job for its first three answers: the controller must ask
    /// `scontrol` before it calls the job ended, and submit nothing again.
    /// The controller keeps the state checkpoint current (workers write none), so the
    /// aggregate's worker, and whatever reads the folder next, loads it and replays a tail.
    @Test func theControllerWritesTheStateCheckpointWorkersLoad() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline(items: 300))
        var environment = Self.environment
        environment["CAIRN_CHECKPOINT_BYTES"] = "4096"
        let result = try CairnBinary.run(["run", "p.yaml", "--executor", "slurm", "--poll", "0.5", "--items-per-task", "100"],
                                         in: dir.path, environment: environment, timeout: 300)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        try checkExactlyOnce(dir, items: 300)
        let journal = "\(dir.path)/.cairn/runs/sl/journal"
        #expect(FileManager.default.fileExists(atPath: "\(journal)/state.checkpoint"), "the controller wrote a checkpoint")
        let state = try JournalState(directory: journal, repair: false)
        #expect(state.replayedBytes == 0, "a reader loads it and replays nothing: \(state.replayedBytes) of \(state.bytes) bytes")
        let full = try JournalState(directory: journal, repair: false, useCheckpoint: false)
        #expect(full.units == state.units, "checkpoint + tail equals a full replay")
    }

    @Test func aJobSqueueForgetsForAMomentIsNotSubmittedAgain() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline(items: 4, sleep: "2"))
        let real = Tool.output("/bin/sh", ["-c", "command -v squeue"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(!real.isEmpty)
        dir.write("bin/squeue", """
            #!/bin/sh
            case " $* " in
              *" -r "*) n=$(cat "\(dir.path)/forgot" 2>/dev/null || echo 0)
                        if [ "$n" -lt 3 ]; then echo $((n + 1)) > "\(dir.path)/forgot"; exit 0; fi ;;
            esac
            exec \(real) "$@"
            """)
        chmod("\(dir.path)/bin/squeue", 0o755)
        var environment = Self.environment
        environment["PATH"] = "\(dir.path)/bin:\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"
        let result = try CairnBinary.run(["run", "p.yaml", "--executor", "slurm", "--poll", "0.5", "--items-per-task", "4"],
                                         in: dir.path, environment: environment, timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(dir.read("forgot") == "3\n", "the wrapper hid the job three times")
        try checkExactlyOnce(dir, items: 4)
        #expect(result.stdout.contains("slurm: 2 sbatch"), "\(result.stdout)\(result.stderr)")
        #expect(!result.stderr.contains("ended:"), "\(result.stderr)")
    }

    @Test func aKilledControllerIsFollowedAgainOnResumeAndNothingRunsTwice() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline(items: 60, sleep: "0.3"))
        let first = try CairnBinary.start(["run", "p.yaml", "--executor", "slurm", "--poll", "0.5", "--items-per-task", "10"],
                                          in: dir.path, environment: Self.environment)
        #expect(CairnBinary.waitFor(timeout: 60) { dir.lines("side.log").count >= 20 })
        first.signal(SIGKILL)
        _ = first.wait()
        let before = dir.lines("side.log").count
        #expect(before < 121, "the controller died while jobs were running (\(before) attempts so far)")
        let resumed = try CairnBinary.run(["resume", "--poll", "0.5"], in: dir.path, environment: Self.environment, timeout: 300)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        try checkExactlyOnce(dir, items: 60)
        // The running job was followed, not submitted again: only the aggregate was.
        let state = try JournalState(directory: "\(dir.path)/.cairn/runs/sl/journal", repair: false)
        let submitted = state.submissionOrder.compactMap { state.submissions[$0] }.map(\.keys.count)
        #expect(submitted == [120, 1], "\(submitted)")
    }

    @Test func anInterruptedControllerLeavesTheJobsRunningAndCancelStopsThem() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline(items: 8, sleep: "30"))
        let first = try CairnBinary.start(["run", "p.yaml", "--executor", "slurm", "--poll", "0.5", "--items-per-task", "1"],
                                          in: dir.path, environment: Self.environment)
        #expect(CairnBinary.waitFor(timeout: 60) { dir.lines("side.log").count >= 8 })
        first.signal(SIGINT)
        let stopped = first.wait()
        #expect(stopped.status == 130)
        #expect(stopped.stderr.contains("submitted jobs keep running"), "\(stopped.stderr)")
        let state = try JournalState(directory: "\(dir.path)/.cairn/runs/sl/journal", repair: false)
        let job = try #require(state.submissions.values.first?.jobID)
        #expect(Tool.output("/usr/bin/env", ["SLURM_CONF=\(SlurmCluster.conf)", "squeue", "-h", "-j", job]).contains(job))
        let cancel = try CairnBinary.run(["cancel"], in: dir.path, environment: Self.environment)
        #expect(cancel.status == 0 && cancel.stdout.contains("cancelled SLURM job(s) \(job)"), "\(cancel.stdout)\(cancel.stderr)")
        #expect(CairnBinary.waitFor(timeout: 60) {
            !Tool.output("/usr/bin/env", ["SLURM_CONF=\(SlurmCluster.conf)", "squeue", "-h", "-j", job]).contains(job)
        })
    }
}

extension SlurmTests {
    @Test func aCheckpointedUnitContinuesAfterSLURMsWarning() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", LimitsTests.training.replacingOccurrences(of: "name: c\n", with: "name: sl\n"))
        let controller = try CairnBinary.start(["run", "p.yaml", "--executor", "slurm", "--poll", "0.5", "--items-per-task", "1"],
                                               in: dir.path, environment: Self.environment)
        // The warning SLURM sends before a time limit, sent now, to the task running item 1.
        #expect(CairnBinary.waitFor(timeout: 60) { dir.lines("work.log").contains("1") })
        let state = try JournalState(directory: "\(dir.path)/.cairn/runs/sl/journal", repair: false)
        let job = try #require(state.submissionOrder.first.flatMap { state.submissions[$0]?.jobID })
        #expect(Tool.run("/usr/bin/env", ["SLURM_CONF=\(SlurmCluster.conf)", "scancel", "--batch", "--signal=USR1", "\(job)_0"]) == 0)
        let result = controller.wait(timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(dir.read("models/1.txt") == "trained 20\n" && dir.read("models/2.txt") == "trained 20\n")
        let final = try JournalState(directory: "\(dir.path)/.cairn/runs/sl/journal", repair: false)
        let interruptions = final.units.values.reduce(0) { $0 + $1.interruptions }
        #expect(interruptions >= 1, "the warning paused a unit")
        #expect(final.submissionOrder.count >= 2, "the paused unit was submitted again")
        #expect(dir.lines("work.log").count <= 40 + interruptions)
    }

    @Test func aUnitOverItsMemoryIsClassifiedOUT_OF_MEMORYAndRetriedAsConfigured() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: sl
            items: {i: [1]}
            steps:
              - name: hungry
                run: echo "$CAIRN_UNIT_KEY" >> side.log; python3 -c 'a = bytearray(400 << 20); import time; time.sleep(20)'
                resources: {memory: 150M}
                retries: 1
            """)
        let run = try CairnBinary.run(["run", "p.yaml", "--executor", "slurm", "--poll", "0.5"], in: dir.path, environment: Self.environment, timeout: 120)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("SLURM OUT_OF_MEMORY: the job went over its memory"), "\(run.stdout)\(run.stderr)")
        #expect(dir.lines("side.log").count == 2, "retries: 1 — submitted once more, then failed")
    }

    @Test func aUnitOverItsTimeLimitIsClassifiedTIMEOUT() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: sl
            items: {i: [1]}
            steps:
              - name: slow
                run: echo "$CAIRN_UNIT_KEY" >> side.log; sleep 600
            """)
        // A one-minute limit and no warning: SLURM ends the job as TIMEOUT (it checks about
        // every 30 s, so this takes one to two minutes).
        let run = try CairnBinary.run(["run", "p.yaml", "--executor", "slurm", "--poll", "1", "--warning", "0", "--sbatch-arg=--time=1"],
                                      in: dir.path, environment: Self.environment, timeout: 240)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("SLURM TIMEOUT: the job reached its time limit"), "\(run.stdout)\(run.stderr)")
        #expect(dir.lines("side.log").count == 1, "retries: 0 — not submitted again")
    }
}

/// Where the test cluster is: `SLURM_CONF` as `scripts/test` exports it, or the default of
/// `scripts/slurm-local`.
enum SlurmCluster {
    static let environment: [String: String] = {
        var env: [String: String] = [:]
        if ProcessInfo.processInfo.environment["SLURM_CONF"] == nil, FileManager.default.fileExists(atPath: "/tmp/cairn-slurm/etc/slurm.conf") {
            env["SLURM_CONF"] = "/tmp/cairn-slurm/etc/slurm.conf"
        }
        return env
    }()

    /// The configuration file clients use.
    static var conf: String { environment["SLURM_CONF"] ?? ProcessInfo.processInfo.environment["SLURM_CONF"] ?? "" }

    static var answers: Bool {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        guard let child = try? ChildProcess(path: "/usr/bin/env", arguments: ["sinfo", "-h"], directory: "/", environment: env) else { return false }
        return child.wait() == 0
    }
}
