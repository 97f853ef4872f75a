import Foundation

/// A table of trials in a file — CSV with a header row, or a JSON or YAML list of objects —
/// as `cairn plan --save-trials` writes it and `trials: FILE` in a pipeline reads it. Each row
/// is one trial; each column an axis (a `#` column is ignored). Pure: the caller reads and
/// writes the bytes.
///
/// CSV cells are typed as YAML would type them unquoted (`1.0` a number, `true` a boolean,
/// `adam` a string); a quoted cell is always a string. Written CSV quotes the strings that
/// would otherwise read back as something else, so a saved table reads back identically.
public struct TrialsFile: Sendable, Equatable {
    /// Column names, in order.
    public var columns: [String]
    /// One value per column for each trial.
    public var rows: [[ItemValue]]

    public init(columns: [String], rows: [[ItemValue]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The format a path's extension names: `csv`, `json` or `yaml`; nil for anything else.
    public static func format(of path: String) -> String? {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return "csv" }
        if lower.hasSuffix(".json") { return "json" }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return "yaml" }
        return nil
    }

    /// Parses `text` read from `file`; errors name the file, line and column.
    public static func parse(_ text: String, file: String) throws(PipelineError) -> TrialsFile {
        let table = format(of: file) == "csv" ? try csv(text, file: file) : try list(text, file: file)
        guard !table.rows.isEmpty else {
            throw PipelineError(file: file, line: nil, key: "", message: "holds no trials; add at least one row")
        }
        return table
    }

    static func csv(_ text: String, file: String) throws(PipelineError) -> TrialsFile {
        let records = CSVReader.records(text)
        guard let header = records.first else {
            throw PipelineError(file: file, line: 1, key: "", message: "is empty; the first line names the columns, e.g. lr,batch")
        }
        let names = header.fields.map(\.text)
        try check(names, file: file, line: header.line)
        let decoder = PipelineDecoder(file: file)
        var rows: [[ItemValue]] = []
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                let missing = record.fields.count < names.count ? "; column '\(names[record.fields.count])' is missing" : ""
                throw PipelineError(file: file, line: record.line, key: "",
                                    message: "the row has \(record.fields.count) field(s), the header \(names.count)\(missing); give every column a value")
            }
            var row: [ItemValue] = []
            for (name, field) in zip(names, record.fields) where name != "#" {
                if field.quoted {
                    row.append(.string(field.text))
                } else {
                    let node = ConfigNode(.scalar(field.text, YAMLReader.plainKind(field.text)), line: record.line)
                    row.append(try decoder.value(node, at: name))
                }
            }
            rows.append(row)
        }
        return TrialsFile(columns: names.filter { $0 != "#" }, rows: rows)
    }

    static func list(_ text: String, file: String) throws(PipelineError) -> TrialsFile {
        let root = try YAMLReader.read(text, file: file)
        guard let items = root.items else {
            throw PipelineError(file: file, line: root.line, key: "", message: "expected a list of trials, each a mapping of axis names to values")
        }
        var names: [String] = []
        for item in items {
            guard let entries = item.entries else {
                throw PipelineError(file: file, line: item.line, key: "", message: "expected a mapping of axis names to values, found \(item.typeName)")
            }
            for e in entries where e.key != "#" && !names.contains(e.key) { names.append(e.key) }
        }
        try check(names, file: file, line: root.line)
        let decoder = PipelineDecoder(file: file)
        var rows: [[ItemValue]] = []
        for item in items {
            let entries = item.entries ?? []
            var row: [ItemValue] = []
            for name in names {
                guard let e = entries.first(where: { $0.key == name }) else {
                    throw PipelineError(file: file, line: item.line, key: name, message: "this trial has no '\(name)'; give every trial every column")
                }
                row.append(try decoder.value(e.value, at: name))
            }
            rows.append(row)
        }
        return TrialsFile(columns: names, rows: rows)
    }

    static func check(_ names: [String], file: String, line: Int) throws(PipelineError) {
        var seen = Set<String>()
        for name in names where name != "#" {
            guard PipelineDecoder.isIdentifier(name), !Placeholders.reserved.contains(name) else {
                throw PipelineError(file: file, line: line, key: name, message: "column '\(name)' is not a usable axis name (an identifier that is not a reserved placeholder); rename it")
            }
            guard seen.insert(name).inserted else {
                throw PipelineError(file: file, line: line, key: name, message: "column '\(name)' appears twice; keep one")
            }
        }
        guard !seen.isEmpty else { throw PipelineError(file: file, line: line, key: "", message: "has no columns; name at least one axis") }
    }

    // MARK: - Writing

    /// The table as `format` (`csv`, `json` or `yaml`), with a `#` column numbering the trials from 1.
    public func text(format: String) -> String {
        if format == "csv" {
            var out = (["#"] + columns).joined(separator: ",") + "\n"
            for (i, row) in rows.enumerated() {
                out += ([String(i + 1)] + row.map(Self.csvCell)).joined(separator: ",") + "\n"
            }
            return out
        }
        let lines = rows.enumerated().map { i, row -> String in
            var members: [String: CanonicalJSON] = ["#": .int(i + 1)]
            for (name, value) in zip(columns, row) { members[name] = value.json }
            return CanonicalJSON.object(members).text
        }
        if format == "json" { return "[\n" + lines.joined(separator: ",\n") + "\n]\n" }
        return lines.map { "- " + $0 }.joined(separator: "\n") + "\n"
    }

    /// A CSV cell that reads back as the same value.
    static func csvCell(_ value: ItemValue) -> String {
        let text = value.description
        var quote = text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) || text != text.trimmingCharacters(in: .whitespaces)
        if case .string = value, YAMLReader.plainKind(text) != .string { quote = true }
        return quote ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
