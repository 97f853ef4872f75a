import CairnCore
import Foundation

/// Checks, before any unit starts, that the folders a run writes to can be written: by creating
/// and removing a probe file (`access(2)` says yes to root even on a read-only mount).
enum WritableCheck {
    /// nil if `folder` accepts a new file, else why not.
    static func problem(in folder: String) -> String? {
        errorCode(in: folder).map { String(cString: strerror($0)) }
    }

    /// nil if `folder` accepts a new file, else the errno.
    static func errorCode(in folder: String) -> Int32? {
        let probe = "\(folder)/.cairn-probe-\(getpid())"
        let fd = RawPath.open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return errno }
        close(fd)
        _ = RawPath.unlink(probe)
        return nil
    }

    /// The nearest existing folder at or above `path` (relative to `root`).
    static func nearestExisting(_ path: String, root: String) -> String {
        var dir = root.isEmpty ? path : path.isEmpty ? root : "\(root)/\(path)"
        while !RawPath.isDirectory(dir) {
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir || parent.isEmpty { break }
            dir = parent
        }
        return dir
    }

    /// Throws (exit 1) naming the first output folder of `outputs` that cannot be written.
    static func outputs(_ outputs: some Sequence<String>, root: String) throws(RunError) {
        var seen = Set<String>()
        var probed = Set<String>()
        for output in outputs {
            let dir = (output as NSString).deletingLastPathComponent
            guard seen.insert(dir).inserted else { continue }
            let existing = nearestExisting(dir, root: root)
            guard probed.insert(existing).inserted else { continue }
            if let problem = problem(in: existing) {
                throw RunError("output folder \(RawBytes.display(existing)) is not writable (\(problem)); no unit was started. Make it writable, or change the output paths")
            }
        }
    }
}

/// Whether an errno means the machine, not the unit, is at fault: the run must stop.
func isMachineFault(_ code: Int32) -> Bool {
    code == ENOSPC || code == EDQUOT || code == EROFS || code == EIO
}
