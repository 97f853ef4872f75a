import CairnCore
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// File digests are read once and then answered from the stat cache until the file changes.
@Suite struct FileDigesterTests {
    func age(_ path: String) {
        var times = [timeval(tv_sec: 1_700_000_000, tv_usec: 0), timeval(tv_sec: 1_700_000_000, tv_usec: 0)]
        #expect(utimes(path, &times) == 0)
    }

    @Test func unchangedFilesAreNotReadAgainAndChangedOnesAre() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let a = dir.write("a.txt", "alpha")
        dir.write("tree/b.txt", "beta")
        age(a)
        let first = FileDigester(root: dir.path)
        #expect(first.digest(of: "a.txt") == Digest(of: "alpha"))
        #expect(first.digest(of: "missing.txt") == nil)
        let folder = first.digest(of: "tree")
        #expect(first.filesRead == 2)
        first.save()

        let second = FileDigester(root: dir.path)
        #expect(second.digest(of: "a.txt") == Digest(of: "alpha"))
        #expect(second.filesRead == 0, "answered from the cache")
        // tree/b.txt is younger than the racy window, so it was not cached: read again.
        #expect(second.digest(of: "tree") == folder)
        #expect(second.filesRead == 1)

        dir.write("a.txt", "alphb")
        age(a)
        let third = FileDigester(root: dir.path)
        #expect(third.digest(of: "a.txt") == Digest(of: "alphb"), "a new inode or mtime means reading again")
        dir.write("tree/c.txt", "gamma")
        #expect(third.digest(of: "tree") != folder)

        let verify = FileDigester(root: dir.path, verify: true)
        _ = verify.digest(of: "a.txt")
        #expect(verify.filesRead == 1, "--verify ignores the cache")
    }
}
