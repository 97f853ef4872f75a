import Foundation

/// A fresh folder under the system temporary folder, removed by ``remove()``.
public struct TemporaryFolder: Sendable {
    public let path: String

    public init(_ prefix: String = "cairn-test") {
        let template = "\(NSTemporaryDirectory())/\(prefix)-XXXXXX"
        var bytes = Array(template.utf8CString)
        let made = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = (String(cString: made!) as NSString).standardizingPath
    }

    /// Writes `text` to `name` (creating folders); returns the full path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let full = "\(path)/\(name)"
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: full, contents: Data(text.utf8))
        return full
    }

    /// The text of `name`, or nil.
    public func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: "\(path)/\(name)").map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `name` exists.
    public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(path)/\(name)") }

    /// Lines of `name` (empty if missing).
    public func lines(_ name: String) -> [String] {
        (read(name) ?? "").split(separator: "\n").map(String.init)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
