import CairnCore
import CairnExecutor
import CairnJournal
import CairnRun
import Foundation

/// Interrupts real `cairn` runs at random moments and checks Cairn's promise after every one:
/// no final path holds anything but its exact expected content, nothing committed is lost or
/// committed twice, no committed unit runs again, and a finished run leaves no process behind
/// and a `status` that agrees with the files.
public enum SoakDriver {
    /// Runs cycles (fresh pipeline, interrupted and resumed until done) until `config.kills`
    /// interruptions have been inflicted.
    public static func run(_ config: SoakConfig) throws -> SoakReport {
        var rng = SplitMix(seed: config.seed)
        var report = SoakReport()
        report.seed = config.seed
        try FileManager.default.createDirectory(atPath: config.workDirectory, withIntermediateDirectories: true)
        let estimate = try calibrate(config)
        config.log("soak seed \(config.seed): an uninterrupted run of \(2 * config.items + 1) units takes \(String(format: "%.2f", estimate)) s")
        var cycle = 0
        while report.kills < config.kills {
            cycle += 1
            try runCycle(cycle, config: config, estimate: estimate, rng: &rng, report: &report)
            config.log("cycle \(cycle) done: \(report.kills) interruptions so far, \(report.resumes) resumes, clean: \(report.isClean)")
        }
        return report
    }

    static func calibrate(_ config: SoakConfig) throws -> Double {
        let dir = "\(config.workDirectory)/calibration"
        try? FileManager.default.removeItem(atPath: dir)
        let pipeline = try setUp(dir, config: config, token: "soak-calibration-\(config.seed)")
        _ = pipeline
        let start = Date()
        let process = try launch(config.cairn, ["run", "p.yaml", "-j", "2"], in: dir)
        let code = process.wait()
        let elapsed = Date().timeIntervalSince(start)
        try? FileManager.default.removeItem(atPath: dir)
        guard code == 0 else { throw SoakError("the calibration run failed (exit \(code)); see \(dir)") }
        return max(0.2, elapsed)
    }

    static func runCycle(_ cycle: Int, config: SoakConfig, estimate: Double, rng: inout SplitMix, report: inout SoakReport) throws {
        let dir = "\(config.workDirectory)/cycle-\(cycle)"
        try? FileManager.default.removeItem(atPath: dir)
        let token = "soak-\(config.seed)-\(cycle)"
        let pipeline = try setUp(dir, config: config, token: token)
        var watch = SoakWatch(cycle: cycle, dir: dir, pipeline: pipeline, items: [config.items, config.items + config.extraItems])
        try watch.expect(try Planner.plan(try PipelineLoader().load(file: "\(dir)/p.yaml")))
        try watch.expect(try Planner.plan(try PipelineLoader().load(file: "\(dir)/p.yaml", overrides: try watch.overrides(more: true))))
        let snapshot = "\(dir)/.cairn/runs/soak/snapshot.json"
        var more = false, merged = false
        while true {
            // Until a snapshot exists (the first run may be killed before writing it) there is
            // nothing to resume, as `cairn resume` rightly says: run again.
            let started = FileManager.default.fileExists(atPath: snapshot)
            if started && !merged && Double.random(in: 0..<1, using: &rng) < config.mergeChance {
                merged = true
                try mergeShard(watch: &watch, config: config, estimate: estimate, rng: &rng, report: &report)
            }
            var arguments = started ? ["resume", "-j", "2", "--grace", "2"] : ["run", "p.yaml", "-j", "2", "--grace", "2"]
            var completes = true
            let pick = Double.random(in: 0..<1, using: &rng)
            if started && pick < config.restartChance {
                more.toggle()
                arguments += watch.setArguments(more: more)
                report.restarts += 1
            } else if started && pick < config.restartChance + config.aggregateOnlyChance {
                arguments = ["run", "p.yaml", "-j", "2", "--grace", "2", "--aggregate-only"] + watch.setArguments(more: try watch.storedMore())
                completes = false
                report.aggregateOnly += 1
            }
            if started && !arguments.contains("--aggregate-only") { report.resumes += 1 }
            let (status, interrupted) = try session(arguments, watch: &watch, config: config, estimate: estimate, rng: &rng, report: &report)
            if !interrupted && status == 0 && completes { break }
            if !interrupted && status != 0 && status != 1 {
                report.problems.append("cycle \(cycle): cairn \(arguments.joined(separator: " ")) exited \(status) without being interrupted")
                report.badFinishes += 1
                break
            }
        }
        let final = try Snapshot.read(RunFolder(path: "\(dir)/.cairn/runs/soak")).plan(reading: nil).plan
        try finish(cycle, dir: dir, plan: final, watch: watch, journalDir: watch.journalDir, config: config, report: &report)
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// One `cairn ARGUMENTS` session in the cycle's folder, interrupted at a random moment while
    /// interruptions are left to inflict (with `interruptChance`; SIGKILL, or SIGINT/SIGTERM; sometimes a unit's shell
    /// or its whole process group SIGKILLed first), then the checks every session gets.
    /// Returns the exit status and whether it was interrupted.
    static func session(_ arguments: [String], watch: inout SoakWatch, config: SoakConfig, estimate: Double, interruptChance: Double = 1,
                        rng: inout SplitMix, report: inout SoakReport) throws -> (status: Int32, interrupted: Bool) {
        let process = try launch(config.cairn, arguments, in: watch.dir)
        var interrupted = false
        if report.kills < config.kills && Double.random(in: 0..<1, using: &rng) < interruptChance {
            let delay = Double.random(in: 0...estimate, using: &rng)
            let deadline = Date().addingTimeInterval(delay)
            while process.isRunning && Date() < deadline { usleep(2_000) }
            if process.isRunning {
                if Double.random(in: 0..<1, using: &rng) < config.unitKillChance,
                    let unit = unitProcesses(token: watch.pipeline.token).randomElement(using: &rng)
                {
                    if Double.random(in: 0..<1, using: &rng) < config.groupKillChance {
                        kill(-unit, SIGKILL)  // the shell leads its group: everything the unit started
                        report.groupKills += 1
                    } else {
                        kill(unit, SIGKILL)
                    }
                    report.unitKills += 1
                }
                let graceful = Double.random(in: 0..<1, using: &rng) < config.gracefulChance
                let signal = graceful ? (Bool.random(using: &rng) ? SIGINT : SIGTERM) : SIGKILL
                process.signal(signal)
                report.kills += 1
                if graceful { report.gracefulStops += 1 }
                interrupted = true
            }
        }
        if !waitForExit(process, timeout: 120) {
            process.signal(SIGKILL)
            report.problems.append("cycle \(watch.cycle): cairn \(arguments[0]) did not end within 120 s")
        }
        let status = process.wait()
        try watch.check(report: &report)
        return (status, interrupted)
    }

    /// Checks a finished run: exact outputs, one commit per unit, no orphans, status agrees.
    /// The final plan's units have exactly their outputs and one commit each; every other key
    /// committed (trials a restart dropped, partial aggregates) has one commit at most.
    static func finish(
        _ cycle: Int, dir: String, plan: Plan, watch: SoakWatch, journalDir: String,
        config: SoakConfig, report: inout SoakReport
    ) throws {
        var bad: [String] = []
        for (path, content) in watch.exact(plan) where FileManager.default.contents(atPath: "\(dir)/\(path)").map({ String(decoding: $0, as: UTF8.self) }) != content {
            bad.append("\(path) missing or wrong")
        }
        let counts = try commitCounts(journalDir).counts
        let units = Set(plan.units.map(\.key))
        if !units.isSubset(of: Set(counts.keys)) || counts.values.contains(where: { $0 != 1 }) { bad.append("journal does not hold exactly one commit per unit") }
        let orphans = orphanProcesses(runDirectory: "\(dir)/.cairn/runs/soak")
        if !orphans.isEmpty {
            report.orphans += orphans.count
            report.problems.append("cycle \(cycle): \(orphans.count) process(es) of the run still alive: \(orphans)")
            orphans.forEach { kill($0, SIGKILL) }
        }
        let status = try launch(config.cairn, ["status", "--json"], in: dir, captureOutput: true)
        status.wait()
        let text = (try? String(contentsOfFile: "\(dir)/.soak-stdout", encoding: .utf8)) ?? ""
        if !text.contains("\"committed\" : \(plan.units.count),") || !text.contains("\"state\" : \"complete\"") {
            bad.append("status does not agree: \(text.prefix(200))")
        }
        if !bad.isEmpty {
            report.badFinishes += 1
            report.problems.append("cycle \(cycle): " + bad.joined(separator: "; "))
        }
        report.cycles += 1
        report.units += plan.units.count
    }

    // MARK: - Helpers

    static func setUp(_ dir: String, config: SoakConfig, token: String) throws -> SoakPipeline {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let pipeline = SoakPipeline(folder: dir, items: config.items, token: token)
        try pipeline.text.write(toFile: "\(dir)/p.yaml", atomically: true, encoding: .utf8)
        return pipeline
    }

    static func launch(_ cairn: String, _ arguments: [String], in dir: String, captureOutput: Bool = false) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["CAIRN_PROGRESS_INTERVAL"] = "3600"
        return try ChildProcess(path: cairn, arguments: arguments, directory: dir, environment: env,
                                stdout: captureOutput ? "\(dir)/.soak-stdout" : nil)
    }

    static func waitForExit(_ process: ChildProcess, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        return !process.isRunning
    }

    /// Commit records per unit key, over every segment (read-only).
    /// Commit records per key since the key's last invalidation (a key invalidated and not
    /// committed since has none), and every key ever invalidated.
    static func commitCounts(_ journalDir: String) throws -> (counts: [Digest: Int], invalidated: Set<Digest>) {
        var counts: [Digest: Int] = [:]
        var invalidated = Set<Digest>()
        for name in try Journal.segments(in: journalDir) {
            _ = try SegmentReader.read("\(journalDir)/\(name)", repair: false) { record in
                if case .committed(let c) = record { counts[c.key, default: 0] += 1 }
                if case .invalidated(let key, _) = record {
                    counts[key] = nil
                    invalidated.insert(key)
                }
            }
        }
        return (counts, invalidated)
    }

    /// Live processes of the run: every unit process and its children carry the run folder in
    /// their environment. Pids are reused too quickly to go by process group alone.
    static func orphanProcesses(runDirectory: String) -> [Int32] {
        ProcessTable.all().filter { entry in
            entry.pid != getpid() && ProcessTable.environmentValue(of: entry.pid, name: "CAIRN_RUN_DIR") == runDirectory
        }.map(\.pid)
    }

    /// Unit shells of a cycle, found by the token in their command line.
    /// The units' shells now running: processes whose command line holds the token and that lead
    /// their process group (each attempt's shell leads its own). Only leaders: a shell's forked
    /// children (a `$(…)` subshell) carry the same command line, and killing one of those would
    /// make the unit's own script go on with an empty value and exit 0 — a broken unit, not a
    /// fault Cairn could see (seed 284130 found it).
    static func unitProcesses(token: String) -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                String(decoding: data, as: UTF8.self).contains(token)
            else { return false }
            return getpgid(pid) == pid
        }
    }
}

/// A soak setup failure.
public struct SoakError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
