import CairnCore
@testable import CairnJournal
import CairnTestSupport
import Foundation
import Testing

/// The state checkpoint a running session keeps beside its journal, through real `kill -9`s.
@Suite(.serialized) struct CheckpointTests {
    /// Everything a replay builds, comparable: the checkpoint's canonical bytes of the state,
    /// plus the journal size and torn tails it does not store.
    func fingerprint(_ s: JournalState) -> String {
        let payload = JournalCheckpoint.encode(s, coverage: [])
        return "\(payload.count) \(payload.withUnsafeBytes { CRC32.checksum($0) }) \(s.bytes) \(s.tornTails.map { "\($0.path)@\($0.offset)" })"
    }

    @Test func checkpointPlusTailEqualsAFullReplayAfterEveryKillAndResumeRunsEachUnitOnce() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: ckpt
            items: {i: {range: [0, 3000]}}
            steps:
              - name: s
                run: 'echo {i} $CAIRN_UNIT_KEY >> ran.log; sleep 0.02'  # slow enough that every round is killed mid-run
            """)
        let journal = "\(dir.path)/.cairn/runs/ckpt/journal"
        // A checkpoint whenever 4 KB were journaled since the last one (the default is 4 MB).
        let env = ["CAIRN_CHECKPOINT_BYTES": "4096"]
        var used = 0
        var kills = 0
        // After each kill: how much of ran.log existed, and the units committed by then.
        var marks: [(lines: Int, committed: Set<String>)] = []
        var g = SystemRandomNumberGenerator()
        for round in 0..<5 {
            let process = try CairnBinary.start([round == 0 ? "run" : "resume", round == 0 ? "p.yaml" : "ckpt", "-j", "4"], in: dir.path, environment: env)
            // Killed once the round has made progress (a loaded machine plans slowly), after at
            // least one of the session's checkpoint polls (every second).
            let before = dir.lines("ran.log").count
            _ = CairnBinary.waitFor(timeout: 60) { dir.lines("ran.log").count >= before + 150 || !process.isRunning }
            usleep(UInt32.random(in: 1_200_000...2_000_000, using: &g))
            process.signal(SIGKILL)
            let ended = process.wait()
            if ended.status == 128 + SIGKILL { kills += 1 } else { #expect(ended.status == 0, "round \(round): \(ended.stderr)"); break }
            let fast = try JournalState(directory: journal, repair: false)
            let full = try JournalState(directory: journal, repair: false, useCheckpoint: false)
            #expect(fingerprint(fast) == fingerprint(full), "round \(round)")
            if FileManager.default.fileExists(atPath: JournalCheckpoint.path(in: journal)) && fast.replayedBytes < fast.bytes { used += 1 }
            marks.append((dir.lines("ran.log").count, Set(full.units.filter { $0.value.committed }.map { $0.key.hex })))
        }
        #expect(kills >= 3, "the runs were killed while running (\(kills) kills)")
        #expect(used >= 2, "a checkpoint written by the killed session was used after \(used) of \(kills) kills")
        let finished = try CairnBinary.run(["resume", "ckpt"], in: dir.path, environment: env)
        #expect(finished.status == 0, "\(finished.stderr)")
        let state = try JournalState(directory: journal, repair: false)
        #expect(fingerprint(state) == fingerprint(try JournalState(directory: journal, repair: false, useCheckpoint: false)))
        #expect(state.units.count == 3000 && state.units.values.allSatisfy(\.done))
        // Every unit ran; none that was committed when a kill came ran again after it (units
        // that had run but whose commit was not yet durable may, as may interrupted ones).
        let lines = dir.lines("ran.log").map { $0.split(separator: " ").map(String.init) }
        #expect(Set(lines.map { $0[0] }).count == 3000)
        for (k, mark) in marks.enumerated() {
            let again = lines.dropFirst(mark.lines).filter { $0.count == 2 && mark.committed.contains($0[1]) }
            #expect(again.isEmpty, "after kill \(k + 1): \(again.count) committed unit(s) ran again")
        }
        #expect(lines.count - 3000 < 3000 / 10, "\(lines.count - 3000) extra run(s) for \(kills) kills")
        let status = try CairnBinary.run(["status", "ckpt", "--json"], in: dir.path)
        #expect(status.stdout.contains("\"committed\":3000") || status.stdout.contains("\"committed\" : 3000"), "\(status.stdout)")
        // The finished session left a checkpoint that leaves less to replay than the rule for a
        // new one (4 KB here, and a quarter of what the checkpoint covers).
        let covered = state.bytes - state.replayedBytes
        #expect(covered > 0 && state.replayedBytes < max(4096, covered / 4), "replayed \(state.replayedBytes) of \(state.bytes) bytes")
    }
}
