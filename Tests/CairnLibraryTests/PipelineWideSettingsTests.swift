import Cairn
import CairnJournal
import CairnTestSupport
import Foundation
import Testing

/// A pipeline declared in Swift has a pipeline file's top-level settings: `env` under every
/// shell step's own, `jobs` when the caller does not choose, and `defaults` for steps added
/// without options of their own.
@Suite struct PipelineWideSettingsTests {
    func declare(greeting: String) -> Pipeline {
        var pipeline = Pipeline("wide", seed: 1)
        pipeline.env = ["GREETING": greeting, "WHO": "pipeline"]
        pipeline.jobs = 1
        pipeline.defaults = .init(retries: 2, retryBackoff: 0.01)
        pipeline.axis("n", 0..<4)
        var own = pipeline.defaults
        own.retries = 0
        own.env = ["WHO": "step"]
        // Two units at once would find the lock taken and fail (no retries of their own).
        pipeline.shell("say", run: #"mkdir running.lock || exit 9; sleep 0.05; rmdir running.lock; echo "$GREETING $WHO" > {out.o}"#,
                       outputs: ["o": "out/say-{n}.txt"], options: own)
        pipeline.step("flaky", version: "1", outputs: ["o": "out/flaky-{n}.txt"]) { unit in
            if unit.attempt < 3 { throw SubjectError(text: "attempt \(unit.attempt)") }
            try "\(unit.attempt)".write(toFile: try unit.output("o"), atomically: false, encoding: .utf8)
        }
        return pipeline
    }

    @Test func envJobsAndDefaultsApplyAsInAPipelineFile() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let pipeline = declare(greeting: "hello")
        #expect(RunOptions.thisMachine.forPipeline(pipeline.declared.spec).jobs == 1)
        var options = RunOptions.thisMachine
        options.grace = 0.3
        let summary = try await pipeline.run(in: folder.path, options: options, handleSignals: false)
        #expect(summary.committed == 8 && summary.failures.isEmpty, "\(summary.failures)")
        for n in 0..<4 {
            #expect(folder.read("out/say-\(n).txt") == "hello step\n", "the step's WHO wins, the pipeline's GREETING reaches it")
            #expect(folder.read("out/flaky-\(n).txt") == "3", "the defaults' two retries")
        }
        #expect(pipeline.declared.spec.env.map(\.name) == ["GREETING", "WHO"])
    }

    @Test func thePipelineEnvIsPartOfTheShellStepsKeysOnly() throws {
        let keys = { (greeting: String) throws -> [String: [Digest]] in
            let plan = try declare(greeting: greeting).declared.snapshot(root: "/tmp").plan(reading: nil).plan
            return Dictionary(grouping: plan.units, by: { plan.step(of: $0).name }).mapValues { $0.map(\.key) }
        }
        let hello = try keys("hello"), hi = try keys("hi")
        #expect(hello["say"] != hi["say"], "a changed pipeline env re-runs the shell step")
        #expect(hello["flaky"] == hi["flaky"], "and not the closure step, which it does not reach")
        var other = declare(greeting: "hello")
        other.jobs = 3
        let planned = try other.declared.snapshot(root: "/tmp").plan(reading: nil).plan.units.map(\.key)
        #expect(Set(planned) == Set(hello.values.flatMap { $0 }), "jobs is part of no key")
    }
}
