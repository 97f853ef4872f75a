/// One step of a pipeline: a shell command run once per item (or once after all items).
public struct StepSpec: Sendable, Codable, Equatable {
    /// How many units a step has.
    public enum ForEach: String, Sendable, Codable {
        /// One unit per item.
        case item
        /// One unit, after every unit of the steps it needs is done (an aggregate).
        case once
    }

    /// A named input: a path pattern, or the output of another step.
    public struct Input: Sendable, Codable, Equatable {
        public enum Source: Sendable, Codable, Equatable {
            case path(String)
            case output(step: String, output: String)
        }
        public var name: String
        public var source: Source

        public init(name: String, source: Source) {
            self.name = name
            self.source = source
        }
    }

    /// A named output path pattern.
    public struct Output: Sendable, Codable, Equatable {
        public var name: String
        public var pattern: String
        /// Deleted once every unit that consumes it is committed and the run has finished;
        /// made again only when a consumer must run again.
        public var temp = false

        public init(name: String, pattern: String, temp: Bool = false) {
            self.name = name
            self.pattern = pattern
            self.temp = temp
        }

        enum CodingKeys: String, CodingKey { case name, pattern, temp }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            pattern = try c.decode(String.self, forKey: .pattern)
            temp = try c.decodeIfPresent(Bool.self, forKey: .temp) ?? false
        }
    }

    public var name: String
    public var run: String
    public var needs: [String]
    public var outputs: [Output]
    public var inputs: [Input]
    /// Environment variables, in file order; values are templates.
    public var env: [EnvVar]
    /// Seconds before the unit's process group is stopped; nil for none.
    public var timeout: Double?
    /// Extra attempts after a failure.
    public var retries: Int
    /// Seconds before the first retry; each later retry waits twice as long (capped at 10 minutes).
    public var retryBackoff: Double
    public var foreach: ForEach
    /// The signal sent to the unit's process group to stop it (interrupts, timeouts): a name
    /// from ``StepSpec/stopSignals``; KILL follows after the grace period.
    public var stopSignal: String = "TERM"
    /// Files whose content defines the step's work (scripts, configs): part of its units' keys.
    /// Declared as paths or glob patterns; the run layer resolves them to files, relative to
    /// the pipeline folder, before planning.
    public var code: [String] = []
    /// What one unit needs: the local executor never runs more at once than the machine (or
    /// `-j`) has; SLURM jobs ask for it.
    public var resources = Resources()
    /// A unit that may be stopped and continued: it gets a folder that lasts across its
    /// attempts (`{checkpoint_dir}`, `CAIRN_CHECKPOINT_DIR`) and is continued after a time
    /// limit, at most `maxRestarts` times.
    public var checkpoint = false
    public var maxRestarts = 10
    /// What the step measures (`metrics:`): journaled with each unit's commit, shown by
    /// `cairn trials`. Not part of unit keys: declaring it re-runs nothing.
    public var metrics: MetricsSpec?
    /// For a step that is a Swift closure run in process (declared with the `Cairn` library):
    /// the version its author gives the closure's code, part of its units' keys, since Swift
    /// cannot hash code. Nil for a shell step (its `run` is the command).
    public var version: String?

    /// Whether the step is a Swift closure run in process rather than a shell command.
    public var isClosure: Bool { version != nil }

    /// CPUs, memory, GPUs and expected time of one unit.
    public struct Resources: Sendable, Codable, Equatable {
        public var cpus = 1
        /// MiB; 0 for not declared.
        public var memoryMB = 0
        public var gpus = 0
        /// Expected (and, on SLURM, requested) seconds; nil for not declared.
        public var time: Double?

        public init(cpus: Int = 1, memoryMB: Int = 0, gpus: Int = 0, time: Double? = nil) {
            self.cpus = cpus
            self.memoryMB = memoryMB
            self.gpus = gpus
            self.time = time
        }

        enum CodingKeys: String, CodingKey { case cpus, memoryMB, gpus, time }

        /// Decodes stored resources; members a snapshot lacks take their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cpus = try c.decodeIfPresent(Int.self, forKey: .cpus) ?? 1
            memoryMB = try c.decodeIfPresent(Int.self, forKey: .memoryMB) ?? 0
            gpus = try c.decodeIfPresent(Int.self, forKey: .gpus) ?? 0
            time = try c.decodeIfPresent(Double.self, forKey: .time)
        }
    }

    /// Signal names `stop_signal` accepts.
    public static let stopSignals = ["TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "KILL"]

    /// One environment variable.
    public struct EnvVar: Sendable, Codable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        /// `own` set over `base` (a pipeline's `env` under a step's): `base` in its order, a
        /// variable of `own` replacing the one of the same name in place, the others appended.
        public static func merged(_ own: [EnvVar], over base: [EnvVar]) -> [EnvVar] {
            var out = base
            for variable in own {
                if let i = out.firstIndex(where: { $0.name == variable.name }) { out[i] = variable } else { out.append(variable) }
            }
            return out
        }
    }

    public init(
        name: String, run: String, needs: [String] = [], outputs: [Output] = [], inputs: [Input] = [],
        env: [EnvVar] = [], timeout: Double? = nil, retries: Int = 0, retryBackoff: Double = 1,
        foreach: ForEach = .item
    ) {
        self.name = name
        self.run = run
        self.needs = needs
        self.outputs = outputs
        self.inputs = inputs
        self.env = env
        self.timeout = timeout
        self.retries = retries
        self.retryBackoff = retryBackoff
        self.foreach = foreach
    }

    enum CodingKeys: String, CodingKey {
        case name, run, needs, outputs, inputs, env, timeout, retries, retryBackoff, foreach, stopSignal, code
        case resources, checkpoint, maxRestarts, metrics, version
    }

    /// Decodes a stored step; members added after a snapshot was written take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        run = try c.decode(String.self, forKey: .run)
        needs = try c.decodeIfPresent([String].self, forKey: .needs) ?? []
        outputs = try c.decodeIfPresent([Output].self, forKey: .outputs) ?? []
        inputs = try c.decodeIfPresent([Input].self, forKey: .inputs) ?? []
        env = try c.decodeIfPresent([EnvVar].self, forKey: .env) ?? []
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout)
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        retryBackoff = try c.decodeIfPresent(Double.self, forKey: .retryBackoff) ?? 1
        foreach = try c.decodeIfPresent(ForEach.self, forKey: .foreach) ?? .item
        stopSignal = try c.decodeIfPresent(String.self, forKey: .stopSignal) ?? "TERM"
        code = try c.decodeIfPresent([String].self, forKey: .code) ?? []
        resources = try c.decodeIfPresent(Resources.self, forKey: .resources) ?? Resources()
        checkpoint = try c.decodeIfPresent(Bool.self, forKey: .checkpoint) ?? false
        maxRestarts = try c.decodeIfPresent(Int.self, forKey: .maxRestarts) ?? 10
        metrics = try c.decodeIfPresent(MetricsSpec.self, forKey: .metrics)
        version = try c.decodeIfPresent(String.self, forKey: .version)
    }

    /// The steps this one depends on: `needs` plus steps whose outputs it takes as inputs.
    public var dependencies: [String] {
        var out = needs
        for input in inputs {
            if case .output(let step, _) = input.source, !out.contains(step) { out.append(step) }
        }
        return out
    }
}
