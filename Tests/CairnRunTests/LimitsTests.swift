import CairnCore
import CairnJournal
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// Per-step resources on the local executor, time limits, and checkpointed units.
@Suite(.serialized) struct LimitsTests {
    /// A checkpointing unit: 20 steps of work, the count kept in its checkpoint folder.
    static let training = """
        name: c
        items: {i: [1, 2]}
        steps:
          - name: train
            checkpoint: true
            max_restarts: 20
            run: 'n=$(cat {checkpoint_dir}/n 2>/dev/null || echo 0); while [ $n -lt 20 ]; do sleep 0.1; n=$((n+1)); echo $n > {checkpoint_dir}/n; echo {i} >> work.log; done; echo trained $n > {out.m}'
            outputs: {m: 'models/{i}.txt'}
        """

    @Test func declaredCPUsAndGPUsAreNeverOversubscribed() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: r
            items: {i: {range: [0, 6]}}
            steps:
              - name: big
                run: 'mkdir -p running; touch running/{i}; ls running | wc -l >> counts; echo "$CUDA_VISIBLE_DEVICES" >> gpus; sleep 0.4; rm running/{i}'
                resources: {cpus: 2, gpus: 1, memory: 1M}
            """)
        let run = try CairnBinary.run(["run", "p.yaml", "-j", "6"], in: dir.path, environment: ["CUDA_VISIBLE_DEVICES": "3,5"])
        #expect(run.status == 0, "\(run.stderr)")
        let counts = dir.lines("counts").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(counts.count == 6 && counts.max() == 2, "two GPUs: at most two units at once: \(counts)")
        #expect(Set(dir.lines("gpus")) == ["3", "5"], "each unit gets one of the two GPUs")
        // Six CPUs, no GPUs asked for: three 2-CPU units at once.
        dir.write("p.yaml", dir.read("p.yaml")!.replacingOccurrences(of: "gpus: 1, ", with: "").replacingOccurrences(of: "running/{i}", with: "running/x{i}"))
        try? FileManager.default.removeItem(atPath: "\(dir.path)/counts")
        #expect(try CairnBinary.run(["run", "p.yaml", "-j", "6"], in: dir.path).status == 0)
        #expect(dir.lines("counts").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.max() ?? 0 <= 3)
        let tooBig = try CairnBinary.run(["run", "p.yaml", "-j", "1"], in: dir.path)
        #expect(tooBig.status == 2 && tooBig.stderr.contains("p.yaml:6: steps.big.resources.cpus: 2 is more than this run's 1 CPUs (-j)"), "\(tooBig.stderr)")
    }

    @Test func aTimeLimitPausesCheckpointedUnitsAndResumeContinuesThem() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.training)
        let first = try CairnBinary.run(["run", "p.yaml", "-j", "2", "--time-limit", "1s", "--grace", "2"], in: dir.path)
        #expect(first.status == 124, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("stopped at the time limit"), "\(first.stdout)")
        let afterFirst = dir.lines("work.log").count
        #expect(afterFirst > 0 && afterFirst < 40)
        var sessions = 1
        while sessions < 10 {
            let next = try CairnBinary.run(["resume", "--time-limit", "1s", "--grace", "2"], in: dir.path)
            sessions += 1
            if next.status == 0 { break }
            #expect(next.status == 124, "\(next.stderr)")
        }
        #expect(dir.read("models/1.txt") == "trained 20\n" && dir.read("models/2.txt") == "trained 20\n")
        let state = try JournalState(directory: "\(dir.path)/.cairn/runs/c/journal", repair: false)
        let interruptions = state.units.values.reduce(0) { $0 + $1.interruptions }
        #expect(interruptions >= 2)
        // Work done at most the work needed plus one step per interruption.
        #expect(dir.lines("work.log").count <= 40 + interruptions, "\(dir.lines("work.log").count) steps for 40, \(interruptions) interruptions")
    }

    @Test func aUnitThatWouldOutlastTheTimeLimitIsNotStarted() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: t
            items: {i: [1]}
            steps:
              - name: quick
                run: echo q > {out.o}
                outputs: {o: 'q/{i}.txt'}
              - name: long
                run: touch started-long; sleep 30
                resources: {time: 10m}
                needs: quick
            """)
        let run = try CairnBinary.run(["run", "p.yaml", "--time-limit", "5m"], in: dir.path)
        #expect(run.status == 124, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("long[i=1] not started: it is expected to take 600s, more than is left before the time limit"), "\(run.stderr)")
        #expect(!dir.exists("started-long") && dir.exists("q/1.txt"))
    }
}
