/// A parsed configuration value that remembers where it came from, so that every error can
/// name the file, line and key. Pipeline files are read into this tree before decoding.
public struct ConfigNode: Sendable {
    /// The kind of a scalar, as the YAML core schema resolves it.
    public enum ScalarKind: Sendable { case string, int, float, bool, null }

    /// The shape of a node.
    public enum Value: Sendable {
        case scalar(String, ScalarKind)
        case mapping([Entry])
        case sequence([ConfigNode])
    }

    /// One key of a mapping, with the line the key stands on.
    public struct Entry: Sendable {
        public var key: String
        public var line: Int
        public var value: ConfigNode
    }

    public var value: Value
    /// 1-based line of the node in its file.
    public var line: Int
    /// The file the node came from when it is not the file being decoded (an `extends` parent).
    public var file: String?

    public init(_ value: Value, line: Int, file: String? = nil) {
        self.value = value
        self.line = line
        self.file = file
    }

    /// The entries if this is a mapping.
    public var entries: [Entry]? {
        if case .mapping(let e) = value { return e }
        return nil
    }

    /// The value if this is a boolean scalar (`true`, `no`, `On`, …).
    public var boolValue: Bool? {
        guard case .scalar(let text, .bool) = value else { return nil }
        return ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"].contains(text)
    }

    /// The items if this is a sequence.
    public var items: [ConfigNode]? {
        if case .sequence(let s) = value { return s }
        return nil
    }

    /// A short description of the node's type for error messages.
    public var typeName: String {
        switch value {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(_, .null): "null"
        case .scalar(_, .bool): "a boolean"
        case .scalar(_, .int): "an integer"
        case .scalar(_, .float): "a number"
        case .scalar(_, .string): "a string"
        }
    }
}
