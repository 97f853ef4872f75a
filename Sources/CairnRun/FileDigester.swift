import CairnCore
import Foundation

/// SHA-256 digests of the files a plan depends on (`code` files, inputs no step produces),
/// cached by (device, inode, size, mtime in ns) so unchanged files are not read again.
///
/// The cache lives in `.cairn/digests` beside the pipeline file. A copy of a tree, `touch` or
/// a checkout changes the stat data, so the file is read again — and gives the same digest, so
/// no unit re-runs. A file whose mtime is within `racyWindow` of the moment it was hashed is
/// not cached (it could change again within the same timestamp). A folder's digest covers the
/// names, kinds and contents of everything below it.
public final class FileDigester {
    /// The folder relative paths are resolved against (the pipeline folder).
    public let root: String
    /// Re-read every file, ignoring the cache (`--verify`).
    public let verify: Bool
    /// Files read (not answered from the cache) so far.
    public private(set) var filesRead = 0
    let cachePath: String
    var cache: [String: Entry] = [:]
    var dirty = false
    static let racyWindow: Int64 = 2_000_000_000

    struct Entry {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var mtime: Int64
        var digest: Digest
    }

    /// A digester for files below `root`, caching in `ROOT/.cairn/digests`.
    public init(root: String, verify: Bool = false) {
        self.root = root
        self.verify = verify
        cachePath = "\(root)/.cairn/digests"
        if !verify { load() }
    }

    /// The digest of `path` (relative to the root, or absolute), nil if it does not exist.
    public func digest(of path: String) -> Digest? {
        let full = path.hasPrefix("/") ? path : "\(root)/\(path)"
        var info = stat()
        guard RawPath.status(full, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) == S_IFDIR { return folderDigest(full) }
        return fileDigest(full, info)
    }

    /// Writes the cache back if it changed (atomically; a lost race only costs re-reading).
    public func save() {
        guard dirty, RawPath.makeDirectories("\(root)/.cairn") == 0 else { return }
        var text = "cairn-digests 1\n"
        for (path, e) in cache.sorted(by: { $0.key < $1.key }) {
            let hexPath = RawBytes.bytes(of: path).map { String(format: "%02x", $0) }.joined()
            text += "\(e.device) \(e.inode) \(e.size) \(e.mtime) \(e.digest.hex) \(hexPath)\n"
        }
        let tmp = "\(cachePath).\(getpid()).tmp"
        let fd = RawPath.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let bytes = Array(text.utf8)
        let ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
        close(fd)
        if !ok || RawPath.rename(tmp, cachePath) != 0 { _ = RawPath.unlink(tmp) } else { dirty = false }
    }

    func load() {
        guard let data = FileManager.default.contents(atPath: cachePath) else { return }
        let lines = data.split(separator: UInt8(ascii: "\n"))
        guard let first = lines.first, String(decoding: first, as: UTF8.self) == "cairn-digests 1" else { return }
        for line in lines.dropFirst() {
            let f = line.split(separator: UInt8(ascii: " "))
            guard f.count == 6, let dev = UInt64(String(decoding: f[0], as: UTF8.self)),
                let ino = UInt64(String(decoding: f[1], as: UTF8.self)), let size = Int64(String(decoding: f[2], as: UTF8.self)),
                let mtime = Int64(String(decoding: f[3], as: UTF8.self)), let digest = Digest(hex: String(decoding: f[4], as: UTF8.self)),
                let pathBytes = Self.unhex(f[5])
            else { continue }
            cache[RawBytes.string(from: pathBytes)] = Entry(device: dev, inode: ino, size: size, mtime: mtime, digest: digest)
        }
    }

    static func unhex(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var high: UInt8?
        for c in text {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }

    func fileDigest(_ full: String, _ info: stat) -> Digest? {
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        let device = UInt64(info.st_dev), inode = UInt64(info.st_ino), size = Int64(info.st_size)
        if !verify, let e = cache[full], e.device == device, e.inode == inode, e.size == size, e.mtime == mtime {
            return e.digest
        }
        guard let digest = Self.hashFile(full) else { return nil }
        filesRead += 1
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nowNs = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        if nowNs - mtime > Self.racyWindow {
            cache[full] = Entry(device: device, inode: inode, size: size, mtime: mtime, digest: digest)
            dirty = true
        } else if cache.removeValue(forKey: full) != nil {
            dirty = true
        }
        return digest
    }

    /// Digest over the sorted entries of a folder: name, kind, and content digest (or link text).
    func folderDigest(_ full: String) -> Digest {
        var manifest = "cairn-folder-v1\n"
        let names = (RawPath.entries(of: full) ?? []).sorted { RawBytes.bytes(of: $0).lexicographicallyPrecedes(RawBytes.bytes(of: $1)) }
        for name in names {
            let path = "\(full)/\(name)"
            let quoted = CanonicalJSON.string(name).text
            var info = stat()
            guard RawPath.lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: manifest += "d \(quoted) \(folderDigest(path).hex)\n"
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: 4096)
                let n = RawBytes.withCString(path) { readlink($0, &buffer, buffer.count) }
                let target = n > 0 ? RawBytes.string(from: buffer[0..<n].map { UInt8(bitPattern: $0) }) : ""
                manifest += "l \(quoted) \(CanonicalJSON.string(target).text)\n"
            case S_IFREG: manifest += "f \(quoted) \(fileDigest(path, info)?.hex ?? "unreadable")\n"
            default: manifest += "o \(quoted)\n"
            }
        }
        return Digest(of: manifest)
    }

    /// SHA-256 of a file's bytes, nil when it cannot be read.
    static func hashFile(_ path: String) -> Digest? {
        let fd = RawPath.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return RawPath.sha256(of: fd)?.digest
    }
}
