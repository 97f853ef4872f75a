import CairnCore
import Foundation

/// File-system calls on paths that may hold escaped raw bytes (see ``RawBytes``): output
/// and input paths are rendered from item values, which can be file names that are not UTF-8.
/// Foundation's `FileManager` would write such a path as different bytes; these do not.
enum RawPath {
    static func lstat(_ path: String, _ info: inout stat) -> Int32 {
        RawBytes.withCString(path) { Glibc.lstat($0, &info) }
    }

    /// `stat(2)`: follows symbolic links.
    static func status(_ path: String, _ info: inout stat) -> Int32 {
        RawBytes.withCString(path) { stat($0, &info) }
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        RawBytes.withCString(path) { Glibc.open($0, flags, mode) }
    }

    static func rename(_ from: String, _ to: String) -> Int32 {
        RawBytes.withCString(from) { f in RawBytes.withCString(to) { t in Glibc.rename(f, t) } }
    }

    static func unlink(_ path: String) -> Int32 {
        RawBytes.withCString(path) { Glibc.unlink($0) }
    }

    static func rmdir(_ path: String) -> Int32 {
        RawBytes.withCString(path) { Glibc.rmdir($0) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = Glibc.stat()
        return status(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The absolute path `path` with empty and `.` components dropped and each `..` taking
    /// off the component before it — by its text alone, with no file system call (NSString's
    /// `standardizingPath` reads symbolic links: a system call or more per path).
    static func normalized(_ path: String) -> String {
        if isNormal(path) { return path }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` is absolute with no empty, `.` or `..` component and no trailing `/`
    /// (one pass over its bytes: the common case costs no allocation).
    static func isNormal(_ path: String) -> Bool {
        var length = 0, dots = 0, index = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                // The component that ends here: empty (except before the leading slash), `.` or `..`.
                if index > 0 && (length == 0 || (dots == length && length <= 2)) { return false }
                length = 0
                dots = 0
            } else {
                if index == 0 { return false }  // relative
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
            index += 1
        }
        return index > 0 && length > 0 && !(dots == length && length <= 2) || index == 1
    }

    /// `path` split at its last `/`: the folder ("" when none) and the name. Plain byte
    /// search; NSString's path methods also normalize, which costs more than the rename.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return ("", path) }
        return (String(path[..<slash]), String(path[path.utf8.index(after: slash)...]))
    }

    /// Creates `path` and its missing parents; 0 or the errno of the first failure.
    static func makeDirectories(_ path: String) -> Int32 {
        if isDirectory(path) { return 0 }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path {
            let code = makeDirectories(parent)
            if code != 0 { return code }
        }
        if RawBytes.withCString(path, { mkdir($0, 0o755) }) == 0 || errno == EEXIST && isDirectory(path) { return 0 }
        return errno
    }

    /// The names in folder `path` (without `.` and `..`), or nil if it cannot be read.
    static func entries(of path: String) -> [String]? {
        guard let dir = RawBytes.withCString(path, { opendir($0) }) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                RawBytes.string(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The folders in folder `path` (names; a symbolic link to a folder counts), told apart by
    /// the type `readdir` reports, so a folder of a million files costs no `stat` per file.
    ///
    /// A large folder (its entries take 256 KiB or more: some ten thousand names) is not read
    /// when its link count says which folders it holds: ext4, XFS and tmpfs count each
    /// subfolder's `..`, so a count of 2 means none, and 2 + n with Cairn's own n folders in it
    /// (a staging folder an interrupted run left) means those alone. An output folder of a
    /// million files cost a quarter of a second to list. A file system that does not count
    /// them (btrfs: 1) is read. A symbolic link to a folder inside such a large folder is not
    /// counted, so it is not followed either.
    static func subfolders(of path: String) -> [String]? {
        var info = Glibc.stat()
        if RawBytes.withCString(path, { stat($0, &info) }) == 0, (info.st_mode & S_IFMT) == S_IFDIR,
           info.st_nlink >= 2, info.st_size >= Self.largeFolderBytes {
            let own = [Staging.folderName, ".cairn"].filter { name in
                var inner = Glibc.stat()
                return lstat("\(path)/\(name)", &inner) == 0 && (inner.st_mode & S_IFMT) == S_IFDIR
            }
            if info.st_nlink == 2 + UInt(own.count) { return own }
        }
        guard let dir = RawBytes.withCString(path, { opendir($0) }) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let type = entry.pointee.d_type
            guard type == UInt8(DT_DIR) || type == UInt8(DT_LNK) || type == UInt8(DT_UNKNOWN) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                RawBytes.string(from: raw.prefix { $0 != 0 })
            }
            if name == "." || name == ".." { continue }
            if type != UInt8(DT_DIR) {
                var info = Glibc.stat()
                guard stat("\(path)/\(name)", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            }
            names.append(name)
        }
        return names
    }

    /// The size (`st_size`) from which a folder counts as large for ``subfolders(of:)``.
    static let largeFolderBytes = 256 * 1024

    /// Every path below folder `path`, relative to it, not following symbolic links.
    static func subpaths(of path: String) -> [String] {
        var out: [String] = []
        for name in entries(of: path) ?? [] {
            out.append(name)
            var info = Glibc.stat()
            if lstat("\(path)/\(name)", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                out += subpaths(of: "\(path)/\(name)").map { "\(name)/\($0)" }
            }
        }
        return out
    }

    /// Removes `path`, and everything below it if it is a folder (symbolic links are not followed).
    static func removeTree(_ path: String) {
        var info = Glibc.stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in entries(of: path) ?? [] { removeTree("\(path)/\(name)") }
            _ = rmdir(path)
        } else {
            _ = unlink(path)
        }
    }

    /// Size and SHA-256 of everything left to read from `fd`; nil (errno set) on a read error.
    static func sha256(of fd: Int32) -> (size: Int64, digest: Digest)? {
        var builder = DigestBuilder()
        var size: Int64 = 0
        // Uninitialized: zeroing 64 KiB per file costs more than hashing a small one.
        return withUnsafeTemporaryAllocation(byteCount: 1 << 16, alignment: 16) { buffer -> (size: Int64, digest: Digest)? in
            while true {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n < 0 { if errno == EINTR { continue }; return nil }
                if n == 0 { return (size, builder.finish()) }
                size += Int64(n)
                builder.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
        }
    }

    /// Whether `path` exists (without following a final symbolic link).
    static func exists(_ path: String) -> Bool {
        var info = Glibc.stat()
        return lstat(path, &info) == 0
    }
}
