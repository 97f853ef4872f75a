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
/// Layout: a ``FramedFile`` `CAIRNCKP` (format version, fold version) whose payload is
/// ``encode(_:coverage:)``.
public enum JournalCheckpoint {
    /// The file name inside the journal folder.
    public static let fileName = "state.checkpoint"
    /// The layout of the payload.
    public static let formatVersion: UInt32 = 1
    /// The meaning of the fold (``JournalState``'s `apply`): bumped whenever folding a record
    /// changes, so a checkpoint folded by other rules is not used.
    static let foldVersion: UInt32 = 1
    static let framing = FramedFile(magic: "CAIRNCKP", version: formatVersion, subversion: foldVersion)
    /// How many bytes before a covered offset the boundary checksum spans (fewer at a file's start).
    static let boundaryBytes = 256

    /// How far a checkpoint covers one segment.
    public struct Coverage: Sendable, Equatable, Codable {
        /// The segment's file name.
        public var name: String
        /// Where the covered intact records end.
        public var offset: Int
        /// CRC-32 of the `min(offset, 256)` bytes before `offset`.
        public var boundaryCRC: UInt32

        public init(name: String, offset: Int, boundaryCRC: UInt32) {
            self.name = name
            self.offset = offset
            self.boundaryCRC = boundaryCRC
        }
    }

    /// The path of the checkpoint of a journal folder.
    public static func path(in directory: String) -> String { "\(directory)/\(fileName)" }

    /// The framed file for `state`, covering `coverage`.
    static func file(for state: JournalState, coverage: [Coverage]) -> [UInt8] {
        framing.frame(encode(state, coverage: coverage))
    }

    /// Writes the checkpoint of `state` (which must have been read from `directory`, so that it
    /// knows what it covers) atomically: a temporary file, synced, renamed over the old one.
    /// Returns the bytes written, or nil when there was nothing to cover.
    @discardableResult
    public static func write(_ state: JournalState, directory: String) throws(JournalError) -> Int? {
        guard let bytes = encoded(state) else { return nil }
        try write(bytes, directory: directory)
        return bytes.count
    }

    /// The checkpoint file of `state` (read from a journal folder), or nil when it covers
    /// nothing: the CPU half of ``write(_:directory:)``.
    public static func encoded(_ state: JournalState) -> [UInt8]? {
        state.coverage.isEmpty ? nil : file(for: state, coverage: state.coverage)
    }

    /// Writes a file made by ``encoded(_:)`` atomically: the I/O half of ``write(_:directory:)``.
    public static func write(_ bytes: [UInt8], directory: String) throws(JournalError) {
        removeLeftovers(in: directory)
        let temporary = "\(directory)/.\(fileName).\(getpid()).tmp"
        try FramedFile.write(bytes, to: path(in: directory), temporary: temporary, what: "journal checkpoint")
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
        guard let bytes = try? SegmentReader.readFile(path(in: directory)), bytes.count >= FramedFile.headerSize else { return nil }
        guard let loaded = decodeFile(bytes, reserve: reserve), loaded.coverage.count <= names.count, !loaded.coverage.isEmpty else { return nil }
        for (index, covered) in loaded.coverage.enumerated() {
            guard names[index] == covered.name, boundaryMatches(covered, directory: directory) else { return nil }
        }
        return loaded
    }

    /// Checks the framing, versions and checksum, then decodes the payload.
    static func decodeFile(_ bytes: [UInt8], reserve: Int = 0) -> (state: JournalState, coverage: [Coverage])? {
        bytes.withUnsafeBytes { raw -> (state: JournalState, coverage: [Coverage])? in
            guard let payload = framing.payload(of: raw) else { return nil }
            return decode(payload, reserve: reserve)
        }
    }

    /// Whether `coverage` is the whole journal in `directory` as it is now: the same segments,
    /// each exactly as long as covered and unchanged at its end (for files that cache what a
    /// journal says and are worthless once it grew, like a run's result index).
    public static func coversWhole(_ coverage: [Coverage], directory: String) -> Bool {
        guard !coverage.isEmpty, let names = try? Journal.segments(in: directory), names == coverage.map(\.name) else { return false }
        for covered in coverage {
            var info = stat()
            guard stat("\(directory)/\(covered.name)", &info) == 0, Int(info.st_size) == covered.offset,
                boundaryMatches(covered, directory: directory)
            else { return false }
        }
        return true
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
}
