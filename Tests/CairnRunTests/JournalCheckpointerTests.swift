import CairnCore
import CairnJournal
@testable import CairnRun
import CairnTestSupport
import Foundation
import Synchronization
import Testing

/// The session's checkpoint keeper: its thread runs at the lowest priority, so on a busy machine
/// a checkpoint it folds can take seconds; the session's end must not wait for that fold, and the
/// fold it overtook must never replace the newer checkpoint the end wrote.
@Suite struct JournalCheckpointerTests {
    static let info = SegmentInfo(host: "test-host", bootID: "boot-1", pid: 42, time: 1_700_000_000_000)

    /// A closed segment of `count` commits of units `from..<from+count`.
    func writeSegment(_ dir: String, from: Int, count: Int) throws {
        let writer = try Journal.openSegment(directory: dir, info: Self.info)
        for n in from..<(from + count) {
            _ = try writer.append(.committed(UnitCommit(key: Digest(of: "unit-\(n)"), attempt: 1, exitCode: 0, durationMs: 1, time: Int64(n), outputs: [])))
        }
        try writer.close()
    }

    @Test func theEndDoesNotWaitForTheThreadsFoldAndTheOvertakenFoldWritesNothing() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        try writeSegment(dir.path, from: 0, count: 1000)
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), left = DispatchSemaphore(value: 0)
        // The thread's fold reads the journal as it is, then stalls (as on a busy machine) until released.
        let caller = pthread_self()
        let fold: @Sendable (inout JournalState?, String) -> JournalState? = { state, directory in
            let folded = JournalState.caughtUp(&state, directory: directory)
            if pthread_self() != caller {
                entered.signal()
                _ = release.wait(timeout: .now() + 30)
                left.signal()
            }
            return folded
        }
        let start = try JournalState(directory: dir.path, repair: false)
        let keeper = JournalCheckpointer(directory: dir.path, state: start, minimumBytes: 1, interval: 0.01, fold: fold)
        #expect(entered.wait(timeout: .now() + 10) == .success, "the thread started a checkpoint")
        try writeSegment(dir.path, from: 1000, count: 500)  // the session goes on journaling

        let began = Date()
        let newest = keeper.finish()
        let waited = Date().timeIntervalSince(began)
        // Waiting for the stalled fold would take the 30 s of its release timeout.
        #expect(waited < 10, "the end waited \(waited) s for the thread's fold")
        #expect(newest?.units.count == 1500)
        let written = try #require(FileManager.default.contents(atPath: JournalCheckpoint.path(in: dir.path)))
        let read = try JournalState(directory: dir.path, repair: false)
        #expect(read.units.count == 1500 && read.replayedBytes == 0, "the end's checkpoint covers the whole journal")

        release.signal()
        #expect(left.wait(timeout: .now() + 10) == .success)
        usleep(500_000)  // time for the thread to write, were it to
        #expect(FileManager.default.contents(atPath: JournalCheckpoint.path(in: dir.path)) == written,
                "the overtaken fold (1,000 units) replaced the end's checkpoint")
    }

    @Test func anIdleThreadIsStoppedAndTheEndFoldsFromItsCheckpoint() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        try writeSegment(dir.path, from: 0, count: 300)
        let folds = Mutex(0)
        let fold: @Sendable (inout JournalState?, String) -> JournalState? = { state, directory in
            folds.withLock { $0 += 1 }
            return JournalState.caughtUp(&state, directory: directory)
        }
        let keeper = JournalCheckpointer(directory: dir.path, state: try JournalState(directory: dir.path, repair: false), minimumBytes: 1, interval: 0.01, fold: fold)
        _ = CairnBinary.waitFor(timeout: 10) { FileManager.default.fileExists(atPath: JournalCheckpoint.path(in: dir.path)) }
        try writeSegment(dir.path, from: 300, count: 300)
        let newest = keeper.finish()
        #expect(newest?.units.count == 600)
        let read = try JournalState(directory: dir.path, repair: false)
        #expect(read.units.count == 600 && read.replayedBytes == 0)
        #expect(folds.withLock { $0 } >= 2)
    }
}
