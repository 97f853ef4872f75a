/// A pipeline as declared in its file: items (axes), steps and the run seed.
///
/// After ``PipelineLoader``-style resolution every axis is a `range` or a `list`; that resolved
/// form is what a run folder stores as its snapshot.
public struct PipelineSpec: Sendable, Codable, Equatable {
    public var name: String
    public var seed: Int
    /// Named constants (`params:`), usable as `{name}` placeholders; part of the keys of the
    /// units whose templates use them.
    public var params: [Param] = []
    public var axes: [AxisSpec]
    /// A table of trials (`trials: FILE`, relative to the pipeline file): the run layer reads
    /// it into `column` axes placed before the other axes, which multiply with it.
    public var trialsFile: String?
    /// Ask/tell search: the axes are filled with an optimizer's proposals (see ``OptimizerSpec``).
    public var optimizer: OptimizerSpec?
    public var sample: SampleSpec?
    public var steps: [StepSpec]
    /// The file the pipeline was read from (for messages).
    public var file: String
    /// Line numbers of key paths, for messages that arise after decoding.
    public var lines: [String: Int]
    /// Key paths that came from another file (a parent it `extends`), with that file.
    public var sources: [String: String] = [:]
    /// False for a template (`runnable: false`): it is only extended, never run itself.
    public var runnable = true
    /// Top-level `jobs`: units at once when `-j` is not given (not part of any key).
    public var jobs: Int?
    /// Top-level `env`, already merged under every step's `env` (kept to show and to compare).
    public var env: [StepSpec.EnvVar] = []
    /// Absolute paths of the files this one `extends`, nearest first (set by the run layer).
    public var ancestors: [String] = []

    public init(
        name: String, seed: Int, axes: [AxisSpec], sample: SampleSpec? = nil, steps: [StepSpec],
        file: String = "pipeline.yaml", lines: [String: Int] = [:]
    ) {
        self.name = name
        self.seed = seed
        self.axes = axes
        self.sample = sample
        self.steps = steps
        self.file = file
        self.lines = lines
    }

    /// A named constant of the pipeline.
    public struct Param: Sendable, Codable, Equatable {
        public var name: String
        public var value: ItemValue

        public init(name: String, value: ItemValue) {
            self.name = name
            self.value = value
        }
    }

    /// Whether two specs define the same run: everything but where they were read from
    /// (`file`, `lines`, `sources`), which only serves messages. A spec loaded from a file and
    /// the same spec decoded from a run folder's snapshot are equal.
    public static func == (a: PipelineSpec, b: PipelineSpec) -> Bool {
        a.name == b.name && a.seed == b.seed && a.params == b.params && a.axes == b.axes && a.trialsFile == b.trialsFile && a.optimizer == b.optimizer && a.sample == b.sample
            && a.steps == b.steps && a.runnable == b.runnable && a.ancestors == b.ancestors
    }

    /// The value of param `name`.
    public func param(_ name: String) -> ItemValue? {
        params.first { $0.name == name }?.value
    }

    enum CodingKeys: String, CodingKey {
        case name, seed, params, axes, trialsFile, optimizer, sample, steps, file, lines, sources, runnable, ancestors, jobs, env
    }

    /// Decodes a stored pipeline; members added after a snapshot was written take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? 0
        params = try c.decodeIfPresent([Param].self, forKey: .params) ?? []
        axes = try c.decode([AxisSpec].self, forKey: .axes)
        trialsFile = try c.decodeIfPresent(String.self, forKey: .trialsFile)
        optimizer = try c.decodeIfPresent(OptimizerSpec.self, forKey: .optimizer)
        sample = try c.decodeIfPresent(SampleSpec.self, forKey: .sample)
        steps = try c.decode([StepSpec].self, forKey: .steps)
        file = try c.decodeIfPresent(String.self, forKey: .file) ?? "pipeline.yaml"
        lines = try c.decodeIfPresent([String: Int].self, forKey: .lines) ?? [:]
        sources = try c.decodeIfPresent([String: String].self, forKey: .sources) ?? [:]
        runnable = try c.decodeIfPresent(Bool.self, forKey: .runnable) ?? true
        ancestors = try c.decodeIfPresent([String].self, forKey: .ancestors) ?? []
        jobs = try c.decodeIfPresent(Int.self, forKey: .jobs)
        env = try c.decodeIfPresent([StepSpec.EnvVar].self, forKey: .env) ?? []
    }

    /// The step with this name.
    public func step(named name: String) -> StepSpec? {
        steps.first { $0.name == name }
    }

    /// An error at `key`, with the line recorded for it (or its closest recorded parent).
    public func error(at key: String, _ message: String) -> PipelineError {
        var probe = key
        while !probe.isEmpty {
            if let line = lines[probe] { return PipelineError(file: sources[probe] ?? file, line: line, key: key, message: message) }
            guard let dot = probe.lastIndex(of: ".") else { break }
            probe = String(probe[..<dot])
        }
        return PipelineError(file: file, line: nil, key: key, message: message)
    }
}
