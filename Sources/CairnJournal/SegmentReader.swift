import CairnCore

#if canImport(Glibc)
import Glibc
#endif

/// What one segment file holds.
public struct SegmentContents: Sendable {
    public var path: String
    public var records: [JournalRecord]
    /// Offset of a torn (incomplete) last record, if there was one.
    public var tornAt: Int?
    /// File size as read.
    public var size: Int
}

/// Reads a journal segment, tolerating a torn tail and refusing damage in the middle.
///
/// A frame that is incomplete or fails its checksum is a torn tail only when no intact frame
/// follows it anywhere in the file (a crash can only cut the last write short). If an intact
/// frame follows, the segment is damaged in the middle: reading stops with an error naming
/// the segment and offset, and nothing is changed.
public enum SegmentReader {
    /// Reads `path`. With `repair`, a torn tail is cut off the file (only for segments no live
    /// writer appends to).
    public static func read(_ path: String, repair: Bool) throws(JournalError) -> SegmentContents {
        var records: [JournalRecord] = []
        var contents = try read(path, repair: repair) { records.append($0) }
        contents.records = records
        return contents
    }

    /// Reads `path`, handing each record to `visit` as it is decoded (no record array is built).
    /// With `from`, reading starts at that byte (a frame boundary: where a checkpoint's coverage
    /// of the segment ends); offsets in the result still count from the file's start.
    public static func read(_ path: String, from start: Int = 0, repair: Bool, visit: (JournalRecord) -> Void) throws(JournalError) -> SegmentContents {
        let data = try readFile(path, from: start)
        var torn: Int?
        let outcome: JournalError? = data.withUnsafeBytes { bytes -> JournalError? in
            var offset = 0
            while offset < bytes.count {
                switch RecordCodec.frame(in: bytes, at: offset) {
                case .record(let record, let next):
                    visit(record)
                    offset = next
                case .skipped(let next):
                    offset = next
                case .unknown(let type):
                    return JournalError.newer(segment: path, offset: start + offset, type: type)
                case .invalid:
                    var probe = offset + 1
                    while probe + RecordCodec.headerSize < bytes.count {
                        if case .invalid = RecordCodec.frame(in: bytes, at: probe) {} else {
                            return JournalError.corrupt(segment: path, offset: start + offset)
                        }
                        probe += 1
                    }
                    torn = start + offset
                    return nil
                }
            }
            return nil
        }
        if let outcome { throw outcome }
        if repair, let torn {
            guard truncate(path, off_t(torn)) == 0 else { throw JournalError.io("cannot truncate torn tail of", path: path, errno: errno) }
        }
        return SegmentContents(path: path, records: [], tornAt: torn, size: start + data.count)
    }

    /// The file's bytes from `start` on (all of them when it grew while being read).
    static func readFile(_ path: String, from start: Int = 0) throws(JournalError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.io("cannot open journal segment", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError.io("cannot stat", path: path, errno: errno) }
        if start > 0 {
            guard lseek(fd, off_t(start), SEEK_SET) == off_t(start) else { throw JournalError.io("cannot seek in", path: path, errno: errno) }
        }
        // One spare byte: the read that finds the end needs no room, so a file that did not grow
        // is read into one buffer, never copied into a larger one.
        var out = [UInt8](repeating: 0, count: max(0, Int(info.st_size) - start) + 1)
        var filled = 0
        while true {
            if filled == out.count { out += [UInt8](repeating: 0, count: 1 << 16) }  // the file grew (a live writer)
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.io("cannot read", path: path, errno: errno)
            }
            if n == 0 { break }
            filled += n
        }
        out.removeSubrange(filled...)
        return out
    }
}
