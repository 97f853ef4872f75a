import Foundation

/// A small tmpfs mounted for a test (needs root, as in CI here); unmounted by ``unmount()``.
public struct TmpfsMount: Sendable {
    public let path: String

    /// Whether this process may mount file systems (tests that need it are skipped otherwise).
    public static let available: Bool = {
        guard getuid() == 0, let mount = Tool.find("/usr/bin/mount", "/bin/mount") else { return false }
        let probe = TemporaryFolder("cairn-mount-probe")
        defer { probe.remove() }
        guard Tool.run(mount, ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path]) == 0 else { return false }
        Tool.run(Tool.find("/usr/bin/umount", "/bin/umount")!, [probe.path])
        return true
    }()

    /// Mounts a tmpfs of `size` (e.g. "1m") at `path`, creating the folder.
    public init?(at path: String, size: String) {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard let mount = Tool.find("/usr/bin/mount", "/bin/mount"),
            Tool.run(mount, ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path]) == 0
        else { return nil }
        self.path = path
    }

    /// Makes the file system read-only.
    public func remountReadOnly() -> Bool {
        Tool.run(Tool.find("/usr/bin/mount", "/bin/mount")!, ["-o", "remount,ro", path]) == 0
    }

    public func unmount() {
        Tool.run(Tool.find("/usr/bin/umount", "/bin/umount")!, ["-l", path])
    }
}
