/// Writes the canonical JSON a unit key hashes, quickly: the members that are the same for
/// every unit of a step are encoded once.
///
/// The text is exactly ``CanonicalJSON`` of this object (keys in code-point order):
///
/// ```
/// {"code": {PATH: SHA256_HEX|null}, "env": [[NAME, TEMPLATE], ...],
///  "files": {PATH: SHA256_HEX|null}, "foreach": "item"|"once", "inputs": {NAME: [PATH, ...]},
///  "needs": [KEY_HEX, ...], "outputs": {NAME: PATH}, "params": {NAME: VALUE},
///  "run": TEMPLATE, "seed": SEED, "step": NAME, "v": 1, "values": {AXIS: VALUE},
///  "version": VERSION}
/// ```
///
/// `code` (the step's code files), `files` (the unit's inputs that no step produces),
/// `params` (the params its templates use) and `version` (an in-process step's declared
/// version) appear only when not empty or set, so adding them to the format left every earlier
/// key unchanged.
public struct UnitKeyWriter: Sendable {
    let codeText: String
    let paramsText: String
    let envText: String
    let foreachText: String
    let runText: String
    let stepText: String
    let versionText: String
    let inputOrder: [(json: String, index: Int)]
    let outputOrder: [(json: String, index: Int)]
    let axisOrder: [(json: String, index: Int)]

    /// Prepares the writer for one step of a pipeline with these axes.
    public init(step: StepSpec, axes: [String], code: [(path: String, digest: Digest?)] = [], params: [(name: String, value: ItemValue)] = []) {
        codeText = code.isEmpty ? "" : "\"code\":" + Self.fileTable(code) + ","
        if params.isEmpty {
            paramsText = ""
        } else {
            var text = ",\"params\":{"
            for (n, p) in params.sorted(by: { CanonicalJSON.codePointOrder($0.name, $1.name) }).enumerated() {
                if n > 0 { text += "," }
                CanonicalJSON.writeString(p.name, to: &text)
                text += ":"
                p.value.json.write(to: &text)
            }
            paramsText = text + "}"
        }
        envText = CanonicalJSON.array(step.env.map { .array([.string($0.name), .string($0.value)]) }).text
        foreachText = CanonicalJSON.string(step.foreach.rawValue).text
        runText = CanonicalJSON.string(step.run).text
        stepText = CanonicalJSON.string(step.name).text
        versionText = step.version.map { ",\"version\":" + CanonicalJSON.string($0).text } ?? ""
        func order(_ names: [String]) -> [(json: String, index: Int)] {
            names.enumerated().sorted { CanonicalJSON.codePointOrder($0.element, $1.element) }
                .map { (CanonicalJSON.string($0.element).text, $0.offset) }
        }
        inputOrder = order(step.inputs.map(\.name))
        outputOrder = order(step.outputs.map(\.name))
        axisOrder = step.foreach == .item ? order(axes) : []
    }

    /// `{PATH: HEX|null}` in code-point order of the paths.
    static func fileTable(_ files: [(path: String, digest: Digest?)]) -> String {
        var text = "{"
        for (n, f) in files.sorted(by: { CanonicalJSON.codePointOrder($0.path, $1.path) }).enumerated() {
            if n > 0 { text += "," }
            CanonicalJSON.writeString(f.path, to: &text)
            text += f.digest.map { ":\"\($0.hex)\"" } ?? ":null"
        }
        return text + "}"
    }

    /// The canonical JSON of a unit.
    public func json(values: [ItemValue], seed: Int, outputs: [String], inputs: [[String]], needs: [Digest],
                     files: [(path: String, digest: Digest?)] = []) -> String {
        var out = "{"
        out.reserveCapacity(256 + needs.count * 67)
        out += codeText
        out += "\"env\":"
        out += envText
        if !files.isEmpty {
            out += ",\"files\":"
            out += Self.fileTable(files)
        }
        out += ",\"foreach\":"
        out += foreachText
        out += ",\"inputs\":{"
        for (n, (name, i)) in inputOrder.enumerated() {
            if n > 0 { out += "," }
            out += name
            out += ":["
            for (p, path) in inputs[i].enumerated() {
                if p > 0 { out += "," }
                CanonicalJSON.writeString(path, to: &out)
            }
            out += "]"
        }
        out += "},\"needs\":["
        for (n, key) in needs.enumerated() {
            out += n > 0 ? ",\"" : "\""
            out += key.hex
            out += "\""
        }
        out += "],\"outputs\":{"
        for (n, (name, i)) in outputOrder.enumerated() {
            if n > 0 { out += "," }
            out += name
            out += ":"
            CanonicalJSON.writeString(outputs[i], to: &out)
        }
        out += "}"
        out += paramsText
        out += ",\"run\":"
        out += runText
        out += ",\"seed\":"
        out += String(seed)
        out += ",\"step\":"
        out += stepText
        out += ",\"v\":1,\"values\":{"
        for (n, (name, i)) in axisOrder.enumerated() {
            if n > 0 { out += "," }
            out += name
            out += ":"
            values[i].json.write(to: &out)
        }
        out += "}"
        out += versionText
        out += "}"
        return out
    }

    /// The unit key: SHA-256 of ``json(values:seed:outputs:inputs:needs:files:)``.
    public func key(values: [ItemValue], seed: Int, outputs: [String], inputs: [[String]], needs: [Digest],
                    files: [(path: String, digest: Digest?)] = []) -> Digest {
        Digest(of: json(values: values, seed: seed, outputs: outputs, inputs: inputs, needs: needs, files: files))
    }
}
