@testable import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// Finding run folders under a workspace does not list a large output folder whose link count
/// says it holds no folder to look into — and still finds a run folder nested in one that does.
@Suite struct RunCatalogTests {
    /// A folder of 20,000 files (large enough to skip listing), with the given subfolders.
    func largeFolder(_ dir: TemporaryFolder, folders: [String]) throws -> String {
        let big = "\(dir.path)/out"
        try FileManager.default.createDirectory(atPath: big, withIntermediateDirectories: true)
        for i in 0..<20_000 { FileManager.default.createFile(atPath: "\(big)/sample-\(i).bin", contents: nil) }
        for f in folders { try FileManager.default.createDirectory(atPath: "\(big)/\(f)", withIntermediateDirectories: true) }
        return big
    }

    func sizeAndLinks(_ path: String) -> (size: Int, links: Int) {
        var info = stat()
        #expect(stat(path, &info) == 0)
        return (Int(info.st_size), Int(info.st_nlink))
    }

    @Test(arguments: [[], [".cairn-staging"], ["nested"], [".cairn-staging", "nested"], [".cairn-staging", ".cairn", "nested", "more"]])
    func aLargeFolderGivesExactlyItsSubfolders(folders: [String]) throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let big = try largeFolder(dir, folders: folders)
        let (size, links) = sizeAndLinks(big)
        #expect(size >= RawPath.largeFolderBytes, "the folder must be large for the shortcut to apply (\(size) bytes)")
        if links >= 2 { #expect(links == 2 + folders.count, "this file system counts subfolders") }
        #expect(RawPath.subfolders(of: big)?.sorted() == folders.sorted())
    }

    @Test func aRunFolderNestedInALargeFolderIsStillFound() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let big = try largeFolder(dir, folders: [".cairn-staging", "nested/.cairn/runs/deep/journal"])
        FileManager.default.createFile(atPath: "\(big)/nested/.cairn/runs/deep/snapshot.json", contents: Data("{}".utf8))
        let found = RunCatalog.find(under: dir.path).map { ($0.folder.path as NSString).lastPathComponent }
        #expect(found == ["deep"], "\(found)")
    }
}
