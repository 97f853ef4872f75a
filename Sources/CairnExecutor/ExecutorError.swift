#if canImport(Glibc)
import Glibc
#endif

/// A failure to start or manage a process.
public struct ExecutorError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// The system error behind it, if any.
    public let code: Int32?

    init(_ description: String, code: Int32? = nil) {
        self.description = description
        self.code = code
    }

    static func errno(_ what: String, _ code: Int32) -> ExecutorError {
        ExecutorError("\(what): \(String(cString: strerror(code))) (errno \(code))", code: code)
    }
}
