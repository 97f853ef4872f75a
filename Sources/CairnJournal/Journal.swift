import CairnCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A run's journal: a folder of segment files `NNNNNN-HOST-PID-NONCE.seg`, one writer each.
///
/// Every session (a `run`, a `resume`, a shard, a merge, a SLURM worker) writes a new segment;
/// nobody appends to another's. `NNNNNN` is one more than the largest number in the folder when
/// the segment was opened, so it orders the sessions of one folder. Writers racing in one
/// folder (SLURM workers) or sessions of other machines can share a number; the name stays
/// unique (host, pid and a random nonce, created with `O_EXCL`) and replay orders segments of
/// one number by the time their writer opened them, not by the rest of the name.
public enum Journal {
    /// The record format this Cairn writes and reads (the record types and fields of
    /// ``RecordCodec``); `cairn --version` prints it.
    public static let formatVersion = 1

    /// Segment file names in the folder, in replay order: by number, then by opening time.
    public static func segments(in directory: String) throws(JournalError) -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            if !FileManager.default.fileExists(atPath: directory) { return [] }
            throw JournalError.io("cannot list journal folder", path: directory, errno: EIO)
        }
        let segments = names.filter { $0.hasSuffix(".seg") }.map { (name: $0, number: number(of: $0)) }
        var counts: [Int: Int] = [:]
        for s in segments { counts[s.number, default: 0] += 1 }
        // Only segments that share a number need their header read.
        var opened: [String: Int64] = [:]
        for s in segments where counts[s.number]! > 1 { opened[s.name] = openTime(of: "\(directory)/\(s.name)") }
        return segments.sorted { a, b in
            if a.number != b.number { return a.number < b.number }
            let ta = opened[a.name] ?? 0, tb = opened[b.name] ?? 0
            return ta != tb ? ta < tb : a.name < b.name
        }.map(\.name)
    }

    /// The number a segment's name starts with (0 when it has none).
    static func number(of name: String) -> Int {
        Int(name.prefix { $0.isNumber }) ?? 0
    }

    /// When the writer of a segment opened it (its first record), or 0 when unreadable.
    static func openTime(of path: String) -> Int64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        guard n > 0 else { return 0 }
        return buffer.withUnsafeBytes { bytes -> Int64 in
            let head = UnsafeRawBufferPointer(rebasing: bytes[0..<n])
            if case .record(.segmentOpened(let info), _) = RecordCodec.frame(in: head, at: 0) { return info.time }
            return 0
        }
    }

    /// Reads every segment. With `repair`, torn tails are cut off (only while holding the run lock).
    public static func replay(directory: String, repair: Bool) throws(JournalError) -> [SegmentContents] {
        var out: [SegmentContents] = []
        for name in try segments(in: directory) {
            out.append(try SegmentReader.read("\(directory)/\(name)", repair: repair))
        }
        return out
    }

    /// Creates the next segment for a new writer: number one past the folder's largest, the
    /// host, the pid and a random nonce, so no two writers anywhere pick the same name.
    public static func openSegment(
        directory: String, info: SegmentInfo, onDurable: @escaping @Sendable (UInt64) -> Void = { _ in }
    ) throws(JournalError) -> SegmentWriter {
        let existing = try segments(in: directory)
        let last = existing.map(number(of:)).max() ?? 0
        var random = SystemRandomNumberGenerator()
        let nonce = String(random.next() as UInt32, radix: 16)
        let name = String(format: "%06d-%@-%d-%@.seg", last + 1, segmentHost(info.host), Int(info.pid), nonce)
        return try SegmentWriter(path: "\(directory)/\(name)", info: info, onDurable: onDurable)
    }

    /// A host name as segment names carry it: ASCII letters, digits and dashes ("host" if none).
    public static func segmentHost(_ host: String) -> String {
        let kept = host.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        return kept.isEmpty ? "host" : kept
    }
}
