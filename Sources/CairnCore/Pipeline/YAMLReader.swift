import Foundation
import Yams

/// Reads YAML (or JSON, which YAML contains) text into a ``ConfigNode`` tree.
///
/// Pure: the caller reads the file. Aliases are expanded with a bound on the total number of
/// nodes, so an "alias bomb" fails with an error instead of exhausting memory.
public enum YAMLReader {
    /// The most nodes a pipeline file may expand to.
    public static let nodeLimit = 1_000_000

    /// Parses `text`; `file` is used in errors.
    public static func read(_ text: String, file: String) throws(PipelineError) -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw describe(error, file: file)
        } catch {
            throw PipelineError(file: file, line: nil, key: "", message: "cannot parse: \(error); fix the YAML syntax")
        }
        guard let root else {
            throw PipelineError(file: file, line: 1, key: "", message: "the file is empty; a pipeline needs at least `name`, `items` and `steps`")
        }
        var budget = nodeLimit
        return try convert(root, file: file, budget: &budget)
    }

    private static func convert(_ node: Node, file: String, budget: inout Int) throws(PipelineError) -> ConfigNode {
        budget -= 1
        let line = node.mark?.line ?? 1
        if budget < 0 {
            throw PipelineError(file: file, line: line, key: "", message: "the file expands to more than \(nodeLimit) values (YAML aliases?); simplify it")
        }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(.scalar(scalar.string, kind(of: scalar)), line: line)
        case .mapping(let mapping):
            var entries: [ConfigNode.Entry] = []
            var seen = Set<String>()
            for (key, value) in mapping {
                guard case .scalar(let k) = key else {
                    throw PipelineError(file: file, line: key.mark?.line ?? line, key: "", message: "mapping keys must be plain strings")
                }
                if !seen.insert(k.string).inserted {
                    throw PipelineError(file: file, line: key.mark?.line ?? line, key: k.string, message: "key appears twice in the same mapping; keep one")
                }
                entries.append(.init(key: k.string, line: key.mark?.line ?? line, value: try convert(value, file: file, budget: &budget)))
            }
            return ConfigNode(.mapping(entries), line: line)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for item in sequence { items.append(try convert(item, file: file, budget: &budget)) }
            return ConfigNode(.sequence(items), line: line)
        case .alias(let alias):
            throw PipelineError(file: file, line: alias.mark?.line ?? line, key: "", message: "unresolved YAML alias; define the anchor before using it")
        }
    }

    /// The kind of a scalar under the YAML core schema: quoted, block and explicitly tagged
    /// `!!str` scalars are strings; plain ones are null, a boolean, an integer or a float when
    /// they read as one. (Resolved here rather than through Yams's constructor, which is slow
    /// per scalar and made a large or alias-heavy file take minutes.)
    static func kind(of scalar: Node.Scalar) -> ConfigNode.ScalarKind {
        let tag = scalar.tag.description
        if tag.hasSuffix(":str") { return .string }
        if tag.hasSuffix(":int") { return Int(scalar.string) != nil ? .int : .string }
        if tag.hasSuffix(":float") { return .float }
        if tag.hasSuffix(":bool") { return .bool }
        if tag.hasSuffix(":null") { return .null }
        switch scalar.style {
        case .plain, .any: break
        default: return .string
        }
        return plainKind(scalar.string)
    }

    /// The kind of an unquoted scalar's text under the YAML core schema.
    public static func plainKind(_ text: String) -> ConfigNode.ScalarKind {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO",
            "on", "On", "ON", "off", "Off", "OFF":
            return .bool
        case ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", ".nan", ".NaN", ".NAN": return .float
        default: break
        }
        if Int(text) != nil { return .int }
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), Double(text.replacingOccurrences(of: "_", with: "")) != nil,
            text.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) ?? false
        {
            return .float
        }
        return .string
    }

    private static func describe(_ error: YamlError, file: String) -> PipelineError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return PipelineError(file: file, line: mark.line, key: "", message: "invalid YAML at column \(mark.column): \(problem); fix the syntax there")
        case .reader(let problem, _, _, _):
            return PipelineError(file: file, line: nil, key: "", message: "cannot read the text: \(problem); save the file as UTF-8")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PipelineError(file: file, line: context.mark.line, key: duplicates.joined(separator: ","), message: "key appears twice in the same mapping; keep one")
        default:
            return PipelineError(file: file, line: nil, key: "", message: "invalid YAML: \(error); fix the syntax")
        }
    }
}
