import Foundation

/// Decodes a ``ConfigNode`` tree into a ``PipelineSpec``, rejecting unknown keys and wrong
/// types with one-line errors that name file, line and key.
public struct PipelineDecoder {
    let file: String
    var lines: [String: Int] = [:]
    /// Keys that come from another file (an `extends` parent), with that file.
    var sources: [String: String] = [:]

    mutating func mark(_ key: String, _ line: Int, _ source: String?) {
        lines[key] = line
        if let source { sources[key] = source } else { sources[key] = nil }
    }

    static let topKeys = ["name", "seed", "params", "items", "trials", "optimizer", "sample", "steps", "description", "extends", "runnable",
                          "env", "jobs", "defaults"]
    /// The step keys `defaults` may set for every step.
    static let defaultKeys = ["retries", "retry_backoff", "timeout", "resources", "stop_signal"]
    static let stepKeys = [
        "name", "run", "needs", "outputs", "inputs", "env", "timeout", "retries", "retry_backoff",
        "foreach", "stop_signal", "code", "resources", "checkpoint", "max_restarts", "description", "metrics",
    ]
    static let axisKinds = ["range", "list", "glob", "file"] + Distribution.kinds

    /// Parses pipeline text (YAML or JSON) read from `file`.
    public static func decode(text: String, file: String) throws(PipelineError) -> PipelineSpec {
        try decode(root: try YAMLReader.read(text, file: file), file: file)
    }

    /// Decodes a parsed (and possibly merged, see ``ConfigMerge``) pipeline tree.
    public static func decode(root: ConfigNode, file: String) throws(PipelineError) -> PipelineSpec {
        var decoder = PipelineDecoder(file: file)
        return try decoder.pipeline(root)
    }

    mutating func pipeline(_ root: ConfigNode) throws(PipelineError) -> PipelineSpec {
        let entries = try mapping(root, at: "", allowed: Self.topKeys)
        for entry in root.entries ?? [] { mark(entry.key, entry.line, entry.value.file) }
        guard let nameNode = entries["name"] else {
            throw fail(root, "", "missing `name`; add `name: my-pipeline` at the top")
        }
        let name = try string(nameNode, at: "name")
        guard Self.isSafeName(name) else {
            throw fail(nameNode, "name", "'\(name)' is not a valid pipeline name; use letters, digits, '-', '_' and '.' only")
        }
        let seed = try entries["seed"].map { n throws(PipelineError) in try int(n, at: "seed") } ?? 0
        let trialsFile = try entries["trials"].map { n throws(PipelineError) in try string(n, at: "trials") }
        let axes: [AxisSpec]
        if let itemsNode = entries["items"] {
            axes = try self.axes(itemsNode)
        } else if trialsFile != nil {
            axes = []
        } else {
            throw fail(root, "", "missing `items`; declare at least one axis, e.g. `items: {sample: {range: [0, 100]}}`, or `trials: trials.csv`")
        }
        var params: [PipelineSpec.Param] = []
        if let p = entries["params"] {
            guard let entries = p.entries else { throw typeError(p, "params", "a mapping of names to values") }
            for entry in entries {
                let key = try placeholderName(entry, section: "params", kind: "param")
                if axes.contains(where: { $0.name == entry.key }) {
                    throw fail(entry.value, key, "'\(entry.key)' is also an axis; a name is either a param or an axis")
                }
                params.append(.init(name: entry.key, value: try value(entry.value, at: key)))
            }
        }
        var sample: SampleSpec?
        if let s = entries["sample"] {
            let e = try mapping(s, at: "sample", allowed: ["count", "seed"])
            guard let c = e["count"] else { throw fail(s, "sample", "missing `count`; say how many items to take") }
            let count = try int(c, at: "sample.count")
            guard count >= 0 else { throw fail(c, "sample.count", "must be zero or more") }
            let sampleSeed = try e["seed"].map { n throws(PipelineError) in try int(n, at: "sample.seed") } ?? seed
            sample = SampleSpec(count: count, seed: sampleSeed)
        }
        guard let stepsNode = entries["steps"] else {
            throw fail(root, "", "missing `steps`; add a list of steps, each with `name` and `run`")
        }
        // Pipeline-wide settings, under each step's own: `defaults` for the step keys it names,
        // `env` merged under each step's `env` (the step's value wins).
        var template = StepSpec(name: "", run: "")
        if let d = entries["defaults"] {
            let e = try mapping(d, at: "defaults", allowed: Self.defaultKeys)
            for entry in d.entries ?? [] { mark("defaults.\(entry.key)", entry.line, entry.value.file) }
            try settings(e, at: "defaults", into: &template)
        }
        if let n = entries["env"] { template.env = try env(n, at: "env") }
        let steps = try self.steps(stepsNode, template: template)
        var spec = PipelineSpec(name: name, seed: seed, axes: axes, sample: sample, steps: steps, file: file, lines: lines)
        spec.params = params
        spec.sources = sources
        spec.trialsFile = trialsFile
        if let o = entries["optimizer"] {
            let e = try mapping(o, at: "optimizer", allowed: ["run", "trials", "batch"])
            guard let run = e["run"], let trials = e["trials"] else {
                throw fail(o, "optimizer", "give `run` (the command that proposes trials) and `trials` (how many in all)")
            }
            let spec2 = OptimizerSpec(run: try string(run, at: "optimizer.run"), trials: try int(trials, at: "optimizer.trials"),
                                      batch: try e["batch"].map { n throws(PipelineError) in try int(n, at: "optimizer.batch") } ?? 1)
            guard spec2.trials >= 1 else { throw fail(trials, "optimizer.trials", "must be 1 or more") }
            guard spec2.batch >= 1 else { throw fail(e["batch"]!, "optimizer.batch", "must be 1 or more") }
            guard entries["items"] != nil else { throw fail(o, "optimizer", "declare the search space under `items` (one axis per value the optimizer proposes)") }
            if let other = entries["sample"] ?? entries["trials"] {
                throw fail(other, entries["sample"] != nil ? "sample" : "trials", "the optimizer proposes the trials; remove this key or the optimizer")
            }
            spec.optimizer = spec2
        }
        if let j = entries["jobs"] {
            let jobs = try int(j, at: "jobs")
            guard jobs >= 1 else { throw fail(j, "jobs", "must be 1 or more (units at once when `-j` is not given)") }
            spec.jobs = jobs
        }
        spec.env = template.env
        if let r = entries["runnable"] {
            guard let runnable = r.boolValue else { throw typeError(r, "runnable", "true or false") }
            spec.runnable = runnable
        }
        return spec
    }

    // MARK: - Steps

    mutating func steps(_ node: ConfigNode, template: StepSpec) throws(PipelineError) -> [StepSpec] {
        var bodies: [(String?, ConfigNode, Int)] = []
        if let items = node.items {
            bodies = items.map { (nil, $0, $0.line) }
        } else if let entries = node.entries {
            bodies = entries.map { ($0.key, $0.value, $0.line) }
        } else {
            throw typeError(node, "steps", "a list of steps")
        }
        guard !bodies.isEmpty else { throw fail(node, "steps", "no steps; add at least one with `name` and `run`") }
        var out: [StepSpec] = []
        for (index, (givenName, body, line)) in bodies.enumerated() {
            out.append(try step(body, index: index, givenName: givenName, line: line, template: template))
        }
        return out
    }

    /// A step, starting from `template` (the pipeline's `defaults` and `env`).
    mutating func step(_ node: ConfigNode, index: Int, givenName: String?, line: Int, template: StepSpec) throws(PipelineError) -> StepSpec {
        let e = try mapping(node, at: "steps[\(index)]", allowed: Self.stepKeys)
        let name: String
        if let givenName {
            name = givenName
        } else {
            guard let n = e["name"] else { throw fail(node, "steps[\(index)]", "missing `name`; every step needs a name") }
            name = try string(n, at: "steps[\(index)].name")
        }
        let key = "steps.\(name)"
        mark(key, line, node.file)
        guard Self.isSafeName(name) else {
            throw fail(node, key, "step name '\(name)' may use letters, digits, '-', '_' and '.' only")
        }
        for entry in node.entries ?? [] { mark("\(key).\(entry.key)", entry.line, entry.value.file) }
        guard let runNode = e["run"] else { throw fail(node, key, "missing `run`; give the shell command to run") }
        var step = template
        step.name = name
        step.run = try string(runNode, at: "\(key).run")
        if let n = e["needs"] {
            if case .scalar = n.value {
                step.needs = [try string(n, at: "\(key).needs")]
            } else {
                guard let items = n.items else { throw typeError(n, "\(key).needs", "a step name or a list of step names") }
                for (i, item) in items.enumerated() { step.needs.append(try string(item, at: "\(key).needs[\(i)]")) }
            }
        }
        if let n = e["outputs"] {
            guard let entries = n.entries else { throw typeError(n, "\(key).outputs", "a mapping of output names to path patterns") }
            for entry in entries {
                let sub = "\(key).outputs.\(entry.key)"
                mark(sub, entry.line, entry.value.file)
                guard Self.isIdentifier(entry.key) else { throw fail(entry.value, sub, "output name must be an identifier") }
                if entry.value.entries != nil {
                    let o = try mapping(entry.value, at: sub, allowed: ["path", "temp"])
                    guard let path = o["path"] else { throw fail(entry.value, sub, "missing `path`; give the output's path pattern") }
                    var temp = false
                    if let t = o["temp"] {
                        guard let value = t.boolValue else { throw typeError(t, "\(sub).temp", "true or false") }
                        temp = value
                    }
                    step.outputs.append(.init(name: entry.key, pattern: try string(path, at: "\(sub).path"), temp: temp))
                } else {
                    step.outputs.append(.init(name: entry.key, pattern: try string(entry.value, at: sub)))
                }
            }
        }
        if let n = e["inputs"] {
            guard let entries = n.entries else { throw typeError(n, "\(key).inputs", "a mapping of input names to path patterns or {from: step.output}") }
            for entry in entries {
                let sub = "\(key).inputs.\(entry.key)"
                mark(sub, entry.line, entry.value.file)
                guard Self.isIdentifier(entry.key) else { throw fail(entry.value, sub, "input name must be an identifier") }
                if entry.value.entries != nil {
                    let f = try mapping(entry.value, at: sub, allowed: ["from"])
                    guard let from = f["from"] else { throw fail(entry.value, sub, "missing `from: step.output`") }
                    let ref = try string(from, at: "\(sub).from")
                    let parts = ref.split(separator: ".", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else {
                        throw fail(from, "\(sub).from", "'\(ref)' must name a step and one of its outputs, like `render.image`")
                    }
                    step.inputs.append(.init(name: entry.key, source: .output(step: parts[0], output: parts[1])))
                } else {
                    step.inputs.append(.init(name: entry.key, source: .path(try string(entry.value, at: sub))))
                }
            }
        }
        if let n = e["env"] { step.env = StepSpec.EnvVar.merged(try env(n, at: "\(key).env"), over: step.env) }
        if let n = e["code"] {
            if case .scalar = n.value {
                step.code = [try string(n, at: "\(key).code")]
            } else {
                guard let items = n.items else { throw typeError(n, "\(key).code", "a path or a list of paths (globs allowed)") }
                for (i, item) in items.enumerated() { step.code.append(try string(item, at: "\(key).code[\(i)]")) }
            }
        }
        if let n = e["checkpoint"] {
            guard let value = n.boolValue else { throw typeError(n, "\(key).checkpoint", "true or false") }
            step.checkpoint = value
        }
        if let n = e["max_restarts"] {
            step.maxRestarts = try int(n, at: "\(key).max_restarts")
            guard step.maxRestarts >= 0 else { throw fail(n, "\(key).max_restarts", "must be zero or more") }
        }
        try settings(e, at: key, into: &step)
        if let n = e["metrics"] { step.metrics = try metrics(n, at: "\(key).metrics", step: step) }
        if let n = e["foreach"] {
            let text = try string(n, at: "\(key).foreach")
            guard let mode = StepSpec.ForEach(rawValue: text) else {
                throw fail(n, "\(key).foreach", "'\(text)' is not `item` or `once`")
            }
            step.foreach = mode
        }
        return step
    }

    /// An `env` mapping (a step's or the pipeline's): names and values, in file order.
    mutating func env(_ n: ConfigNode, at key: String) throws(PipelineError) -> [StepSpec.EnvVar] {
        guard let entries = n.entries else { throw typeError(n, key, "a mapping of variable names to values") }
        var out: [StepSpec.EnvVar] = []
        for entry in entries {
            let sub = "\(key).\(entry.key)"
            mark(sub, entry.line, entry.value.file)
            guard Self.isIdentifier(entry.key) else {
                throw fail(entry.value, sub, "'\(entry.key)' is not a valid environment variable name")
            }
            guard case .scalar(let text, let kind) = entry.value.value, kind != .null else {
                throw typeError(entry.value, sub, "a string or a number")
            }
            out.append(.init(name: entry.key, value: text))
        }
        return out
    }

    /// The keys a step and the pipeline's `defaults` share (`resources`, `timeout`, `retries`,
    /// `retry_backoff`, `stop_signal`), decoded from `e` (the mapping at `key`) over what `step`
    /// already holds: a `resources` mapping sets only the resources it names.
    func settings(_ e: [String: ConfigNode], at key: String, into step: inout StepSpec) throws(PipelineError) {
        if let n = e["resources"] {
            let r = try mapping(n, at: "\(key).resources", allowed: ["cpus", "memory", "gpus", "time"])
            if let c = r["cpus"] {
                step.resources.cpus = try int(c, at: "\(key).resources.cpus")
                guard step.resources.cpus >= 1 else { throw fail(c, "\(key).resources.cpus", "must be 1 or more") }
            }
            if let g = r["gpus"] {
                step.resources.gpus = try int(g, at: "\(key).resources.gpus")
                guard step.resources.gpus >= 0 else { throw fail(g, "\(key).resources.gpus", "must be 0 or more") }
            }
            if let m = r["memory"] {
                guard case .scalar(let text, let kind) = m.value, kind != .null, let mb = Self.parseMemory(text) else {
                    throw typeError(m, "\(key).resources.memory", "a size such as 512M, 4G or 1T (a plain number is MiB)")
                }
                step.resources.memoryMB = mb
            }
            if let t = r["time"] { step.resources.time = try duration(t, at: "\(key).resources.time") }
        }
        if let n = e["timeout"] { step.timeout = try duration(n, at: "\(key).timeout") }
        if let n = e["retries"] {
            step.retries = try int(n, at: "\(key).retries")
            guard step.retries >= 0 else { throw fail(n, "\(key).retries", "must be zero or more") }
        }
        if let n = e["retry_backoff"] { step.retryBackoff = try duration(n, at: "\(key).retry_backoff") }
        if let n = e["stop_signal"] {
            var name = try string(n, at: "\(key).stop_signal").uppercased()
            if name.hasPrefix("SIG") { name = String(name.dropFirst(3)) }
            guard StepSpec.stopSignals.contains(name) else {
                throw fail(n, "\(key).stop_signal", "'\(name)' is not one of \(StepSpec.stopSignals.joined(separator: ", "))")
            }
            step.stopSignal = name
        }
    }

    /// `metrics: log`, `metrics: {file: out.NAME | PATH}` or `metrics: {pattern: REGEX}`.
    func metrics(_ node: ConfigNode, at key: String, step: StepSpec) throws(PipelineError) -> MetricsSpec {
        if case .scalar(let text, .string) = node.value {
            guard text == "log" else { throw fail(node, key, "'\(text)' is not `log`, `{file: out.NAME}` or `{pattern: REGEX}`") }
            return .log
        }
        let m = try mapping(node, at: key, allowed: ["file", "pattern"])
        guard m.count == 1, let (kind, value) = m.first else {
            throw fail(node, key, "give one of `file` (a JSON object of numbers the unit writes) or `pattern` (a regex with named groups)")
        }
        let text = try string(value, at: "\(key).\(kind)")
        if kind == "file" {
            if text.hasPrefix("out.") {
                let name = String(text.dropFirst(4))
                guard step.outputs.contains(where: { $0.name == name }) else {
                    let hint = Suggestion.hint(for: name, in: step.outputs.map(\.name)) { "out.\($0)" }
                    throw fail(value, "\(key).file", "'\(text)' names no output of step \(step.name)\(hint)")
                }
            }
            return .file(text)
        }
        do { _ = try Regex(text) } catch {
            throw fail(value, "\(key).pattern", "'\(text)' is not a regular expression (\(error)); fix it")
        }
        guard !MetricParser.groupNames(text).isEmpty else {
            throw fail(value, "\(key).pattern", "'\(text)' has no named group; name each metric, e.g. 'loss=(?<loss>\\S+)'")
        }
        return .pattern(text)
    }

    // MARK: - Scalars

    func mapping(_ node: ConfigNode, at key: String, allowed: [String]) throws(PipelineError) -> [String: ConfigNode] {
        guard let entries = node.entries else { throw typeError(node, key.isEmpty ? "(top level)" : key, "a mapping") }
        var out: [String: ConfigNode] = [:]
        for entry in entries {
            guard allowed.contains(entry.key) else {
                let path = key.isEmpty ? entry.key : "\(key).\(entry.key)"
                let hint = Suggestion.hint(for: entry.key, in: allowed) { "'\($0)'" }
                throw PipelineError(
                    file: file, line: entry.line, key: path,
                    message: "unknown key '\(entry.key)'\(hint); allowed here: \(allowed.joined(separator: ", "))")
            }
            out[entry.key] = entry.value
        }
        return out
    }

    func string(_ node: ConfigNode, at key: String) throws(PipelineError) -> String {
        guard case .scalar(let text, let kind) = node.value, kind != .null else { throw typeError(node, key, "a string") }
        return text
    }

    func int(_ node: ConfigNode, at key: String) throws(PipelineError) -> Int {
        guard case .scalar(let text, .int) = node.value, let value = Int(text) else {
            throw typeError(node, key, "an integer")
        }
        return value
    }

    func duration(_ node: ConfigNode, at key: String) throws(PipelineError) -> Double {
        guard case .scalar(let text, let kind) = node.value, kind != .null, kind != .bool,
            let seconds = Duration.parseSeconds(text), seconds >= 0
        else {
            throw fail(node, key, "expected a duration such as 30, 30s, 5m, 2h or 1h30m")
        }
        return seconds
    }

    func typeError(_ node: ConfigNode, _ key: String, _ expected: String) -> PipelineError {
        PipelineError(file: node.file ?? file, line: node.line, key: key, message: "expected \(expected), found \(node.typeName)")
    }

    func fail(_ node: ConfigNode, _ key: String, _ message: String) -> PipelineError {
        PipelineError(file: node.file ?? file, line: node.line, key: key, message: message)
    }

    /// MiB from `512`, `512M`, `4G`, `1T` (also `4GB`, `4Gi`); nil if not a size.
    public static func parseMemory(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where t.hasSuffix(suffix) && t.count > suffix.count { t.removeLast(suffix.count) }
        let scale: Double
        switch t.last {
        case "K": scale = 1.0 / 1024; t.removeLast()
        case "M": scale = 1; t.removeLast()
        case "G": scale = 1024; t.removeLast()
        case "T": scale = 1024 * 1024; t.removeLast()
        default: scale = 1
        }
        guard let v = Double(t), v > 0, v.isFinite else { return nil }
        return max(1, Int((v * scale).rounded(.up)))
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    static func isSafeName(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".." && s.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
        }
    }
}

extension Duration {
    /// Parses `90`, `1.5`, `30s`, `500ms`, `5m`, `2h`, `1d` or combinations like `1h30m` into seconds.
    public static func parseSeconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let plain = Double(t) { return plain }
        var total = 0.0
        var number = ""
        var chars = Array(t)
        var i = 0
        guard !chars.isEmpty else { return nil }
        chars.append(" ")
        while i < chars.count - 1 {
            let c = chars[i]
            if c.isNumber || c == "." {
                number.append(c)
                i += 1
                continue
            }
            guard let value = Double(number) else { return nil }
            number = ""
            if c == "m" && chars[i + 1] == "s" {
                total += value / 1000
                i += 2
                continue
            }
            switch c {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            default: return nil
            }
            i += 1
        }
        return number.isEmpty ? total : nil
    }
}
