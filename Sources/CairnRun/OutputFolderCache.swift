import CairnCore
import Foundation

/// Output folders seen complete: for each, its device, inode and mtime (ns) and a fingerprint of
/// the output names expected in it, at a moment when every one of them was present. Removing or
/// renaming an entry changes a folder's mtime, so while a folder's (device, inode, mtime) and
/// the names expected in it are unchanged, none of them can have been deleted: ``OutputCheck``
/// then skips one `lstat` per output. A folder whose mtime is within two seconds of the moment
/// it was looked at is not remembered (an entry removed within the same timestamp tick would
/// not change it). Lives in `.cairn/outputs-seen` beside the pipeline file; losing it, or a
/// lost race between two writers, only costs `lstat` calls.
final class OutputFolderCache {
    struct Entry: Equatable {
        var device: UInt64
        var inode: UInt64
        var mtime: Int64
        var names: UInt64
    }

    let path: String
    var entries: [String: Entry] = [:]
    var dirty = false
    static let racyWindow: Int64 = 2_000_000_000

    init(root: String) {
        path = "\(root)/.cairn/outputs-seen"
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard lines.first == "cairn-outputs-seen 1" else { return }
        for line in lines.dropFirst() {
            let f = line.split(separator: " ", maxSplits: 4)
            guard f.count == 5, let d = UInt64(f[0]), let i = UInt64(f[1]), let m = Int64(f[2]), let n = UInt64(f[3], radix: 16),
                let bytes = Self.unhex(f[4])
            else { continue }
            entries[RawBytes.string(from: bytes)] = Entry(device: d, inode: i, mtime: m, names: n)
        }
    }

    /// A file's modification time in nanoseconds since 1970.
    static func mtime(_ info: stat) -> Int64 { Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec) }

    /// The entry a folder has now, given its stat data and expected names; nil when it is too
    /// young to be remembered.
    static func entry(_ info: stat, names: UInt64, now: Int64) -> Entry? {
        let mtime = mtime(info)
        guard now - mtime > racyWindow else { return nil }
        return Entry(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), mtime: mtime, names: names)
    }

    /// Writes the cache back if it changed (atomically).
    func save() {
        guard dirty, RawPath.makeDirectories((path as NSString).deletingLastPathComponent) == 0 else { return }
        var text = "cairn-outputs-seen 1\n"
        for (folder, e) in entries.sorted(by: { $0.key < $1.key }) {
            let hex = RawBytes.bytes(of: folder).map { String(format: "%02x", $0) }.joined()
            text += "\(e.device) \(e.inode) \(e.mtime) \(String(e.names, radix: 16)) \(hex.isEmpty ? "-" : hex)\n"
        }
        try? AtomicFile.write(text, to: path)
    }

    /// A fingerprint of a set of names, independent of their order: the wrapping sum of each
    /// name's FNV-1a hash (stable across processes, unlike `Hasher`).
    static func fingerprint(_ name: Substring) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    static func unhex(_ text: Substring) -> [UInt8]? {
        if text == "-" { return [] }
        var out: [UInt8] = []
        var it = text.utf8.makeIterator()
        while let hi = it.next() {
            guard let lo = it.next(), let h = nibble(hi), let l = nibble(lo) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
