import Foundation

extension PipelineDecoder {
    // MARK: - Items

    /// Records and checks the name of an axis or param (it becomes a placeholder); returns its key path.
    mutating func placeholderName(_ entry: ConfigNode.Entry, section: String, kind: String) throws(PipelineError) -> String {
        let key = "\(section).\(entry.key)"
        mark(key, entry.line, entry.value.file)
        guard Self.isIdentifier(entry.key) else {
            throw fail(entry.value, key, "\(kind) name '\(entry.key)' must be an identifier (letters, digits, '_', not starting with a digit)")
        }
        guard !Placeholders.reserved.contains(entry.key) else {
            throw fail(entry.value, key, "'\(entry.key)' is a reserved placeholder name; rename the \(kind)")
        }
        return key
    }

    mutating func axes(_ node: ConfigNode) throws(PipelineError) -> [AxisSpec] {
        guard let entries = node.entries else { throw typeError(node, "items", "a mapping of axis names to axes") }
        guard !entries.isEmpty else { throw fail(node, "items", "no axes; declare at least one, e.g. `sample: {range: [0, 100]}`") }
        var out: [AxisSpec] = []
        for entry in entries {
            let key = try placeholderName(entry, section: "items", kind: "axis")
            out.append(AxisSpec(name: entry.key, source: try axisSource(entry.value, at: key)))
        }
        return out
    }

    mutating func axisSource(_ node: ConfigNode, at key: String) throws(PipelineError) -> AxisSpec.Source {
        if node.items != nil { return .list(try values(node, at: key)) }
        let e = try mapping(node, at: key, allowed: Self.axisKinds)
        guard e.count == 1, let (kind, value) = e.first else {
            throw fail(node, key, "an axis needs exactly one of \(Self.axisKinds.joined(separator: ", "))")
        }
        let sub = "\(key).\(kind)"
        switch kind {
        case "range":
            var bounds: [Int]
            if case .scalar = value.value {
                bounds = [0, try int(value, at: sub), 1]
            } else if let items = value.items {
                bounds = []
                for (i, n) in items.enumerated() { bounds.append(try int(n, at: "\(sub)[\(i)]")) }
                guard bounds.count == 2 || bounds.count == 3 else {
                    throw fail(value, sub, "give [start, stop] or [start, stop, step]")
                }
                if bounds.count == 2 { bounds.append(1) }
            } else {
                let r = try mapping(value, at: sub, allowed: ["start", "stop", "step"])
                guard let stop = r["stop"] else { throw fail(value, sub, "missing `stop` (the first value not included)") }
                bounds = [
                    try r["start"].map { n throws(PipelineError) in try int(n, at: "\(sub).start") } ?? 0,
                    try int(stop, at: "\(sub).stop"),
                    try r["step"].map { n throws(PipelineError) in try int(n, at: "\(sub).step") } ?? 1,
                ]
            }
            guard bounds[2] != 0 else { throw fail(value, sub, "step must not be 0") }
            return .range(start: bounds[0], stop: bounds[1], step: bounds[2])
        case "list":
            return .list(try values(value, at: sub))
        case "glob":
            return .glob(try string(value, at: sub))
        case "file":
            return .file(try string(value, at: sub))
        default:
            return .distribution(try distribution(kind, value, at: sub))
        }
    }

    func values(_ node: ConfigNode, at key: String) throws(PipelineError) -> [ItemValue] {
        guard let items = node.items else { throw typeError(node, key, "a list of values") }
        var out: [ItemValue] = []
        for (i, n) in items.enumerated() { out.append(try value(n, at: "\(key)[\(i)]")) }
        return out
    }

    /// One axis or param value: an integer, a number, a boolean (`true`/`false`) or a string.
    /// YAML 1.1's other booleans (`yes`, `no`, `on`, `off`) stay the strings written, and an
    /// integer too large for 64 bits is kept exactly as its digits (a string).
    func value(_ n: ConfigNode, at key: String) throws(PipelineError) -> ItemValue {
        guard case .scalar(let text, let kind) = n.value else { throw typeError(n, key, "a number, a boolean or a string") }
        switch kind {
        case .int: return Int(text).map(ItemValue.int) ?? .string(text)
        case .float:
            guard let d = Double(text.replacingOccurrences(of: "_", with: "")), d.isFinite else {
                throw fail(n, key, "'\(text)' is not a finite number; quote it to use it as a string")
            }
            return .double(d)
        case .bool:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return .string(text)
            }
        case .null: throw typeError(n, key, "a number, a boolean or a string (quote it to use it as a string)")
        case .string: return .string(text)
        }
    }

    /// `uniform: [a, b]`, `loguniform: [a, b]` (0 < a < b), `randint: [a, b]` (integers, both
    /// included) or `choice: [values…]`.
    func distribution(_ kind: String, _ node: ConfigNode, at key: String) throws(PipelineError) -> Distribution {
        if kind == "choice" {
            let values = try values(node, at: key)
            guard !values.isEmpty else { throw fail(node, key, "give at least one value to choose from") }
            return .choice(values)
        }
        guard let bounds = node.items, bounds.count == 2 else { throw fail(node, key, "give two bounds, [low, high]") }
        if kind == "randint" {
            let a = try int(bounds[0], at: "\(key)[0]"), b = try int(bounds[1], at: "\(key)[1]")
            guard a <= b else { throw fail(node, key, "low (\(a)) must not be above high (\(b))") }
            return .randint(a, b)
        }
        var numbers: [Double] = []
        for (i, n) in bounds.enumerated() {
            guard let d = try value(n, at: "\(key)[\(i)]").number else { throw typeError(n, "\(key)[\(i)]", "a number") }
            numbers.append(d)
        }
        let (a, b) = (numbers[0], numbers[1])
        guard a < b else { throw fail(node, key, "low (\(CanonicalJSON.format(a))) must be below high (\(CanonicalJSON.format(b)))") }
        if kind == "loguniform" {
            guard a > 0 else { throw fail(node, key, "loguniform bounds must be above 0 (low is \(CanonicalJSON.format(a)))") }
            return .loguniform(a, b)
        }
        return .uniform(a, b)
    }
}
