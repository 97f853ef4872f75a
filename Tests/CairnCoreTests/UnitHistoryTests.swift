import CairnCore
import Testing

/// `UnitHistory` keeps its rare parts boxed and its optional numbers as sentinels: a run of a
/// million units holds a million of them. The public properties must behave as stored ones.
@Suite struct UnitHistoryTests {
    @Test func staysSmall() {
        #expect(MemoryLayout<UnitHistory>.stride <= 48, "a million histories: keep the rare parts boxed")
    }

    @Test func everyPropertyReadsBackWhatWasSetAndEqualityComparesThemAll() {
        var h = UnitHistory()
        #expect(h.commitTime == nil && h.durationMs == nil && h.lastFailure == nil && h.open == nil)
        #expect(!h.committed && !h.interrupted && !h.forced && !h.remaking && h.attempts == 0 && h.interruptions == 0)
        let open = UnitHistory.OpenAttempt(attempt: 3, pid: 42, startTicks: 7, writer: 1, time: 99)
        h.committed = true; h.interrupted = true; h.forced = true; h.remaking = true
        h.attempts = 5; h.interruptions = 2; h.commitTime = 0; h.durationMs = -1
        h.lastFailure = "exited 1"; h.open = open; h.commitWriter = 3; h.failureWriter = 4
        #expect(h.committed && h.interrupted && h.forced && h.remaking && h.attempts == 5 && h.interruptions == 2)
        #expect(h.commitTime == 0 && h.durationMs == -1 && h.lastFailure == "exited 1" && h.open == open)
        #expect(h.commitWriter == 3 && h.failureWriter == 4)

        // Each property on its own makes two histories differ; a copy is independent.
        let base = h
        var copy = h
        copy.lastFailure = nil
        #expect(copy.lastFailure == nil && copy.open == open && base.lastFailure == "exited 1", "the box is replaced, not shared")
        #expect(copy != base)
        copy = base; copy.open = nil
        #expect(copy.open == nil && copy.lastFailure == "exited 1" && base.open == open)
        #expect(copy != base)
        let changes: [(inout UnitHistory) -> Void] = [
            { $0.committed = false }, { $0.interrupted = false }, { $0.forced = false }, { $0.remaking = false },
            { $0.attempts = 6 }, { $0.interruptions = 3 }, { $0.commitTime = nil }, { $0.durationMs = nil },
            { $0.lastFailure = "other" }, { $0.open?.pid = 43 }, { $0.commitWriter = -1 }, { $0.failureWriter = -1 },
        ]
        for (n, change) in changes.enumerated() {
            var other = base
            change(&other)
            #expect(other != base, "change \(n) is seen by ==")
        }
        #expect(base == h)
        copy = base; copy.lastFailure = nil; copy.open = nil
        var plain = base; plain.lastFailure = nil; plain.open = nil
        #expect(copy == plain)
        #expect(UnitHistory(committed: true, attempts: 1, lastFailure: "x") == {
            var u = UnitHistory(); u.committed = true; u.attempts = 1; u.lastFailure = "x"; return u
        }())
    }
}
