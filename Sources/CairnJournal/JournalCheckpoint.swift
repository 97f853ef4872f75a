import CairnCore

#if canImport(Glibc)
import Glibc
#endif

/// The folded journal state saved as its own file, `journal/state.checkpoint`, so that readers
/// load it and replay only the records written after it instead of the whole journal.
///
/// The file is a cache of the journal, never a source of truth: it names the segments it covers
/// and the byte offset in each where its coverage ends (a frame boundary), with a checksum of the
/// bytes just before that offset. A reader uses it only when it is intact (its own CRC-32), of
/// this format and fold version, and its segments are still the first ones in replay order with
/// at least the covered bytes, unchanged at the boundary. Otherwise it is ignored and the journal
/// replayed from the start, so a damaged, stale or foreign checkpoint costs time, never truth.
/// Older versions of Cairn read only `.seg` files and ignore it.
///
/// Layout: `CAIRNCKP`, format version and fold version (UInt32 LE each), payload length (UInt64
/// LE), CRC-32 of the payload (UInt32 LE), then the payload (``encode(_:coverage:)``).
public enum JournalCheckpoint {
    /// The file name inside the journal folder.
    public static let fileName = "state.checkpoint"
    static let magic = Array("CAIRNCKP".utf8)
    /// The layout of the payload.
    public static let formatVersion: UInt32 = 1
    /// The meaning of the fold (``JournalState``'s `apply`): bumped whenever folding a record
    /// changes, so a checkpoint folded by other rules is not used.
    static let foldVersion: UInt32 = 1
    static let headerSize = 8 + 4 + 4 + 8 + 4
    /// How many bytes before a covered offset the boundary checksum spans (fewer at a file's start).
    static let boundaryBytes = 256

    /// How far a checkpoint covers one segment.
    public struct Coverage: Sendable, Equatable {
        /// The segment's file name.
        public var name: String
        /// Where the covered intact records end.
        public var offset: Int
        /// CRC-32 of the `min(offset, 256)` bytes before `offset`.
        public var boundaryCRC: UInt32
    }

    /// The path of the checkpoint of a journal folder.
    public static func path(in directory: String) -> String { "\(directory)/\(fileName)" }

    /// The framed file for `state`, covering `coverage`.
    static func file(for state: JournalState, coverage: [Coverage]) -> [UInt8] {
        let payload = encode(state, coverage: coverage)
        var out = magic
        out.reserveCapacity(headerSize + payload.count)
        appendLE(UInt64(formatVersion), bytes: 4, to: &out)
        appendLE(UInt64(foldVersion), bytes: 4, to: &out)
        appendLE(UInt64(payload.count), bytes: 8, to: &out)
        appendLE(UInt64(payload.withUnsafeBytes { CRC32.checksum($0) }), bytes: 4, to: &out)
        out += payload
        return out
    }

    /// Writes the checkpoint of `state` (which must have been read from `directory`, so that it
    /// knows what it covers) atomically: a temporary file, synced, renamed over the old one.
    /// Returns the bytes written, or nil when there was nothing to cover.
    @discardableResult
    public static func write(_ state: JournalState, directory: String) throws(JournalError) -> Int? {
        guard !state.coverage.isEmpty else { return nil }
        let bytes = file(for: state, coverage: state.coverage)
        removeLeftovers(in: directory)
        let temporary = "\(directory)/.\(fileName).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JournalError.io("cannot create journal checkpoint", path: temporary, errno: errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let code = errno
                close(fd)
                unlink(temporary)
                throw JournalError.io("cannot write journal checkpoint", path: temporary, errno: code)
            }
            written += n
        }
        let synced = fsync(fd) == 0
        let code = errno
        close(fd)
        guard synced else {
            unlink(temporary)
            throw JournalError.io("cannot sync journal checkpoint", path: temporary, errno: code)
        }
        guard rename(temporary, path(in: directory)) == 0 else {
            let code = errno
            unlink(temporary)
            throw JournalError.io("cannot rename journal checkpoint into", path: path(in: directory), errno: code)
        }
        return bytes.count
    }

    /// Deletes temporary files of checkpoint writes a killed session left (only the holder of
    /// the run lock writes checkpoints, so none of them is being written).
    static func removeLeftovers(in directory: String) {
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        let prefix = ".\(fileName)."
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(prefix) && name.hasSuffix(".tmp") { unlink("\(directory)/\(name)") }
        }
    }

    /// The checkpoint of `directory`, when it is intact and still describes the first segments
    /// of `names` (the folder's segments in replay order); nil otherwise.
    /// `reserve` is the number of units the state should have room for (the tail adds some).
    static func load(directory: String, names: [String], reserve: Int = 0) -> (state: JournalState, coverage: [Coverage])? {
        guard let bytes = try? SegmentReader.readFile(path(in: directory)), bytes.count >= headerSize else { return nil }
        guard let loaded = decodeFile(bytes, reserve: reserve), loaded.coverage.count <= names.count, !loaded.coverage.isEmpty else { return nil }
        for (index, covered) in loaded.coverage.enumerated() {
            guard names[index] == covered.name, boundaryMatches(covered, directory: directory) else { return nil }
        }
        return loaded
    }

    /// Checks the framing, versions and checksum, then decodes the payload.
    static func decodeFile(_ bytes: [UInt8], reserve: Int = 0) -> (state: JournalState, coverage: [Coverage])? {
        bytes.withUnsafeBytes { raw -> (state: JournalState, coverage: [Coverage])? in
            guard raw.count >= headerSize, Array(raw[0..<8]) == magic,
                readLE(raw, at: 8, bytes: 4) == UInt64(formatVersion), readLE(raw, at: 12, bytes: 4) == UInt64(foldVersion)
            else { return nil }
            let length = readLE(raw, at: 16, bytes: 8)
            guard length == UInt64(raw.count - headerSize) else { return nil }
            let payload = UnsafeRawBufferPointer(rebasing: raw[headerSize...])
            guard CRC32.checksum(payload) == UInt32(readLE(raw, at: 24, bytes: 4)) else { return nil }
            return decode(payload, reserve: reserve)
        }
    }

    /// Whether the segment still has the covered bytes, the same ones at the boundary.
    static func boundaryMatches(_ covered: Coverage, directory: String) -> Bool {
        boundaryCRC(of: "\(directory)/\(covered.name)", at: covered.offset) == covered.boundaryCRC
    }

    /// The coverage of segment `name` read up to `offset` (nil when it cannot be read back).
    static func coverage(of name: String, directory: String, offset: Int) -> Coverage? {
        boundaryCRC(of: "\(directory)/\(name)", at: offset).map { Coverage(name: name, offset: offset, boundaryCRC: $0) }
    }

    /// CRC-32 of the `min(offset, 256)` bytes before `offset`; nil when the file is shorter.
    static func boundaryCRC(of path: String, at offset: Int) -> UInt32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, Int(info.st_size) >= offset else { return nil }
        let length = min(offset, boundaryBytes)
        var buffer = [UInt8](repeating: 0, count: length)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(offset - length)) }
        guard n == length else { return nil }
        return buffer.withUnsafeBytes { CRC32.checksum($0) }
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
