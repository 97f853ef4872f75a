/// One value of an axis or param: an integer, a number, a boolean or a string.
///
/// A value's identity is its case and payload: `1` (an integer) and `1.0` (a number) are
/// different values with different renderings (`1`, `1.0`), keys and seeds. Every persisted
/// form keeps that identity: canonical JSON writes numbers with Python's `repr` (`1.0`, `0.001`,
/// `1e-05`, `-0.0`), and the stored (`Codable`) form tags numbers so that a JSON reader cannot
/// turn `1.0` back into `1` (see ``init(from:)``).
public enum ItemValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)

    /// The value as canonical JSON.
    public var json: CanonicalJSON {
        switch self {
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .bool(let b): .bool(b)
        }
    }

    /// The plain text form: what `{axis}` renders without a format spec. Numbers use the
    /// shortest text that reads back as the same number (Python's `repr`), booleans `true`/`false`.
    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .double(let d): CanonicalJSON.format(d)
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        }
    }

    /// The value as a number, if it is one (integers and numbers; not booleans or strings).
    public var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        case .string, .bool: nil
        }
    }

    /// Equality of identity: `.double` compares bit patterns, so `-0.0` and `0.0` differ (they
    /// render differently) and a value always equals itself.
    public static func == (a: ItemValue, b: ItemValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): x == y
        case (.double(let x), .double(let y)): x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .int(let i): hasher.combine(0); hasher.combine(i)
        case .double(let d): hasher.combine(1); hasher.combine(d.bitPattern)
        case .string(let s): hasher.combine(2); hasher.combine(s)
        case .bool(let b): hasher.combine(3); hasher.combine(b)
        }
    }

    private enum Tag: String, CodingKey { case float }

    /// Reads the stored form: a JSON integer, `{"float": "1.0"}` (the number's `repr`), a
    /// boolean or a string. A bare JSON number with a fraction (written by Cairn before 0.2)
    /// reads as a number.
    public init(from decoder: any Decoder) throws {
        if let tagged = try? decoder.container(keyedBy: Tag.self), tagged.contains(.float) {
            let text = try tagged.decode(String.self, forKey: .float)
            guard let d = Double(text) else {
                throw DecodingError.dataCorruptedError(forKey: .float, in: tagged, debugDescription: "'\(text)' is not a number")
            }
            self = .double(d)
            return
        }
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.container(keyedBy: Tag.self)
            try c.encode(CanonicalJSON.format(d), forKey: .float)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        }
    }
}

extension ItemValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    /// `1` is `.int(1)` (declaring values in Swift: `pipeline.param("size", 64)`).
    public init(integerLiteral value: Int) { self = .int(value) }
    /// `1.0` is `.double(1.0)`: a number, never the integer 1.
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
