import CairnCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Appends records to one journal segment file, of which it is the only writer.
///
/// Group commit: ``append(_:)`` only queues; a writer thread waits up to ``linger`` for more
/// records to arrive, writes the batch with one `write` and one `fdatasync`, then reports the
/// new durable sequence number through `onDurable`. Latency is bounded by ``linger`` plus one
/// `fdatasync`; throughput grows with load because batches grow. A record counts only once
/// ``durableSequence`` has passed it.
public final class SegmentWriter: @unchecked Sendable {
    // All mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    private var appended: UInt64 = 0
    private var durable: UInt64 = 0
    private var failure: JournalError?
    private var closing = false
    private var urgent = false
    private var finished = false
    private var bytes: Int64 = 0

    private let fd: Int32
    /// The segment file.
    public let path: String
    private let onDurable: @Sendable (UInt64) -> Void
    /// How long the writer waits after the first queued record for more to batch.
    public static let linger = 0.002
    /// A batch this large is written without lingering.
    static let batchBytes = 64 << 10

    /// Creates the segment file (it must not exist), writes its header durably, and starts the writer thread.
    public init(path: String, info: SegmentInfo, onDurable: @escaping @Sendable (UInt64) -> Void = { _ in }) throws(JournalError) {
        self.path = path
        self.onDurable = onDurable
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JournalError.io("cannot create journal segment", path: path, errno: errno) }
        self.fd = fd
        var header: [UInt8] = []
        RecordCodec.encode(.segmentOpened(info), into: &header)
        try Self.writeAll(fd, header, path: path)
        guard fsync(fd) == 0 else { throw JournalError.io("cannot sync", path: path, errno: errno) }
        try Self.syncDirectory(of: path)
        bytes = Int64(header.count)
        let thread = Thread { [self] in self.loop() }
        thread.name = "cairn-journal"
        thread.start()
    }

    /// Queues a record; returns its sequence number. Throws if an earlier write failed.
    @discardableResult
    public func append(_ record: JournalRecord) throws(JournalError) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        let wasEmpty = pending.isEmpty
        RecordCodec.encode(record, into: &pending)
        appended += 1
        if wasEmpty || pending.count >= Self.batchBytes { condition.signal() }
        return appended
    }

    /// The highest sequence number known to be on disk.
    public var durableSequence: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return durable
    }

    /// The first write or sync error, if any.
    public var error: JournalError? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// Bytes written durably to the segment so far.
    public var durableBytes: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return bytes
    }

    /// Blocks until every record appended so far is durable.
    public func flush() throws(JournalError) {
        condition.lock()
        defer { condition.unlock() }
        let target = appended
        urgent = true
        condition.broadcast()
        while durable < target && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Flushes, stops the writer thread and closes the file.
    public func close() throws(JournalError) {
        condition.lock()
        closing = true
        condition.broadcast()
        while !finished { condition.wait() }
        let failure = self.failure
        condition.unlock()
        Glibc.close(fd)
        if let failure { throw failure }
    }

    private func loop() {
        condition.lock()
        while true {
            while pending.isEmpty && !closing { condition.wait() }
            if pending.isEmpty { break }
            let lingerUntil = Date(timeIntervalSinceNow: Self.linger)
            while !closing && !urgent && pending.count < Self.batchBytes && condition.wait(until: lingerUntil) {}
            let batch = pending
            let sequence = appended
            pending = []
            urgent = false
            condition.unlock()
            var outcome: JournalError?
            do throws(JournalError) {
                try Self.writeAll(fd, batch, path: path)
                if fdatasync(fd) != 0 { throw JournalError.io("cannot sync", path: path, errno: errno) }
            } catch {
                outcome = error
            }
            condition.lock()
            if let outcome {
                failure = outcome
                condition.broadcast()
                break
            }
            durable = sequence
            bytes += Int64(batch.count)
            condition.broadcast()
            condition.unlock()
            onDurable(sequence)
            condition.lock()
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    static func writeAll(_ fd: Int32, _ data: [UInt8], path: String) throws(JournalError) {
        var offset = 0
        let result: JournalError? = data.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return JournalError.io("cannot write", path: path, errno: errno)
                }
                offset += n
            }
            return nil
        }
        if let result { throw result }
    }

    /// fsyncs the folder holding `path`, so a new or renamed entry in it is durable.
    public static func syncDirectory(of path: String) throws(JournalError) {
        let dir = (path as NSString).deletingLastPathComponent
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open folder", path: dir, errno: errno) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw JournalError.io("cannot sync folder", path: dir, errno: errno) }
    }
}
