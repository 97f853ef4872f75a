/// A problem with a pipeline file: one line naming the file, line and key, what is wrong and
/// what to do. The command line exits with code 2 on these.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pipeline file.
    public var file: String
    /// 1-based line, or nil when the problem has no single place.
    public var line: Int?
    /// Dotted key path, e.g. `steps.render.outputs.image`.
    public var key: String
    /// What is wrong and what to do.
    public var message: String

    public init(file: String, line: Int?, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        let flat = message.replacingNewlines()
        return key.isEmpty ? "\(place): \(flat)" : "\(place): \(key): \(flat)"
    }
}

extension String {
    /// The string with line breaks shown as `\n`, so a message stays on one line.
    func replacingNewlines() -> String {
        var out = ""
        for c in self {
            if c == "\n" { out += "\\n" } else if c == "\r" { out += "\\r" } else { out.append(c) }
        }
        return out
    }
}
