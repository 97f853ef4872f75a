import CairnCore
import Testing

/// Top-level `env`, `jobs` and `defaults`: settings for every step, each step's own winning.
@Suite struct PipelineDefaultsTests {
    static let text = """
        name: d
        jobs: 3
        env: {A: "1", B: "{i}"}
        defaults:
          retries: 2
          retry_backoff: 5s
          timeout: 1.5m
          stop_signal: sigint
          resources: {memory: 2G, time: 10m}
        items: {i: [1, 2]}
        steps:
          - name: plain
            run: 'true'
          - name: own
            run: 'true'
            env: {B: b, C: c}
            retries: 0
            timeout: 10s
            resources: {cpus: 4}
        """

    @Test func everyStepStartsFromTheDefaultsAndItsOwnKeysWin() throws {
        let spec = try PipelineDecoder.decode(text: Self.text, file: "p.yaml")
        #expect(spec.jobs == 3)
        #expect(spec.env.map(\.name) == ["A", "B"])
        let plain = try #require(spec.step(named: "plain")), own = try #require(spec.step(named: "own"))
        #expect(plain.retries == 2 && plain.retryBackoff == 5 && plain.timeout == 90 && plain.stopSignal == "INT")
        #expect(plain.resources.memoryMB == 2048 && plain.resources.time == 600 && plain.resources.cpus == 1)
        #expect(plain.env.map { "\($0.name)=\($0.value)" } == ["A=1", "B={i}"])
        #expect(own.retries == 0 && own.timeout == 10 && own.retryBackoff == 5 && own.stopSignal == "INT")
        #expect(own.resources.cpus == 4 && own.resources.memoryMB == 2048, "a step's resources set only what they name")
        #expect(own.env.map { "\($0.name)=\($0.value)" } == ["A=1", "B=b", "C=c"], "the step's value wins, in the pipeline's order, its own after")
    }

    @Test func aPipelineWithoutThemDecodesAsBefore() throws {
        let spec = try PipelineDecoder.decode(text: "name: p\nitems: {i: [1]}\nsteps:\n  - {name: a, run: 'true', env: {X: '1'}}\n", file: "p.yaml")
        #expect(spec.jobs == nil && spec.env.isEmpty)
        #expect(spec.steps[0] == {
            var s = StepSpec(name: "a", run: "true")
            s.env = [.init(name: "X", value: "1")]
            return s
        }())
    }

    @Test func badSettingsGetOneLineNamingFileLineAndKey() {
        let cases: [(String, String)] = [
            ("defaults: {retries: -1}", "p.yaml:2: defaults.retries: must be zero or more"),
            ("defaults: {retrys: 1}", "p.yaml:2: defaults.retrys: unknown key 'retrys'; did you mean 'retries'?"),
            ("defaults: {run: 'x'}", "p.yaml:2: defaults.run: unknown key 'run'"),
            ("defaults: {stop_signal: SIGFOO}", "p.yaml:2: defaults.stop_signal: 'FOO' is not one of"),
            ("defaults:\n  resources: {cpu: 2}", "p.yaml:3: defaults.resources.cpu: unknown key 'cpu'; did you mean 'cpus'?"),
            ("jobs: 0", "p.yaml:2: jobs: must be 1 or more"),
            ("jobs: 1.0", "p.yaml:2: jobs: expected an integer"),
            ("env: {1BAD: x}", "p.yaml:2: env.1BAD: '1BAD' is not a valid environment variable name"),
            ("env: [A]", "p.yaml:2: env: expected a mapping of variable names to values"),
        ]
        for (line, expected) in cases {
            let text = "name: e\n\(line)\nitems: {i: [1]}\nsteps:\n  - {name: a, run: 'true'}\n"
            #expect(throws: PipelineError.self, "\(line)") { try PipelineDecoder.decode(text: text, file: "p.yaml") }
            do {
                _ = try PipelineDecoder.decode(text: text, file: "p.yaml")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(line): \(error.description)")
                #expect(!error.description.contains("\n"))
            }
        }
    }
}
