import CairnCore
@testable import CairnJournal
import CairnTestSupport
import Foundation
import Testing

/// The state checkpoint: loading it and replaying the tail gives exactly the state a full
/// replay gives, and a checkpoint that does not fit the journal is never used.
@Suite struct JournalCheckpointTests {
    /// A deterministic generator for the random journals (SplitMix64).
    struct Mix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func key(_ n: Int) -> Digest { Digest(of: "unit-\(n)") }

    /// A random record of any kind that changes the fold.
    static func record(_ g: inout Mix, time: Int64) -> JournalRecord {
        let k = key(Int.random(in: 0..<40, using: &g))
        let a = Int.random(in: 1...4, using: &g)
        switch Int.random(in: 0..<16, using: &g) {
        case 0, 1, 2: return .attemptStarted(key: k, attempt: a, pid: Int32.random(in: 1...99_999, using: &g), startTicks: Int64.random(in: 0...1 << 40, using: &g), time: time)
        case 3, 4:
            let outputs = (0..<Int.random(in: 0...2, using: &g)).map { OutputDigest(size: Int64($0 * 100), digest: key(1000 + $0)) }
            let metrics = Bool.random(using: &g) ? [Metric(name: "loss", value: Double.random(in: 0...1, using: &g)), Metric(name: "größe", value: 1.0)] : []
            return .committed(UnitCommit(key: k, attempt: a, exitCode: 0, durationMs: Int64(a * 7), time: time, outputs: outputs, metrics: metrics))
        case 5: return .failed(UnitFailure(key: k, attempt: a, exitCode: 3, durationMs: 5, time: time, reason: "exit 3 — é"))
        case 6: return .interrupted(key: k, attempt: a, time: time)
        case 7: return .invalidated(key: k, time: time)
        case 8: return .runStarted(time: time, snapshot: key(9999))
        case 9: return .runEnded(time: time, committed: a, failed: 1)
        case 10: return .command("cairn run p.yaml -m 'ü'")
        case 11: return .provenance(SessionProvenance(version: "1", user: "u", gitCommit: "c", gitDirty: Bool.random(using: &g), diff: "d", message: "m"))
        case 12: return .outcome("completed")
        case 13:
            let name = "job-\(Int.random(in: 0..<3, using: &g))"
            switch Int.random(in: 0..<3, using: &g) {
            case 0: return .slurmSubmitting(name: name, keys: [k, key(a)], time: time)
            case 1: return .slurmSubmitted(name: name, jobID: "\(a)", time: time)
            default: return .slurmEnded(name: name, state: "COMPLETED", time: time)
            }
        case 14: return .proposed(batch: Int.random(in: 0..<3, using: &g), trials: ["{\"x\":\(a)}"], time: time)
        default:
            if Bool.random(using: &g) { return .partial(key: k, step: "agg", items: a, total: 10) }
            return .imported(SegmentInfo(host: "other-\(Int.random(in: 0..<2, using: &g))", bootID: "b", pid: 7, time: 5, job: ""))
        }
    }

    /// The bytes of a segment: its header, then `count` random records.
    static func segment(_ g: inout Mix, writer: Int, count: Int) -> (bytes: [UInt8], frames: [Int]) {
        var out: [UInt8] = []
        var frames: [Int] = []
        let job = writer % 3 == 2 ? "77_\(writer)" : ""
        RecordCodec.encode(.segmentOpened(SegmentInfo(host: "h\(writer)", bootID: "b", pid: Int32(writer), time: Int64(writer), job: job)), into: &out)
        frames.append(out.count)
        for i in 0..<count {
            RecordCodec.encode(record(&g, time: Int64(writer * 1000 + i)), into: &out)
            frames.append(out.count)
        }
        return (out, frames)
    }

    func write(_ dir: TemporaryFolder, _ name: String, _ bytes: ArraySlice<UInt8>) {
        FileManager.default.createFile(atPath: "\(dir.path)/\(name)", contents: Data(bytes))
    }

    /// Everything a replay builds, as comparable values: the canonical encoding plus what the
    /// checkpoint does not store.
    func fingerprint(_ s: JournalState) -> [String] {
        let payload = JournalCheckpoint.encode(s, coverage: [])
        let crc = payload.withUnsafeBytes { CRC32.checksum($0) }
        return ["\(payload.count) bytes, CRC \(crc)", "\(s.bytes)", "\(s.tornTails.map { "\($0.path)@\($0.offset)" })"]
    }

    @Test func checkpointPlusTailEqualsAFullReplayAtRandomCutPoints() throws {
        var g = Mix(state: 20_261_203)
        var used = 0, refreshes = 0
        for round in 0..<120 {
            let dir = TemporaryFolder()
            defer { dir.remove() }
            let count = Int.random(in: 1...4, using: &g)
            let segments = (0..<count).map { Self.segment(&g, writer: $0, count: Int.random(in: 0...60, using: &g)) }
            let names = (0..<count).map { String(format: "%06d-h%d-1-0.seg", $0 + 1, $0) }
            // The moment of the checkpoint: segments before `live` complete (or cut short by a
            // crash), `live` part-written, none after it yet.
            let live = Int.random(in: 0..<count, using: &g)
            for i in 0...live {
                let s = segments[i]
                let frame = s.frames[Int.random(in: 0..<s.frames.count, using: &g)]
                let cut = i == live || Bool.random(using: &g) ? min(s.bytes.count, frame + Int.random(in: 0...5, using: &g)) : s.bytes.count
                write(dir, names[i], s.bytes[0..<cut])
            }
            let early = try JournalState(directory: dir.path, repair: false, useCheckpoint: false)
            try JournalCheckpoint.write(early, directory: dir.path)
            // Later: every segment written out in full (the last perhaps torn), except that a
            // crashed earlier segment stays as it was with a probability (repair cuts torn tails).
            for i in 0..<count where i >= live || Bool.random(using: &g) {
                let s = segments[i]
                let tornLast = i == count - 1 && Bool.random(using: &g)
                write(dir, names[i], s.bytes[0..<(tornLast ? max(s.frames[0], s.bytes.count - 3) : s.bytes.count)])
            }
            let full = try JournalState(directory: dir.path, repair: false, useCheckpoint: false)
            // A state kept in memory and refreshed (as a running session's checkpointer does).
            var refreshed = early
            if try refreshed.refresh(directory: dir.path) {
                #expect(fingerprint(refreshed) == fingerprint(full), "round \(round), refreshed")
                refreshes += 1
            }
            let repair = Bool.random(using: &g)
            let fast = try JournalState(directory: dir.path, repair: repair)
            #expect(fingerprint(fast) == fingerprint(full), "round \(round)")
            if fast.replayedBytes < fast.bytes { used += 1 }
            // And a checkpoint written from the fast state reads back to the same state again.
            try JournalCheckpoint.write(fast, directory: dir.path)
            let again = try JournalState(directory: dir.path, repair: false)
            let fullAgain = try JournalState(directory: dir.path, repair: false, useCheckpoint: false)  // after any repair
            #expect(fingerprint(again) == fingerprint(fullAgain), "round \(round), second checkpoint")
        }
        #expect(used > 40, "the checkpoint was used in \(used) of 120 rounds")
        #expect(refreshes > 40, "refreshed in place in \(refreshes) of 120 rounds")
    }

    /// A journal of two finished segments and its checkpoint.
    func checkpointed(_ dir: TemporaryFolder) throws -> (JournalState, [String]) {
        var g = Mix(state: 7)
        let names = ["000001-a-1-0.seg", "000002-b-1-0.seg"]
        for (i, name) in names.enumerated() { write(dir, name, Self.segment(&g, writer: i, count: 50).bytes[...]) }
        let state = try JournalState(directory: dir.path, repair: false, useCheckpoint: false)
        try JournalCheckpoint.write(state, directory: dir.path)
        let loaded = try JournalState(directory: dir.path, repair: false)
        #expect(loaded.replayedBytes == 0 && loaded.bytes == state.bytes, "an up-to-date checkpoint leaves nothing to replay")
        #expect(fingerprint(loaded) == fingerprint(state))
        return (state, names)
    }

    @Test func aDamagedCheckpointIsIgnored() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let (state, _) = try checkpointed(dir)
        let path = JournalCheckpoint.path(in: dir.path)
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        for offset in [0, 9, 13, 20, 30, bytes.count / 2, bytes.count - 1] {
            var damaged = bytes
            damaged[offset] ^= 0x40
            FileManager.default.createFile(atPath: path, contents: Data(damaged))
            let read = try JournalState(directory: dir.path, repair: false)
            #expect(read.replayedBytes == read.bytes, "damage at byte \(offset) of the checkpoint was not noticed")
            #expect(fingerprint(read) == fingerprint(state))
        }
        bytes.removeLast(7)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(try JournalState(directory: dir.path, repair: false).replayedBytes == state.bytes, "a short checkpoint is ignored")
    }

    @Test func aCheckpointThatNoLongerFitsTheSegmentsIsIgnored() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let (state, names) = try checkpointed(dir)
        let second = "\(dir.path)/\(names[1])"
        let original = FileManager.default.contents(atPath: second)!
        // Shorter than covered (a segment cut below what the checkpoint saw).
        FileManager.default.createFile(atPath: second, contents: original.prefix(original.count - 20))
        var read = try JournalState(directory: dir.path, repair: false)
        #expect(read.replayedBytes == read.bytes)
        #expect(fingerprint(read) == fingerprint(try JournalState(directory: dir.path, repair: false, useCheckpoint: false)))
        // Same length, other records (a folder restored from elsewhere).
        var g = Mix(state: 99)
        var other = Self.segment(&g, writer: 1, count: 400).bytes
        other = Array(other.prefix(original.count))
        FileManager.default.createFile(atPath: second, contents: Data(other))
        read = try JournalState(directory: dir.path, repair: false)
        #expect(read.replayedBytes == read.bytes, "the boundary checksum differs")
        // A segment the checkpoint covers is gone.
        FileManager.default.createFile(atPath: second, contents: original)
        try FileManager.default.removeItem(atPath: "\(dir.path)/\(names[0])")
        read = try JournalState(directory: dir.path, repair: false)
        #expect(read.replayedBytes == read.bytes)
        #expect(read.bytes == original.count)
        _ = state
    }

    @Test func writingACheckpointRemovesWhatAKilledWriterLeft() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        _ = dir.write(".state.checkpoint.4242.tmp", "half a checkpoint")
        _ = try checkpointed(dir)
        #expect(!dir.exists(".state.checkpoint.4242.tmp"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["000001-a-1-0.seg", "000002-b-1-0.seg", "state.checkpoint"])
    }

    @Test func aCheckpointOfAnotherFoldVersionIsIgnoredAndOlderReadersSeeOnlySegments() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let (state, names) = try checkpointed(dir)
        let path = JournalCheckpoint.path(in: dir.path)
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        bytes[12] = UInt8(JournalCheckpoint.foldVersion + 1)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(try JournalState(directory: dir.path, repair: false).replayedBytes == state.bytes)
        #expect(try Journal.segments(in: dir.path) == names, "the checkpoint is not a segment")
    }

    @Test func crc32MatchesTheBytewiseDefinition() {
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        var g = Mix(state: 3)
        for length in Array(0..<70) + [255, 256, 257, 4099] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) }
            var crc: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                crc ^= UInt32(b)
                for _ in 0..<8 { crc = (crc & 1) != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
            }
            #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == crc ^ 0xFFFF_FFFF, "length \(length)")
        }
    }
}
