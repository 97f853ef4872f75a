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
    let codeBytes: [UInt8]
    let paramsBytes: [UInt8]
    let envBytes: [UInt8]
    let foreachBytes: [UInt8]
    let runBytes: [UInt8]
    let stepBytes: [UInt8]
    let versionBytes: [UInt8]
    let inputOrder: [(json: [UInt8], index: Int)]
    let outputOrder: [(json: [UInt8], index: Int)]
    let axisOrder: [(json: [UInt8], index: Int)]

    /// Prepares the writer for one step of a pipeline with these axes.
    public init(step: StepSpec, axes: [String], code: [(path: String, digest: Digest?)] = [], params: [(name: String, value: ItemValue)] = []) {
        codeBytes = Array((code.isEmpty ? "" : "\"code\":" + Self.fileTable(code) + ",").utf8)
        if params.isEmpty {
            paramsBytes = []
        } else {
            var text = ",\"params\":{"
            for (n, p) in params.sorted(by: { CanonicalJSON.codePointOrder($0.name, $1.name) }).enumerated() {
                if n > 0 { text += "," }
                CanonicalJSON.writeString(p.name, to: &text)
                text += ":"
                p.value.json.write(to: &text)
            }
            paramsBytes = Array((text + "}").utf8)
        }
        envBytes = Array(CanonicalJSON.array(step.env.map { .array([.string($0.name), .string($0.value)]) }).text.utf8)
        foreachBytes = Array(CanonicalJSON.string(step.foreach.rawValue).text.utf8)
        runBytes = Array(CanonicalJSON.string(step.run).text.utf8)
        stepBytes = Array(CanonicalJSON.string(step.name).text.utf8)
        versionBytes = Array((step.version.map { ",\"version\":" + CanonicalJSON.string($0).text } ?? "").utf8)
        func order(_ names: [String]) -> [(json: [UInt8], index: Int)] {
            names.enumerated().sorted { CanonicalJSON.codePointOrder($0.element, $1.element) }
                .map { (Array(CanonicalJSON.string($0.element).text.utf8), $0.offset) }
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
    public func json(values: ItemValues, seed: Int, outputs: OutputPaths, inputs: [[String]], needs: [Digest],
                     files: [(path: String, digest: Digest?)] = []) -> String {
        write(values: values, seed: seed, outputs: outputs, inputs: inputs, needs: needs, files: files).text
    }

    func write(values: ItemValues, seed: Int, outputs: OutputPaths, inputs: [[String]], needs: [Digest],
               files: [(path: String, digest: Digest?)]) -> JSONBytes {
        var out = JSONBytes(capacity: 256 + runBytes.count + needs.count * 67)
        out.raw(UInt8(ascii: "{"))
        out.raw(codeBytes)
        out.raw("\"env\":")
        out.raw(envBytes)
        if !files.isEmpty {
            out.raw(",\"files\":")
            out.raw(Self.fileTable(files))
        }
        out.raw(",\"foreach\":")
        out.raw(foreachBytes)
        out.raw(",\"inputs\":{")
        for n in inputOrder.indices {
            if n > 0 { out.raw(UInt8(ascii: ",")) }
            out.raw(inputOrder[n].json)
            let i = inputOrder[n].index
            out.raw(":[")
            for (p, path) in inputs[i].enumerated() {
                if p > 0 { out.raw(UInt8(ascii: ",")) }
                out.string(path)
            }
            out.raw(UInt8(ascii: "]"))
        }
        out.raw("},\"needs\":[")
        for (n, key) in needs.enumerated() {
            out.raw(n > 0 ? ",\"" : "\"")
            out.hex(key)
            out.raw(UInt8(ascii: "\""))
        }
        out.raw("],\"outputs\":{")
        for n in outputOrder.indices {
            if n > 0 { out.raw(UInt8(ascii: ",")) }
            out.raw(outputOrder[n].json)
            let i = outputOrder[n].index
            out.raw(UInt8(ascii: ":"))
            out.string(outputs[i])
        }
        out.raw(UInt8(ascii: "}"))
        out.raw(paramsBytes)
        out.raw(",\"run\":")
        out.raw(runBytes)
        out.raw(",\"seed\":")
        out.raw(String(seed))
        out.raw(",\"step\":")
        out.raw(stepBytes)
        out.raw(",\"v\":1,\"values\":{")
        for n in axisOrder.indices {
            if n > 0 { out.raw(UInt8(ascii: ",")) }
            out.raw(axisOrder[n].json)
            let i = axisOrder[n].index
            out.raw(UInt8(ascii: ":"))
            out.value(values[i])
        }
        out.raw(UInt8(ascii: "}"))
        out.raw(versionBytes)
        out.raw(UInt8(ascii: "}"))
        return out
    }

    /// The unit key: SHA-256 of ``json(values:seed:outputs:inputs:needs:files:)``.
    public func key(values: ItemValues, seed: Int, outputs: OutputPaths, inputs: [[String]], needs: [Digest],
                    files: [(path: String, digest: Digest?)] = []) -> Digest {
        write(values: values, seed: seed, outputs: outputs, inputs: inputs, needs: needs, files: files).digest
    }
}
