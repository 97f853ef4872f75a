import CairnCore
import CairnJournal
import CairnTestSupport
import Foundation
import Testing

@Suite struct JournalTests {
    static let info = SegmentInfo(host: "test-host", bootID: "boot-1", pid: 42, time: 1_700_000_000_000)

    static func key(_ n: Int) -> Digest { Digest(of: "unit-\(n)") }

    static let samples: [JournalRecord] = [
        .runStarted(time: 1_700_000_000_001, snapshot: key(0)),
        .attemptStarted(key: key(1), attempt: 1, pid: 12345, startTicks: 987_654, time: 1_700_000_000_002),
        .committed(UnitCommit(key: key(1), attempt: 1, exitCode: 0, durationMs: 17, time: 1_700_000_000_019,
                              outputs: [OutputDigest(size: 1024, digest: key(9)), OutputDigest(size: 0, digest: key(8))])),
        .attemptStarted(key: key(2), attempt: 3, pid: 7, startTicks: 0, time: 1_700_000_000_020),
        .failed(UnitFailure(key: key(2), attempt: 3, exitCode: 137, durationMs: -1, time: 1_700_000_000_021, reason: "killed by signal 9 (é)")),
        .interrupted(key: key(3), attempt: 2, time: 1_700_000_000_022),
        .provenance(SessionProvenance(version: "0.1.0", user: "ünï", gitCommit: "abc", gitDirty: true, diff: "d1", message: "a note")),
        .outcome("interrupted by SIGINT"),
        .usage(key: key(4), attempt: 1, usage: ResourceUsage(userMs: 1234, systemMs: 5, peakRSSKB: 204_800, rchar: 1 << 40, wchar: 0, readBytes: -1, writeBytes: 77)),
        .runEnded(time: 1_700_000_000_023, committed: 1, failed: 1),
    ]

    func writeSegment(_ dir: TemporaryFolder, _ records: [JournalRecord]) throws -> String {
        let writer = try Journal.openSegment(directory: dir.path, info: Self.info)
        for r in records { try writer.append(r) }
        try writer.close()
        return writer.path
    }

    @Test func segmentsOfOneNumberReplayInTheOrderTheyWereOpenedNotByName() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        // Two writers of other machines that both picked number 1; "zz" opened first.
        let early = SegmentInfo(host: "zz", bootID: "b", pid: 1, time: 1_000)
        let late = SegmentInfo(host: "aa", bootID: "b", pid: 1, time: 2_000)
        for (info, name) in [(late, "000001-aa-1-0.seg"), (early, "000001-zz-1-0.seg")] {
            let w = try SegmentWriter(path: "\(dir.path)/\(name)", info: info)
            if info.host == "zz" {
                try w.append(.committed(UnitCommit(key: Self.key(1), attempt: 1, exitCode: 0, durationMs: 1, time: 1_001, outputs: [])))
            } else {
                try w.append(.invalidated(key: Self.key(1), time: 2_001))
            }
            try w.close()
        }
        #expect(try Journal.segments(in: dir.path) == ["000001-zz-1-0.seg", "000001-aa-1-0.seg"])
        let state = try JournalState(directory: dir.path, repair: false)
        #expect(state.units[Self.key(1)]?.committed == false, "the later invalidation wins whatever the names")
        // A new segment takes the next number and a name no other writer can have picked.
        let next = try Journal.openSegment(directory: dir.path, info: Self.info)
        try next.close()
        let name = (next.path as NSString).lastPathComponent
        #expect(name.hasPrefix("000002-test-host-42-") && name.hasSuffix(".seg"), "\(name)")
    }

    @Test func recordsRoundTrip() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let path = try writeSegment(dir, Self.samples)
        let contents = try SegmentReader.read(path, repair: false)
        #expect(contents.records == [.segmentOpened(Self.info)] + Self.samples)
        #expect(contents.tornAt == nil)
    }

    @Test func forcingAndSLURMRecordsRoundTripAndFold() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let worker = SegmentInfo(host: "node7", bootID: "b", pid: 42, time: 5, job: "1234_3")
        let records: [JournalRecord] = [
            .committed(UnitCommit(key: Self.key(1), attempt: 1, exitCode: 0, durationMs: 3, time: 6, outputs: [])),
            .invalidated(key: Self.key(1), time: 7),
            .slurmSubmitting(name: "cairn-x-00ff", keys: [Self.key(1), Self.key(2)], time: 8),
            .slurmSubmitted(name: "cairn-x-00ff", jobID: "1234", time: 9),
            .slurmEnded(name: "cairn-x-00ff", state: "TIMEOUT", time: 10),
        ]
        let writer = try Journal.openSegment(directory: dir.path, info: worker)
        for r in records { try writer.append(r) }
        try writer.close()
        let contents = try SegmentReader.read(writer.path, repair: false)
        #expect(contents.records == [.segmentOpened(worker)] + records)
        let state = JournalState(segments: [contents])
        #expect(state.units[Self.key(1)]?.committed == false && state.units[Self.key(1)]?.forced == true)
        #expect(state.writers.first?.job == "1234_3")
        #expect(state.submissions["cairn-x-00ff"] == SlurmSubmission(name: "cairn-x-00ff", keys: [Self.key(1), Self.key(2)], jobID: "1234", endState: "TIMEOUT"))
    }

    @Test func tornTailIsCutAtEveryByteOffsetOfTheLastRecord() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let path = try writeSegment(dir, Self.samples)
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        var last: [UInt8] = []
        RecordCodec.encode(Self.samples.last!, into: &last)
        let lastStart = full.count - last.count
        for cut in lastStart..<full.count {
            let copy = "\(dir.path)/cut.seg"
            try full.prefix(cut).write(to: URL(fileURLWithPath: copy))
            let contents = try SegmentReader.read(copy, repair: true)
            #expect(contents.records.count == Self.samples.count, "cut at \(cut)")
            #expect(contents.records.last == Self.samples[Self.samples.count - 2])
            #expect(contents.tornAt == (cut == lastStart ? nil : lastStart), "cut at \(cut)")
            let size = (try FileManager.default.attributesOfItem(atPath: copy)[.size] as! NSNumber).intValue
            #expect(size == lastStart, "repair truncates to the last whole record (cut at \(cut))")
        }
    }

    @Test func readOnlyReplayDoesNotTruncate() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let path = try writeSegment(dir, Self.samples)
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        try full.prefix(full.count - 3).write(to: URL(fileURLWithPath: path))
        let contents = try SegmentReader.read(path, repair: false)
        #expect(contents.tornAt != nil)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue == full.count - 3)
    }

    @Test func corruptionInTheMiddleIsAnErrorNamingSegmentAndOffset() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let path = try writeSegment(dir, Self.samples)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var header: [UInt8] = []
        RecordCodec.encode(.segmentOpened(Self.info), into: &header)
        var first: [UInt8] = []
        RecordCodec.encode(Self.samples[0], into: &first)
        let damaged = header.count + first.count + 12  // inside the third frame
        bytes[damaged] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let offset = header.count + first.count
        #expect {
            _ = try SegmentReader.read(path, repair: true)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("byte \(offset)") && text.contains("truncate -s \(offset)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes), "nothing is changed")
    }

    @Test func groupCommitMakesEveryRecordDurableInOrder() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let durable = DurableLog()
        let writer = try Journal.openSegment(directory: dir.path, info: Self.info) { durable.record($0) }
        for n in 0..<5000 {
            try writer.append(.attemptStarted(key: Self.key(n), attempt: 1, pid: Int32(n), startTicks: Int64(n) * 3, time: Int64(n)))
        }
        try writer.flush()
        #expect(writer.durableSequence == 5000)
        try writer.close()  // joins the writer thread, so every durability callback has run
        let seen = durable.values
        #expect(seen == seen.sorted())
        #expect(seen.last == 5000)
        #expect(seen.count < 5000, "records were synced in batches")
        let state = JournalState(segments: try Journal.replay(directory: dir.path, repair: false))
        #expect(state.units.count == 5000)
        let open = state.openAttempts
        #expect(open.count == 5000)
        #expect(open[Self.key(17)]?.attempt.pid == 17 && open[Self.key(17)]?.attempt.startTicks == 51)
        #expect(open[Self.key(17)]?.writer.host == "test-host")
    }

    @Test func stateFoldsAttemptsCommitsAndFailures() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        _ = try writeSegment(dir, Self.samples)
        _ = try writeSegment(dir, [.attemptStarted(key: Self.key(2), attempt: 4, pid: 9, startTicks: 1, time: 5),
                                   .committed(UnitCommit(key: Self.key(2), attempt: 4, exitCode: 0, durationMs: 1, time: 6, outputs: []))])
        #expect(try Journal.segments(in: dir.path).count == 2)
        let state = JournalState(segments: try Journal.replay(directory: dir.path, repair: false))
        var one = UnitHistory(committed: true, attempts: 1, commitTime: 1_700_000_000_019)
        one.durationMs = 17
        one.commitWriter = 0  // committed by the first segment's writer
        var two = UnitHistory(committed: true, attempts: 4, commitTime: 6)
        two.durationMs = 1
        two.commitWriter = 1
        var three = UnitHistory(committed: false, attempts: 0, interrupted: true)
        three.interruptions = 1
        #expect(state.units[Self.key(1)] == one)
        #expect(state.units[Self.key(2)] == two)
        #expect(state.units[Self.key(3)] == three)
        #expect(state.commitRecords == 2)
        #expect(state.openAttempts.isEmpty)
        #expect(state.outputs(of: Self.key(1))?.count == 2)
        #expect(state.writers.count == 2 && state.writers[0] == Self.info)
    }
}

final class DurableLog: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [UInt64] = []
    func record(_ v: UInt64) { lock.lock(); seen.append(v); lock.unlock() }
    var values: [UInt64] { lock.lock(); defer { lock.unlock() }; return seen }
}

/// Records `cairn merge` writes: commits attributed to the writer that made them elsewhere.
@Suite struct ImportedWriterTests {
    @Test func importedRecordsAttributeCommitsAndSessionsToTheirWriter() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let own = SegmentInfo(host: "here", bootID: "b1", pid: 5, time: 10)
        let other = SegmentInfo(host: "there", bootID: "b2", pid: 7, time: 3)
        let key = Digest(of: "merged")
        let w = try Journal.openSegment(directory: dir.path, info: own)
        try w.append(.runStarted(time: 10, snapshot: Digest(of: "")))
        try w.append(.imported(other))
        try w.append(.runStarted(time: 3, snapshot: Digest(of: "")))
        try w.append(.command("cairn run p.yaml --shard '2/2'"))
        try w.append(.committed(UnitCommit(key: key, attempt: 2, exitCode: 0, durationMs: 40, time: 4, outputs: [])))
        try w.append(.runEnded(time: 5, committed: 1, failed: 0))
        try w.append(.imported(own))
        try w.append(.partial(key: key, step: "sum", items: 3, total: 9))
        try w.append(.runEnded(time: 11, committed: 1, failed: 0))
        try w.close()
        let records = try SegmentReader.read(w.path, repair: false).records
        #expect(records.count == 10, "every new record type round-trips: \(records)")
        #expect(records.contains(.command("cairn run p.yaml --shard '2/2'")))
        let state = try JournalState(directory: dir.path, repair: false)
        #expect(state.writers.map(\.host) == ["here", "there"])
        #expect(state.units[key]?.commitWriter == 1 && state.units[key]?.attempts == 2)
        #expect(state.activity[1].command == "cairn run p.yaml --shard '2/2'")
        #expect(state.activity[1].imported && state.activity[1].commits == 1 && state.activity[1].ended == 5 && state.activity[1].started == 3)
        #expect(state.activity[0].merged && state.activity[0].commits == 0 && state.activity[0].ended == 11)
        #expect(state.importedWriters == [other.identity])
        #expect(state.partialAggregates["sum"] == PartialAggregate(key: key, items: 3, total: 9))
        #expect(state.lastSessionEnded)
    }
}
