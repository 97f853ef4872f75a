/// Changes to a pipeline's axes and params given on the command line (`--set NAME=VALUE`,
/// `--max-trials N`), applied on top of the pipeline file or of a run's stored snapshot.
///
/// VALUE is YAML: a list gives an axis those values; a scalar gives an axis one value, or a
/// param its value; a mapping gives an axis any form the file accepts (`{range: [0, 10]}`,
/// `{uniform: [0, 1]}`, …). Stored with a run's snapshot, so a later `cairn resume` runs with
/// the same values. Pure.
public struct Overrides: Sendable, Codable, Equatable {
    /// One `--set`: a name and its YAML text, as given.
    public struct Setting: Sendable, Codable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// In the order given; a later setting of the same name replaces an earlier one.
    public var settings: [Setting] = []
    /// The sample count (`--max-trials`): a seeded random subset of this many trials.
    public var maxTrials: Int?

    public init(settings: [Setting] = [], maxTrials: Int? = nil) {
        self.settings = settings
        self.maxTrials = maxTrials
    }

    /// No change at all.
    public var isEmpty: Bool { settings.isEmpty && maxTrials == nil }

    /// Parses `NAME=VALUE` arguments; throws a one-line error naming the flag.
    public static func parse(_ arguments: [String], maxTrials: Int?) throws(PipelineError) -> Overrides {
        var out = Overrides(maxTrials: maxTrials)
        for argument in arguments {
            guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
                throw PipelineError(file: "--set \(argument)", line: nil, key: "",
                                    message: "give NAME=VALUE, e.g. --set lr=0.01 or --set 'x=[1, 2, 3]'")
            }
            out.set(Setting(name: String(argument[..<eq]), value: String(argument[argument.index(after: eq)...])))
        }
        if let maxTrials, maxTrials < 1 {
            throw PipelineError(file: "--max-trials \(maxTrials)", line: nil, key: "", message: "give a whole number of trials, 1 or more")
        }
        return out
    }

    /// Adds a setting, replacing an earlier one of the same name.
    public mutating func set(_ setting: Setting) {
        settings.removeAll { $0.name == setting.name }
        settings.append(setting)
    }

    /// These overrides followed by `later` (whose settings win).
    public func merged(with later: Overrides) -> Overrides {
        var out = self
        for s in later.settings { out.set(s) }
        if let m = later.maxTrials { out.maxTrials = m }
        return out
    }

    /// The spec with every setting applied. A name that is neither an axis nor a param, a
    /// list for a param, or a value the file would refuse is a one-line error naming the flag.
    public func apply(to given: PipelineSpec) throws(PipelineError) -> PipelineSpec {
        var spec = given
        for setting in settings {
            let flag = "--set \(setting.name)=\(setting.value)"
            let node: ConfigNode
            do { node = try YAMLReader.read(setting.value, file: flag) } catch {
                throw PipelineError(file: flag, line: nil, key: "", message: error.message)
            }
            var decoder = PipelineDecoder(file: flag)
            do throws(PipelineError) {
                if let a = spec.axes.firstIndex(where: { $0.name == setting.name }), let group = spec.axes[a].group {
                    // A column of a trials table: keep the rows whose value is one of those given.
                    let wanted: [ItemValue]
                    if case .scalar = node.value { wanted = [try decoder.value(node, at: setting.name)] } else {
                        guard node.items != nil else {
                            throw PipelineError(file: flag, line: nil, key: "", message: "'\(setting.name)' is a column of the trials file; give a value or a list of values to keep")
                        }
                        wanted = try decoder.values(node, at: setting.name)
                    }
                    spec.keepRows(of: group, where: a) { wanted.contains($0) }
                    if spec.axes[a].literalValues?.isEmpty ?? true {
                        throw PipelineError(file: flag, line: nil, key: "", message: "no trial of the trials file has \(setting.name) in \(wanted.map(\.description)); give values it has")
                    }
                } else if let a = spec.axes.firstIndex(where: { $0.name == setting.name }) {
                    if case .scalar = node.value {
                        spec.axes[a].source = .list([try decoder.value(node, at: setting.name)])
                    } else {
                        spec.axes[a].source = try decoder.axisSource(node, at: setting.name)
                    }
                } else if let p = spec.params.firstIndex(where: { $0.name == setting.name }) {
                    guard case .scalar = node.value else {
                        throw PipelineError(file: flag, line: nil, key: "",
                                            message: "'\(setting.name)' is a param (one value); give one value, or declare it under `items` to sweep it")
                    }
                    spec.params[p].value = try decoder.value(node, at: setting.name)
                } else {
                    let names = spec.axes.map(\.name) + spec.params.map(\.name)
                    let hint = Suggestion.hint(for: setting.name, in: names) { "'\($0)'" }
                    throw PipelineError(file: flag, line: nil, key: "",
                                        message: "no axis or param '\(setting.name)'\(hint); axes and params: \(names.joined(separator: ", "))")
                }
            } catch {
                throw PipelineError(file: flag, line: nil, key: "", message: error.message)
            }
        }
        if let maxTrials {
            spec.sample = SampleSpec(count: maxTrials, seed: spec.sample?.seed ?? spec.seed)
        }
        return spec
    }
}

extension PipelineSpec {
    /// Keeps the rows of a trials table (`column` axes of `group`) whose value in axis `axis`
    /// passes `keep`.
    mutating func keepRows(of group: String, where axis: Int, _ keep: (ItemValue) -> Bool) {
        guard case .column(_, let values) = axes[axis].source else { return }
        let rows = values.indices.filter { keep(values[$0]) }
        for i in axes.indices where axes[i].group == group {
            if case .column(let g, let column) = axes[i].source { axes[i].source = .column(group: g, values: rows.map { column[$0] }) }
        }
    }
}
