import CairnCore
import Foundation

/// A run's journal: a folder of segment files `NNNNNN-HOST-PID.seg`, one writer each.
///
/// Every session (a `run`, a `resume`, later a shard or a SLURM worker) writes a new segment;
/// nobody appends to another's. Replay reads all segments in name order.
public enum Journal {
    /// Segment file names in the folder, sorted.
    public static func segments(in directory: String) throws(JournalError) -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            if !FileManager.default.fileExists(atPath: directory) { return [] }
            throw JournalError.io("cannot list journal folder", path: directory, errno: EIO)
        }
        return names.filter { $0.hasSuffix(".seg") }.sorted()
    }

    /// Reads every segment. With `repair`, torn tails are cut off (only while holding the run lock).
    public static func replay(directory: String, repair: Bool) throws(JournalError) -> [SegmentContents] {
        var out: [SegmentContents] = []
        for name in try segments(in: directory) {
            out.append(try SegmentReader.read("\(directory)/\(name)", repair: repair))
        }
        return out
    }

    /// Creates the next segment for a new writer.
    public static func openSegment(
        directory: String, info: SegmentInfo, onDurable: @escaping @Sendable (UInt64) -> Void = { _ in }
    ) throws(JournalError) -> SegmentWriter {
        let existing = try segments(in: directory)
        let last = existing.compactMap { Int($0.prefix(6)) }.max() ?? 0
        let host = info.host.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        let name = String(format: "%06d-%@-%d.seg", last + 1, host.isEmpty ? "host" : host, Int(info.pid))
        return try SegmentWriter(path: "\(directory)/\(name)", info: info, onDurable: onDurable)
    }
}
