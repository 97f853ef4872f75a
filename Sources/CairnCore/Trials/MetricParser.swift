import Foundation

/// Reads metrics out of what a unit wrote. Pure: the caller reads the bytes.
public enum MetricParser {
    /// The numbers of a JSON object (`{"loss": 0.25, "acc": 0.9}`); other members are ignored.
    /// Throws a message when the text is not a JSON object.
    public static func json(_ data: [UInt8]) throws(MetricError) -> [Metric] {
        let members: [String: Number]
        do { members = try JSONDecoder().decode([String: Number].self, from: Data(data)) } catch {
            let isObject = data.first { !" \t\r\n".utf8.contains($0) } == UInt8(ascii: "{")
            throw MetricError(isObject ? "is not valid JSON; write an object of numbers such as {\"loss\": 0.25}"
                                       : "is not a JSON object; write an object of numbers such as {\"loss\": 0.25}")
        }
        return members.keys.sorted(by: CanonicalJSON.codePointOrder).compactMap { name in
            members[name]?.value.flatMap { $0.isFinite ? Metric(name: name, value: $0) : nil }
        }
    }

    /// A JSON member that is a number (nil for anything else: strings, booleans, objects).
    struct Number: Decodable {
        var value: Double?
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if (try? c.decode(Bool.self)) != nil { value = nil; return }
            value = try? c.decode(Double.self)
        }
    }

    /// `name: value` at the start of a line, or `name=value` anywhere in it (several per line);
    /// the last value of a name wins. Names are letters, digits, `_ - . /`.
    public static func log(_ text: Substring) -> [Metric] {
        var found: [String: Double] = [:]
        var order: [String] = []
        func record(_ name: Substring, _ value: Substring) {
            guard let d = Double(value), d.isFinite, !name.isEmpty else { return }
            let key = String(name)
            if found.updateValue(d, forKey: key) == nil { order.append(key) }
        }
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if let colon = trimmed.firstIndex(of: ":") {
                let name = trimmed[..<colon]
                if !name.isEmpty, name.allSatisfy(isNameCharacter) {
                    let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    record(name, Substring(value))
                    continue
                }
            }
            for token in trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == ";" }) {
                guard let eq = token.firstIndex(of: "=") else { continue }
                let name = token[..<eq]
                if name.allSatisfy(isNameCharacter) { record(name, token[token.index(after: eq)...]) }
            }
        }
        return order.map { Metric(name: $0, value: found[$0]!) }
    }

    /// The named groups of every match of `pattern` in `text`; the last match of a group wins.
    public static func pattern(_ pattern: String, _ text: Substring) throws(MetricError) -> [Metric] {
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch { throw MetricError("pattern '\(pattern)' is not a regular expression: \(error)") }
        let names = groupNames(pattern)
        var found: [String: Double] = [:]
        for match in text.matches(of: regex) {
            for name in names {
                guard let captured = match.output[name]?.substring, let d = Double(captured), d.isFinite else { continue }
                found[name] = d
            }
        }
        return names.compactMap { n in found[n].map { Metric(name: n, value: $0) } }
    }

    /// The names of `(?<name>…)` groups, in order; checks the pattern compiles.
    public static func groupNames(_ pattern: String) -> [String] {
        var names: [String] = []
        var rest = Substring(pattern)
        while let open = rest.range(of: "(?<") {
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: ">") else { break }
            let name = String(after[..<close])
            if !name.isEmpty, !name.hasPrefix("="), !name.hasPrefix("!"), !names.contains(name) { names.append(name) }
            rest = after[close...]
        }
        return names
    }

    static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "_-./".contains(c))
    }
}

/// Why a unit's metrics could not be read.
public struct MetricError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
