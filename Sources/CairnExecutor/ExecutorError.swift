#if canImport(Glibc)
import Glibc
#endif

/// A failure to start or manage a process.
public struct ExecutorError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }

    static func errno(_ what: String, _ code: Int32) -> ExecutorError {
        ExecutorError("\(what): \(String(cString: strerror(code))) (errno \(code))")
    }
}
