import Cairn
import CairnTesting
import Foundation
import Synchronization

// The library's benchmark program (scripts/bench-library runs it, release build):
//   throughput N JOBS   N in-process no-op units, journal on (durable group commit): units/s
//   plan N              plan a one-step pipeline of N items with one output each: seconds, peak RSS
//   fill N KILL_AT      run N no-op units, SIGKILL itself when unit KILL_AT starts
//   resume N            resume that run: seconds from process start to the first dispatched unit
//   fill-file FILE KILL_AT  run the pipeline file's shell steps in process as "create the
//                           outputs empty" (see OutputsOnlyExecutor), SIGKILL itself when unit
//                           KILL_AT starts (0: never): a big run of a file for `cairn` to read
// Each figure is printed on its own line.

let arguments = CommandLine.arguments.dropFirst().map { $0 }
guard let mode = arguments.first, arguments.count >= 2, let n = Int(arguments[1]) ?? (mode == "fill-file" ? 0 : nil) else {
    FileHandle.standardError.write(Data("usage: cairn-bench-library throughput|plan|fill|resume N [JOBS|KILL_AT] | fill-file FILE KILL_AT\n".utf8))
    exit(2)
}
let started = Date()
let root = FileManager.default.currentDirectoryPath
let dispatched = Atomic<Int>(0)
let firstDispatch = Atomic<UInt64>(0)  // nanoseconds since `started`
let killAt = arguments.count > 2 ? Int(arguments[2]) ?? 0 : 0

func noop(_ name: String, items: Int, output: Bool) -> Pipeline {
    var pipeline = Pipeline(name, seed: 1)
    pipeline.axis("i", 0..<items)
    pipeline.step("noop", version: "1", outputs: output ? ["out": "out/{i}"] : [:]) { unit in
        let count = dispatched.add(1, ordering: .relaxed).newValue
        if count == 1 { firstDispatch.store(UInt64(Date().timeIntervalSince(started) * 1e9), ordering: .relaxed) }
        if count == 1 && mode == "resume" {
            print("resume: first unit dispatched \(String(format: "%.3f", Date().timeIntervalSince(started))) s after the process started")
            exit(0)
        }
        if mode == "fill" && count == killAt { kill(getpid(), SIGKILL) }
        if output { FileManager.default.createFile(atPath: try unit.output("out"), contents: nil) }
    }
    return pipeline
}

func peakRSSMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

switch mode {
case "throughput":
    let jobs = arguments.count > 2 ? Int(arguments[2]) ?? 8 : 8
    var options = RunOptions(jobs: jobs)
    options.budget = ResourceBudget.machine(cpus: jobs)
    let pipeline = noop("throughput", items: n, output: false)
    let lastCommit = FinalReportClock()
    let t0 = Date()
    let summary = try await pipeline.run(in: root, options: options, observer: lastCommit)
    let seconds = Date().timeIntervalSince(t0)
    let first = started.addingTimeInterval(Double(firstDispatch.load(ordering: .relaxed)) / 1e9)
    let loop = (lastCommit.at ?? Date()).timeIntervalSince(first)
    print("throughput: \(summary.committed) in-process no-op units committed in \(String(format: "%.2f", seconds)) s with -j \(jobs), planning and the session's end included: \(Int(Double(summary.committed) / seconds)) units/s")
    print("throughput: from the first dispatch to the last durable commit: \(String(format: "%.2f", loop)) s, \(Int(Double(summary.committed) / loop)) units/s")
    print("throughput: the session's end after its last commit (final checkpoint, clean-up): \(String(format: "%.2f", Date().timeIntervalSince(lastCommit.at ?? Date()))) s")
case "plan":
    let pipeline = noop("plan", items: n, output: true)
    let t0 = Date()
    let planned = try pipeline.declared.snapshot(root: root).plan(reading: nil)
    print("plan: \(planned.plan.units.count) units planned in \(String(format: "%.2f", Date().timeIntervalSince(t0))) s, peak RSS \(Int(peakRSSMB())) MB")
case "fill", "resume":
    var options = RunOptions(jobs: 8)
    options.budget = ResourceBudget.machine(cpus: 8)
    _ = try await noop("fill", items: n, output: false).run(in: root, options: options)
case "fill-file":
    var options = RunOptions(jobs: 8)
    options.budget = ResourceBudget.machine(cpus: 8)
    options.executor = { slots, signalFD in OutputsOnlyExecutor(slots: slots, signalFD: signalFD, killAt: killAt) }
    let file = arguments[1]
    let spec = try PipelineLoader().load(file: file)
    let snapshot = Snapshot(file: file, pipeline: spec)
    let summary = try RunSession.execute(snapshot: snapshot, folder: RunFolder.defaultFor(pipelineFile: file, name: spec.name), options: options, observer: SilentObserver())
    print("fill-file: \(summary.committed) units committed")
default:
    FileHandle.standardError.write(Data("cairn-bench-library: unknown mode \(mode)\n".utf8))
    exit(2)
}
