@_exported import CairnCore
@_exported import CairnRun
@_exported import Logging
import Foundation

/// A pipeline declared in Swift: the same model as a pipeline file (name, seed, axes, params,
/// steps with needs, inputs, outputs, retries, timeouts, resources, aggregates), where a step is
/// either a shell command or an `async throws` closure run in this process.
///
/// ```swift
/// var pipeline = Pipeline("shapes", seed: 7)
/// pipeline.axis("sample", 0..<1000)
/// pipeline.step("draw", version: "1", outputs: ["svg": "out/{sample:04d}.svg"]) { unit in
///     var random = unit.random
///     let radius = random.double(in: 1..<10)
///     try "<svg>…\(radius)…</svg>".write(toFile: unit.output("svg"), atomically: false, encoding: .utf8)
/// }
/// let summary = try await pipeline.run(in: ".")
/// ```
///
/// A closure step's `version` is part of its units' keys (Swift cannot hash code): bump it when
/// the closure's behaviour changes, and that step and everything downstream run again.
public struct Pipeline: Sendable {
    /// The declaration as the run layer sees it (what `snapshot.json` stores).
    public private(set) var spec: PipelineSpec
    /// The closures of the in-process steps, by step name.
    public private(set) var closures = ClosureSteps()
    /// The options a step gets when it is added without its own (a pipeline file's top-level
    /// `defaults`). Set it before adding steps; a step with options of its own can start from it:
    /// `var o = pipeline.defaults; o.timeout = 60; pipeline.shell(…, options: o)`.
    public var defaults = StepOptions()
    /// Environment variables of every shell step, under each step's own `env` (the step's value
    /// wins): a pipeline file's top-level `env`. Part of the keys of the steps it reaches.
    public var env: KeyValuePairs<String, String> = [:]
    /// Units at once when the caller does not choose (`-j` in ``CairnCommand``, or
    /// ``RunOptions/jobsChosen`` false): a pipeline file's top-level `jobs`. Part of no key.
    public var jobs: Int? {
        get { spec.jobs }
        set { spec.jobs = newValue }
    }

    /// A pipeline named `name` (its run folder is `ROOT/.cairn/runs/NAME`) whose units' seeds
    /// derive from `seed`.
    public init(_ name: String, seed: Int = 0) {
        spec = PipelineSpec(name: name, seed: seed, axes: [], steps: [], file: "\(name) (Swift)")
    }

    /// Where a step's input comes from.
    public enum Input: Sendable {
        /// A path pattern relative to the root (placeholders as in a pipeline file).
        case path(String)
        /// Output `output` of step `step`: one path, or every item's for an aggregate.
        case output(step: String, output: String)
    }

    /// What a step may declare besides its work and files.
    public struct StepOptions: Sendable {
        public var retries = 0
        /// Seconds before the first retry; doubling after each.
        public var retryBackoff: Double = 1
        /// Seconds before the unit is stopped (a closure is cancelled); nil for none.
        public var timeout: Double?
        public var resources = StepSpec.Resources()
        public var checkpoint = false
        public var maxRestarts = 10
        /// Output names deleted once nothing that needs them is left to run.
        public var temp: Set<String> = []
        /// Environment variables of a shell step (templates), in order.
        public var env: KeyValuePairs<String, String> = [:]

        public init(retries: Int = 0, retryBackoff: Double = 1, timeout: Double? = nil, resources: StepSpec.Resources = StepSpec.Resources(),
                    checkpoint: Bool = false, maxRestarts: Int = 10, temp: Set<String> = [], env: KeyValuePairs<String, String> = [:]) {
            self.retries = retries
            self.retryBackoff = retryBackoff
            self.timeout = timeout
            self.resources = resources
            self.checkpoint = checkpoint
            self.maxRestarts = maxRestarts
            self.temp = temp
            self.env = env
        }
    }

    /// Adds an axis of integers (`0..<1000`).
    public mutating func axis(_ name: String, _ range: Range<Int>) {
        spec.axes.append(AxisSpec(name: name, source: .range(start: range.lowerBound, stop: range.upperBound, step: 1)))
    }

    /// Adds an axis of values (`[0.1, 1.0]`, `["cat", "dog"]`, `[true, false]`).
    public mutating func axis(_ name: String, _ values: [ItemValue]) {
        spec.axes.append(AxisSpec(name: name, source: .list(values)))
    }

    /// Adds a param: a constant every closure sees (``UnitContext/params``) and shell templates
    /// can use as `{name}`.
    public mutating func param(_ name: String, _ value: ItemValue) {
        spec.params.append(PipelineSpec.Param(name: name, value: value))
    }

    /// Adds a step whose units run `body` in this process: one unit per item, or one over every
    /// item (`foreach: .once`, an aggregate).
    public mutating func step(
        _ name: String, version: String, foreach: StepSpec.ForEach = .item, needs: [String] = [],
        inputs: KeyValuePairs<String, Input> = [:], outputs: KeyValuePairs<String, String> = [:],
        options: StepOptions? = nil, body: @escaping UnitBody
    ) {
        var step = Self.stepSpec(name, run: "", foreach: foreach, needs: needs, inputs: inputs, outputs: outputs, options: options ?? defaults)
        step.version = version
        spec.steps.append(step)
        closures[name] = body
    }

    /// Adds a step whose units run a shell command (a template, as `run:` in a pipeline file).
    public mutating func shell(
        _ name: String, run: String, foreach: StepSpec.ForEach = .item, needs: [String] = [],
        inputs: KeyValuePairs<String, Input> = [:], outputs: KeyValuePairs<String, String> = [:],
        options: StepOptions? = nil
    ) {
        spec.steps.append(Self.stepSpec(name, run: run, foreach: foreach, needs: needs, inputs: inputs, outputs: outputs, options: options ?? defaults))
    }

    static func stepSpec(
        _ name: String, run: String, foreach: StepSpec.ForEach, needs: [String], inputs: KeyValuePairs<String, Input>,
        outputs: KeyValuePairs<String, String>, options: StepOptions
    ) -> StepSpec {
        var step = StepSpec(
            name: name, run: run, needs: needs,
            outputs: outputs.map { StepSpec.Output(name: $0.key, pattern: $0.value, temp: options.temp.contains($0.key)) },
            inputs: inputs.map { input in
                switch input.value {
                case .path(let pattern): StepSpec.Input(name: input.key, source: .path(pattern))
                case .output(let step, let output): StepSpec.Input(name: input.key, source: .output(step: step, output: output))
                }
            },
            env: options.env.map { StepSpec.EnvVar(name: $0.key, value: $0.value) },
            timeout: options.timeout, retries: options.retries, retryBackoff: options.retryBackoff, foreach: foreach)
        step.resources = options.resources
        step.checkpoint = options.checkpoint
        step.maxRestarts = options.maxRestarts
        return step
    }

    /// The pipeline as the run layer runs it: ``env`` merged under every shell step's own.
    public var declared: DeclaredPipeline {
        var resolved = spec
        resolved.env = env.map { StepSpec.EnvVar(name: $0.key, value: $0.value) }
        if !resolved.env.isEmpty {
            for i in resolved.steps.indices where !resolved.steps[i].isClosure {
                resolved.steps[i].env = StepSpec.EnvVar.merged(resolved.steps[i].env, over: resolved.env)
            }
        }
        return DeclaredPipeline(spec: resolved, closures: closures)
    }
}
