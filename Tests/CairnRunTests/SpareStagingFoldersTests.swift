@testable import CairnRun
import Testing

/// The store of emptied attempt folders: reused per staging folder, and bounded.
@Suite struct SpareStagingFoldersTests {
    @Test func foldersAreTakenFromTheirOwnStagingFolderAndTheStoreIsBounded() {
        var spare = SpareStagingFolders()
        var kept = [spare.keep("out/.cairn-staging/s1-1"), spare.keep("b/sub/.cairn-staging/s1-2")]
        #expect(kept == [true, true])
        let taken = [spare.take(in: "a/.cairn-staging"), spare.take(in: "b/sub/.cairn-staging"), spare.take(in: "b/sub/.cairn-staging")]
        #expect(taken == [nil, "b/sub/.cairn-staging/s1-2", nil])
        #expect(spare.count == 1 && spare.all == ["out/.cairn-staging/s1-1"])
        #expect(spare.stagingFolderCount == 1, "a staging folder whose kept folders were all taken is forgotten")
        kept = (1..<SpareStagingFolders.limit).map { spare.keep("d\($0)/.cairn-staging/s1-\($0)") }
        #expect(kept.allSatisfy { $0 } && spare.count == SpareStagingFolders.limit)
        let overflow = spare.keep("full/.cairn-staging/s1-x")
        #expect(!overflow, "beyond the limit the caller removes the folder")
        let seventh = spare.take(in: "d7/.cairn-staging")
        #expect(seventh == "d7/.cairn-staging/s1-7")
        let again = spare.keep("full/.cairn-staging/s1-x")
        #expect(again && spare.all.count == SpareStagingFolders.limit)
    }
}
