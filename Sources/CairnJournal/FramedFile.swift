import CairnCore

#if canImport(Glibc)
import Glibc
#endif

/// A file that caches what the journal says (the state checkpoint, a run's result index): a
/// header naming its kind and versions, then a checksummed payload, written atomically. Such a
/// file is never a source of truth: one that is missing, damaged, of another kind or version is
/// simply not used.
///
/// Layout: an 8-byte magic, format version and a second version (UInt32 LE each), payload
/// length (UInt64 LE), CRC-32 of the payload (UInt32 LE), then the payload. Payloads use
/// ``RecordCodec``'s varints and strings.
public struct FramedFile: Sendable {
    /// Eight ASCII bytes naming the kind of file.
    public let magic: [UInt8]
    /// The payload's layout, and a second version for what it means (a checkpoint's fold rules).
    public let version: UInt32
    public let subversion: UInt32

    public static let headerSize = 8 + 4 + 4 + 8 + 4

    public init(magic: String, version: UInt32, subversion: UInt32 = 0) {
        precondition(magic.utf8.count == 8, "a framed file's magic is 8 bytes")
        self.magic = Array(magic.utf8)
        self.version = version
        self.subversion = subversion
    }

    /// The whole file for `payload`.
    public func frame(_ payload: [UInt8]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(Self.headerSize + payload.count)
        Self.appendLE(UInt64(version), bytes: 4, to: &out)
        Self.appendLE(UInt64(subversion), bytes: 4, to: &out)
        Self.appendLE(UInt64(payload.count), bytes: 8, to: &out)
        Self.appendLE(UInt64(payload.withUnsafeBytes { CRC32.checksum($0) }), bytes: 4, to: &out)
        out += payload
        return out
    }

    /// A buffer to append a payload to, to be framed in place by ``finish(_:)`` (no copy of a
    /// large payload).
    public func start(reserving capacity: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.headerSize)
        out.reserveCapacity(Self.headerSize + capacity)
        return out
    }

    /// Writes the header of the payload appended to a buffer from ``start(reserving:)``.
    public func finish(_ buffer: inout [UInt8]) {
        let payloadCount = buffer.count - Self.headerSize
        let crc = buffer.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[Self.headerSize...])) }
        var header = magic
        Self.appendLE(UInt64(version), bytes: 4, to: &header)
        Self.appendLE(UInt64(subversion), bytes: 4, to: &header)
        Self.appendLE(UInt64(payloadCount), bytes: 8, to: &header)
        Self.appendLE(UInt64(crc), bytes: 4, to: &header)
        buffer.replaceSubrange(0..<Self.headerSize, with: header)
    }

    /// The payload of `raw` when it is this kind and version of file, whole and intact.
    public func payload(of raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard raw.count >= Self.headerSize, raw.prefix(8).elementsEqual(magic),
            Self.readLE(raw, at: 8, bytes: 4) == UInt64(version), Self.readLE(raw, at: 12, bytes: 4) == UInt64(subversion),
            Self.readLE(raw, at: 16, bytes: 8) == UInt64(raw.count - Self.headerSize)
        else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: raw[Self.headerSize...])
        guard CRC32.checksum(payload) == UInt32(Self.readLE(raw, at: 24, bytes: 4)) else { return nil }
        return payload
    }

    /// Writes `bytes` to `path` atomically: `temporary` (in the same folder), synced, renamed
    /// over `path`. `what` names the file in errors.
    public static func write(_ bytes: [UInt8], to path: String, temporary: String, what: String) throws(JournalError) {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JournalError.io("cannot create \(what)", path: temporary, errno: errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let code = errno
                close(fd)
                unlink(temporary)
                throw JournalError.io("cannot write \(what)", path: temporary, errno: code)
            }
            written += n
        }
        let synced = fsync(fd) == 0
        let code = errno
        close(fd)
        guard synced else {
            unlink(temporary)
            throw JournalError.io("cannot sync \(what)", path: temporary, errno: code)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw JournalError.io("cannot rename \(what) into", path: path, errno: code)
        }
    }

    static func appendLE(_ value: UInt64, bytes: Int, to out: inout [UInt8]) {
        for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i))) }
    }

    static func readLE(_ raw: UnsafeRawBufferPointer, at offset: Int, bytes: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<bytes { value |= UInt64(raw[offset + i]) << UInt64(8 * i) }
        return value
    }
}
