/// A JSON value with a canonical text form, used for everything Cairn hashes or persists.
///
/// The canonical form is byte-for-byte what Python prints with
/// `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`:
/// object keys sorted by code point, no white space, strings escaped minimally.
/// `Dictionary` and `Hasher` order are randomized per process, so nothing persisted may depend on them.
public indirect enum CanonicalJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    /// The canonical text.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Appends the canonical text to `out`.
    public func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += CanonicalJSON.format(d)
        case .string(let s): CanonicalJSON.writeString(s, to: &out)
        case .array(let values):
            out += "["
            for (i, v) in values.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, key) in members.keys.sorted(by: CanonicalJSON.codePointOrder).enumerated() {
                if i > 0 { out += "," }
                CanonicalJSON.writeString(key, to: &out)
                out += ":"
                members[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    /// Orders strings by Unicode code point, as Python's `sorted` does.
    public static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Formats a double the way Python's `repr` does (shortest round-trip digits).
    public static func format(_ d: Double) -> String {
        d.description
    }

    /// Writes a JSON string literal with Python's minimal escaping.
    public static func writeString(_ s: String, to out: inout String) {
        out += "\""
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
