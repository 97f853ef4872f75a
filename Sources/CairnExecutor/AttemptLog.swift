#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An in-process attempt's log: text appended to the unit's log file, from any thread.
/// The file is opened on the first write, so an attempt that writes nothing leaves no file.
public final class AttemptLog: Sendable {
    private let locate: @Sendable () -> String
    private let descriptor = Mutex<Int32>(-1)

    public convenience init(path: String) {
        self.init(locate: { path })
    }

    /// A log whose path is worked out on the first write (or the first ask for ``path``).
    public init(locate: @escaping @Sendable () -> String) {
        self.locate = locate
    }

    /// The log file.
    public var path: String { locate() }

    deinit {
        descriptor.withLock { if $0 >= 0 { close($0) } }
    }

    /// Appends `text` to the log (a line gets no newline added).
    public func write(_ text: String) {
        descriptor.withLock { fd in
            if fd < 0 { fd = open(locate(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
            guard fd >= 0 else { return }
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
