import Foundation

/// A Python format spec (`[[fill]align][sign][#][0][width][.precision][type]`), as in `{sample:05d}`.
///
/// Supported types: `d`, `x`, `X`, `o`, `b` (integers), `f`, `F`, `e`, `E`, `g`, `G`, `%`
/// (numbers; integers are converted), `s` (anything) and none.
public struct FormatSpec: Sendable, Equatable {
    public var fill: Character = " "
    public var align: Character?
    public var sign: Character = "-"
    public var alternate = false
    public var width = 0
    public var precision: Int?
    public var type: Character?

    public init() {}

    /// Parses a spec; the error text says what is wrong.
    public static func parse(_ text: String) throws(TemplateError) -> FormatSpec {
        var spec = FormatSpec()
        var chars = Array(text)[...]
        let aligns: Set<Character> = ["<", ">", "^", "="]
        if chars.count >= 2, aligns.contains(chars[chars.startIndex + 1]) {
            spec.fill = chars.removeFirst()
            spec.align = chars.removeFirst()
        } else if let c = chars.first, aligns.contains(c) {
            spec.align = chars.removeFirst()
        }
        if let c = chars.first, "+- ".contains(c) { spec.sign = chars.removeFirst() }
        if chars.first == "#" { spec.alternate = true; chars.removeFirst() }
        if chars.first == "0" {
            chars.removeFirst()
            if spec.align == nil { spec.fill = "0"; spec.align = "=" }
        }
        var digits = ""
        while let c = chars.first, c.isASCII, c.isNumber { digits.append(chars.removeFirst()) }
        spec.width = Int(digits) ?? 0
        if chars.first == "." {
            chars.removeFirst()
            var p = ""
            while let c = chars.first, c.isASCII, c.isNumber { p.append(chars.removeFirst()) }
            guard let precision = Int(p) else { throw TemplateError("format spec '\(text)' has '.' without a precision") }
            spec.precision = precision
        }
        if let c = chars.first {
            guard "dxXobfFeEgGs%".contains(c) else { throw TemplateError("format spec '\(text)' has unknown type '\(c)'") }
            spec.type = chars.removeFirst()
        }
        guard chars.isEmpty else { throw TemplateError("format spec '\(text)' is not understood; use Python's [[fill]align][sign][0][width][.precision][type]") }
        return spec
    }

    /// Formats a value, or throws when the type does not suit it (e.g. `d` for a string).
    public func format(_ value: ItemValue) throws(TemplateError) -> String {
        let body: String
        var numeric = true
        switch (value, type) {
        case (.string(let s), nil), (.string(let s), "s"):
            numeric = false
            body = precision.map { String(s.prefix($0)) } ?? s
        case (.string, _):
            throw TemplateError("format type '\(type!)' needs a number, but the value is the string '\(value)'")
        case (.bool, nil), (.bool, "s"):
            numeric = false
            body = precision.map { String(value.description.prefix($0)) } ?? value.description
        case (.bool, _):
            throw TemplateError("format type '\(type!)' needs a number, but the value is the boolean \(value)")
        case (.int(let i), nil), (.int(let i), "d"):
            body = signed(String(i.magnitude), negative: i < 0)
        case (.int(let i), "x"), (.int(let i), "X"), (.int(let i), "o"), (.int(let i), "b"):
            let radix = type == "o" ? 8 : type == "b" ? 2 : 16
            var digits = String(i.magnitude, radix: radix, uppercase: type == "X")
            if alternate { digits = "0" + String(type!) + digits }
            body = signed(digits, negative: i < 0)
        case (.int(let i), "s"):
            numeric = false
            body = String(i)
        case (.int(let i), _):
            body = try floating(Double(i))
        case (.double(let d), nil):
            body = precision == nil ? signed(CanonicalJSON.format(d.magnitude), negative: d < 0) : try floating(d)
        case (.double, "d"), (.double, "x"), (.double, "X"), (.double, "o"), (.double, "b"):
            throw TemplateError("format type '\(type!)' needs an integer, but the value is \(value)")
        case (.double(let d), "s"):
            numeric = false
            body = CanonicalJSON.format(d)
        case (.double(let d), _):
            body = try floating(d)
        }
        return pad(body, numeric: numeric)
    }

    private func signed(_ digits: String, negative: Bool) -> String {
        if negative { return "-" + digits }
        switch sign {
        case "+": return "+" + digits
        case " ": return " " + digits
        default: return digits
        }
    }

    private func floating(_ d: Double) throws(TemplateError) -> String {
        let p = precision ?? 6
        let t = type ?? "g"
        let text: String
        switch t {
        case "%": text = String(format: "%.\(p)f", d.magnitude * 100) + "%"
        case "f", "F", "e", "E", "g", "G": text = String(format: "%.\(p)\(t)", d.magnitude)
        default: throw TemplateError("format type '\(t)' does not apply to numbers")
        }
        return signed(text, negative: d < 0 || (d == 0 && d.sign == .minus))
    }

    private func pad(_ body: String, numeric: Bool) -> String {
        let missing = width - body.count
        guard missing > 0 else { return body }
        let padding = String(repeating: fill, count: missing)
        switch align ?? (numeric ? ">" : "<") {
        case "<": return body + padding
        case "^":
            let left = missing / 2
            return String(repeating: fill, count: left) + body + String(repeating: fill, count: missing - left)
        case "=":
            if let first = body.first, "+- ".contains(first) { return String(first) + padding + body.dropFirst() }
            return padding + body
        default: return padding + body
        }
    }
}

/// A problem in a template or format spec.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
