import CairnCore
import CairnJournal
import Foundation

/// Writes a whole file so that readers see the old or the new content, never a part:
/// a temporary file beside it, fsync, rename, fsync of the folder.
public enum AtomicFile {
    /// Writes `data` to `path`.
    public static func write(_ data: Data, to path: String) throws(RunError) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunError("cannot write \(tmp): \(String(cString: strerror(errno)))") }
        let ok = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) == $0.count } && fsync(fd) == 0
        let saved = errno
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw RunError("cannot write \(path): \(String(cString: strerror(ok ? errno : saved)))")
        }
        do { try SegmentWriter.syncDirectory(of: path) } catch { throw .journal(error) }
    }

    /// Writes `text` (bytes that are not UTF-8 kept, see ``RawBytes``) to `path`.
    public static func write(_ text: String, to path: String) throws(RunError) {
        try write(Data(RawBytes.bytes(of: text)), to: path)
    }
}
