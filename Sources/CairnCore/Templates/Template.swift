/// A command or path template: literal text with `{name}` / `{name:spec}` placeholders and, in
/// path patterns, printf conversions such as `%05d`.
///
/// - `{{` and `}}` stand for literal braces.
/// - `${...}` is left alone for the shell.
/// - A brace whose content is not a placeholder name (such as `{ print $1 }`) is literal text.
/// - Printf conversions bind, in order, to the pipeline's axes in declaration order.
public struct Template: Sendable, Equatable {
    /// One piece of a template.
    public enum Part: Sendable, Equatable {
        case literal(String)
        case placeholder(name: String, spec: FormatSpec?)
        case printf(index: Int, spec: FormatSpec)
    }

    public let parts: [Part]
    public let text: String

    /// Parses `text`. With `printf` true, `%d`-style conversions are placeholders too.
    public init(_ text: String, printf: Bool = false) throws(TemplateError) {
        self.text = text
        var parts: [Part] = []
        var literal = ""
        let chars = Array(text)
        var i = 0
        var printfIndex = 0
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
        }
        while i < chars.count {
            let c = chars[i]
            if c == "{" {
                if i + 1 < chars.count, chars[i + 1] == "{" { literal.append("{"); i += 2; continue }
                if i > 0, chars[i - 1] == "$" { literal.append(c); i += 1; continue }
                if let close = chars[(i + 1)...].firstIndex(of: "}") {
                    let inner = String(chars[(i + 1)..<close])
                    let (name, specText) = Self.split(inner)
                    if Self.isPlaceholderName(name) {
                        flush()
                        let spec: FormatSpec? = specText == nil ? nil : try FormatSpec.parse(specText!)
                        parts.append(.placeholder(name: name, spec: spec))
                        i = close + 1
                        continue
                    }
                }
                literal.append(c)
                i += 1
            } else if c == "}" {
                literal.append("}")
                i += (i + 1 < chars.count && chars[i + 1] == "}") ? 2 : 1
            } else if printf, c == "%" {
                if i + 1 < chars.count, chars[i + 1] == "%" { literal.append("%"); i += 2; continue }
                var j = i + 1
                var spec = FormatSpec()
                while j < chars.count, "-+ 0#".contains(chars[j]) {
                    switch chars[j] {
                    case "-": spec.align = "<"
                    case "+", " ": spec.sign = chars[j]
                    case "0": if spec.align == nil { spec.fill = "0"; spec.align = "=" }
                    default: spec.alternate = true
                    }
                    j += 1
                }
                if spec.align == nil { spec.align = ">" }  // printf pads on the left unless '-'
                var digits = ""
                while j < chars.count, chars[j].isASCII, chars[j].isNumber { digits.append(chars[j]); j += 1 }
                spec.width = Int(digits) ?? 0
                if j < chars.count, chars[j] == "." {
                    j += 1
                    var p = ""
                    while j < chars.count, chars[j].isASCII, chars[j].isNumber { p.append(chars[j]); j += 1 }
                    spec.precision = Int(p) ?? 0
                }
                guard j < chars.count, "diuxXoeEfFgGs".contains(chars[j]) else {
                    throw TemplateError("'%' at position \(i + 1) starts no printf conversion; write %% for a literal percent sign")
                }
                let t = chars[j]
                spec.type = (t == "i" || t == "u") ? "d" : t
                if spec.fill == "0", t == "s" { spec.fill = " "; spec.align = ">" }
                flush()
                parts.append(.printf(index: printfIndex, spec: spec))
                printfIndex += 1
                i = j + 1
            } else {
                literal.append(c)
                i += 1
            }
        }
        flush()
        self.parts = parts
    }

    /// The placeholder names used, in order of first use.
    public var placeholderNames: [String] {
        var seen: [String] = []
        for case .placeholder(let name, _) in parts where !seen.contains(name) { seen.append(name) }
        return seen
    }

    /// How many printf conversions the template has.
    public var printfCount: Int {
        parts.reduce(0) { if case .printf = $1 { $0 + 1 } else { $0 } }
    }

    /// Renders the template. `lookup` gives a placeholder's value; printf conversions take
    /// `positional[index]`. With `shellQuote`, every substituted value is quoted for `/bin/sh`.
    public func render(
        shellQuote: Bool, positional: [ItemValue] = [], lookup: (String) -> PlaceholderValue?
    ) throws(TemplateError) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let s):
                out += s
            case .placeholder(let name, let spec):
                guard let value = lookup(name) else { throw TemplateError("placeholder {\(name)} has no value here") }
                switch value {
                case .value(let v):
                    let text = try spec.map { s throws(TemplateError) in try s.format(v) } ?? v.description
                    out += shellQuote ? ShellQuote.quote(text) : text
                case .list(let items):
                    out += items.map { shellQuote ? ShellQuote.quote($0) : $0 }.joined(separator: " ")
                }
            case .printf(let index, let spec):
                guard index < positional.count else {
                    throw TemplateError("printf conversion #\(index + 1) has no axis to bind to (the pipeline has \(positional.count))")
                }
                let text = try spec.format(positional[index])
                out += shellQuote ? ShellQuote.quote(text) : text
            }
        }
        return out
    }

    static func split(_ inner: String) -> (String, String?) {
        guard let colon = inner.firstIndex(of: ":") else { return (inner, nil) }
        return (String(inner[..<colon]), String(inner[inner.index(after: colon)...]))
    }

    static func isPlaceholderName(_ name: String) -> Bool {
        let pieces = name.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { return false }
        return pieces.allSatisfy { PipelineDecoder.isIdentifier(String($0)) }
    }
}

/// What a placeholder stands for when rendered.
public enum PlaceholderValue: Sendable {
    /// One value.
    case value(ItemValue)
    /// Several paths (an aggregate step's input), joined with spaces.
    case list([String])
}
