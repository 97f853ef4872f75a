import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// The run lock's lease, as seen from this host for a holder on another one.
@Suite struct RunLockTests {
    func note(host: String, renewedAgo: Double) -> String {
        let now = Date()
        let holder = RunLock.Holder(host: host, pid: 4242, started: now.addingTimeInterval(-3600), renewed: now.addingTimeInterval(-renewedAgo))
        return String(decoding: try! JSONEncoder().encode(holder), as: UTF8.self)
    }

    @Test func aRemoteHolderIsLiveWhileItRenewsItsLease() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let folder = RunFolder(path: "\(dir.path)/run")
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        dir.write("run/lock", note(host: "elsewhere", renewedAgo: 5))
        #expect(RunLock.isLive(folder))
        dir.write("run/lock", note(host: "elsewhere", renewedAgo: RunLock.leaseTimeout + 5))
        #expect(!RunLock.isLive(folder))
    }

    @Test func aHeldFolderNamesAStaleRemoteHolderAsLookingDead() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let folder = RunFolder(path: "\(dir.path)/run")
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        dir.write("run/lock", note(host: "elsewhere", renewedAgo: 600))
        let fd = open(folder.lock, O_RDWR)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0, "the test holds the lock, as the dead host's file server still would")
        #expect {
            _ = try RunLock(folder: folder)
        } throws: { error in
            let e = error as! RunError
            return e.exitCode == 3 && e.description.contains("pid 4242 on elsewhere") && e.description.contains("looks dead")
        }
    }

    @Test func theLiveHolderRenewsItsLease() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let folder = RunFolder(path: "\(dir.path)/run")
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        let lock = try RunLock(folder: folder, now: Date(timeIntervalSince1970: 1000))
        #expect(RunLock.holder(of: folder)?.renewed == Date(timeIntervalSince1970: 1000))
        lock.renew(now: Date(timeIntervalSince1970: 2000))
        #expect(RunLock.holder(of: folder)?.renewed == Date(timeIntervalSince1970: 2000))
        #expect(RunLock.holder(of: folder)?.pid == getpid())
    }
}
