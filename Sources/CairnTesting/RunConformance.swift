import CairnCore
import CairnExecutor
import CairnJournal
import CairnRun
import Foundation

/// The run-level behaviour every executor must give the runner: outputs staged and committed
/// atomically, an interrupt that journals what it stopped, and a resume that runs exactly what
/// did not commit. Runs a real session (real journal, real files) on the subject's executor.
/// Returns one line per problem; empty when it conforms.
public enum RunConformance {
    public static func check(_ subject: some ExecutorSubject & StepSubject, scratch: String) -> [String] {
        var problems: [String] = []
        func expect(_ ok: Bool, _ what: String) { if !ok { problems.append("\(subject.name): \(what)") } }
        let root = "\(scratch)/run-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let count = 12
        var spec = PipelineSpec(name: "conformance", seed: 1, axes: [AxisSpec(name: "n", source: .range(start: 0, stop: count, step: 1))], steps: [])
        var closures = ClosureSteps()
        let (step, body) = subject.step(name: "make", seconds: 0.25, output: "out/{n}.txt")
        spec.steps.append(step)
        if let body { closures["make"] = body }
        let snapshot = Snapshot(pipelineFile: "\(root)/conformance.yaml", root: root, pipeline: spec)
        let folder = RunFolder(path: "\(root)/.cairn/runs/conformance")

        func session(interruptAfter: Double?) -> RunSummary? {
            var fds: [Int32] = [0, 0]
            _ = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)  // like the real signal pipe
            defer { close(fds[0]); close(fds[1]) }
            var options = RunOptions(jobs: 3, grace: 2, signalFD: fds[0])
            options.closures = closures
            options.executor = { slots, signalFD in subject.makeExecutor(slots: slots, signalFD: signalFD) }
            if let interruptAfter {
                // Seconds after the first unit started (its staging folder appears): a signal
                // that came while the session still planned would, rightly, start nothing.
                let writeEnd = fds[1]
                let staging = "\(root)/out/.cairn-staging"
                Thread.detachNewThread {
                    let deadline = Date().addingTimeInterval(60)
                    while !FileManager.default.fileExists(atPath: staging) && Date() < deadline { usleep(5_000) }
                    usleep(UInt32(interruptAfter * 1_000_000))
                    var signal = UInt8(SIGINT)
                    _ = write(writeEnd, &signal, 1)
                }
            }
            do { return try RunSession.execute(snapshot: snapshot, folder: folder, options: options, observer: SilentObserver()) } catch {
                problems.append("\(subject.name): the session failed: \(error)")
                return nil
            }
        }
        func committedKeys() -> Set<Digest> {
            let state = try? JournalState(directory: folder.journal, repair: false)
            return Set((state?.units ?? [:]).filter { $0.value.committed }.map(\.key))
        }

        guard let first = session(interruptAfter: 0.1) else { return problems }
        expect(first.interruptedBy == SIGINT, "an interrupt did not stop the session (\(String(describing: first.interruptedBy)))")
        let before = committedKeys()
        expect(before.count == first.committed && before.count < count, "the interrupted session committed \(before.count) of \(count) (journal) vs \(first.committed) (summary)")
        expect(first.interruptedAttempts > 0, "no attempt was journaled as interrupted")
        // Every final path holds a committed unit's whole output; none holds a stopped one's.
        let present = (0..<count).filter { FileManager.default.fileExists(atPath: "\(root)/out/\($0).txt") }
        expect(present.count == before.count, "\(present.count) files at final paths but \(before.count) units committed")
        for n in present where (try? String(contentsOfFile: "\(root)/out/\(n).txt", encoding: .utf8)) != "\(n)" {
            problems.append("\(subject.name): out/\(n).txt does not hold its unit's whole output")
        }

        guard let second = session(interruptAfter: nil) else { return problems }
        expect(second.interruptedBy == nil && second.failures.isEmpty, "the resume did not finish cleanly")
        expect(second.committed == count - before.count, "the resume ran \(second.committed) units; \(count - before.count) were left")
        let state = try? JournalState(directory: folder.journal, repair: false)
        let units = state?.units ?? [:]
        expect(units.values.filter(\.committed).count == count, "not every unit is committed after the resume")
        for key in before where (units[key]?.attempts ?? 0) != 1 {
            problems.append("\(subject.name): a unit committed before the interrupt ran again (\(units[key]?.attempts ?? 0) attempts)")
        }
        for n in 0..<count where (try? String(contentsOfFile: "\(root)/out/\(n).txt", encoding: .utf8)) != "\(n)" {
            problems.append("\(subject.name): out/\(n).txt is missing or wrong after the resume")
        }
        return problems
    }
}

/// A subject that can also declare a pipeline step of its kind.
public protocol StepSubject {
    /// A step that takes `seconds` (stopping early when asked) and then writes its item's `n`
    /// to `output` (a path pattern); with its closure for an in-process step.
    func step(name: String, seconds: Double, output: String) -> (StepSpec, UnitBody?)
}

extension ProcessSubject: StepSubject {
    public func step(name: String, seconds: Double, output: String) -> (StepSpec, UnitBody?) {
        (StepSpec(name: name, run: "sleep \(seconds); printf %s {n} > {out.out}", outputs: [.init(name: "out", pattern: output)]), nil)
    }
}

extension ClosureSubject: StepSubject {
    public func step(name: String, seconds: Double, output: String) -> (StepSpec, UnitBody?) {
        var step = StepSpec(name: name, run: "", outputs: [.init(name: "out", pattern: output)])
        step.version = "1"
        return (step, { unit in
            try await Task.sleep(for: .seconds(seconds))
            try "\(try unit.value("n"))".write(toFile: try unit.output("out"), atomically: false, encoding: .utf8)
        })
    }
}

extension MixedSubject: StepSubject {
    public func step(name: String, seconds: Double, output: String) -> (StepSpec, UnitBody?) {
        closures ? ClosureSubject().step(name: name, seconds: seconds, output: output) : ProcessSubject().step(name: name, seconds: seconds, output: output)
    }
}
