/// A journal failure: what happened, where, and what to do.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    enum Code: Sendable { case io, corrupt, diskFull, newer }
    let code: Code
    public let description: String

    static func io(_ what: String, path: String, errno: Int32) -> JournalError {
        if errno == 28 || errno == 122 {  // ENOSPC, EDQUOT
            return JournalError(code: .diskFull, description: "\(what) \(path): no space left on the device; free space, then run `cairn resume`")
        }
        return JournalError(code: .io, description: "\(what) \(path): \(String(cString: strerror(errno))) (errno \(errno))")
    }

    static func corrupt(segment: String, offset: Int) -> JournalError {
        JournalError(
            code: .corrupt,
            description: "journal segment \(segment) is damaged at byte \(offset), with intact records after it; nothing was changed. Keep a copy of the run folder, then salvage with `truncate -s \(offset) \(segment)` only if losing the records after that offset is acceptable")
    }

    static func newer(segment: String, offset: Int, type: UInt8) -> JournalError {
        JournalError(
            code: .newer,
            description: "journal segment \(segment) holds a record of type \(type) at byte \(offset), which this Cairn (journal format \(Journal.formatVersion)) does not know: a newer Cairn wrote it; upgrade Cairn (scripts/install) to use this run folder. Nothing was changed")
    }

    /// True when a newer Cairn wrote records this one does not know (refused, not misread).
    public var isNewerFormat: Bool { code == .newer }

    /// True when the device is full.
    public var isDiskFull: Bool { code == .diskFull }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
