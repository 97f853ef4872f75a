import CairnCore
import CairnSoak
import Testing

/// `UnitTable` is the journal state's per-unit store: it must behave as a dictionary from key
/// to history (checked against one over random operations), keep slots fixed while keys are
/// only added, and iterate in the order keys were first stored.
@Suite struct UnitTableTests {
    /// Hashed keys, and hand-made ones that differ in their last byte only (the index must not
    /// rely on the first bytes).
    static func key(_ n: Int, hashed: Bool) -> Digest {
        hashed ? Digest(of: "unit-\(n)") : Digest(bytes: [UInt8](repeating: 0, count: 28) + [0, 0, UInt8(n >> 8 & 255), UInt8(n & 255)])
    }

    @Test(arguments: [true, false])
    func behavesAsADictionaryOverRandomInsertsUpdatesAndRemovals(hashed: Bool) {
        var g = SplitMix(seed: hashed ? 1 : 2)
        var table = UnitTable()
        var model: [Digest: UnitHistory] = [:]
        var order: [Digest] = []
        for step in 0..<20_000 {
            let key = Self.key(Int.random(in: 0..<600, using: &g), hashed: hashed)
            switch Int.random(in: 0..<10, using: &g) {
            case 0..<5:
                let h = UnitHistory(committed: Bool.random(using: &g), attempts: step)
                if model[key] == nil { order.append(key) }
                table[key] = h
                model[key] = h
            case 5, 6:
                table[key, default: UnitHistory()].attempts += 1
                if model[key] == nil { order.append(key) }
                model[key, default: UnitHistory()].attempts += 1
            case 7:
                table[key] = nil
                model[key] = nil
                order.removeAll { $0 == key }
            default:
                #expect(table[key] == model[key], "step \(step)")
            }
        }
        #expect(table.count == model.count)
        for (key, history) in model { #expect(table[key] == history) }
        for (key, history) in table { #expect(model[key] == history) }
        #expect(Set(table.keys) == Set(order), "every key once")
        for slot in 0..<table.count { #expect(table.slot(of: table[slot: slot].key) == slot) }
    }

    @Test func slotsStayAndIterationFollowsFirstStoreWhileKeysAreOnlyAdded() {
        var table = UnitTable()
        let keys = (0..<5_000).map { Self.key($0, hashed: true) }
        for (n, key) in keys.enumerated() { table[key] = UnitHistory(attempts: n) }
        for (n, key) in keys.enumerated() {
            #expect(table.slot(of: key) == n)
            #expect(table[slot: n].key == key && table[historyAt: n].attempts == n)
        }
        table[keys[7]] = UnitHistory(committed: true)  // an update keeps the slot
        #expect(table.slot(of: keys[7]) == 7 && table[historyAt: 7].committed)
        #expect(Array(table.keys) == keys)
        #expect(table.slot(of: Self.key(99_999, hashed: true)) == nil)
        table[historyAt: 9].interruptions = 4
        #expect(table[keys[9]]?.interruptions == 4)
    }

    @Test func equalityIgnoresOrderAndFilterKeepsATable() {
        let a: UnitTable = [Self.key(1, hashed: true): UnitHistory(committed: true), Self.key(2, hashed: true): UnitHistory(attempts: 2)]
        let b: UnitTable = [Self.key(2, hashed: true): UnitHistory(attempts: 2), Self.key(1, hashed: true): UnitHistory(committed: true)]
        #expect(a == b)
        var c = b
        c[Self.key(2, hashed: true)]?.attempts = 3
        #expect(a != c && b != c, "a copy is independent")
        let committed = a.filter { $0.value.committed }
        #expect(committed.count == 1 && committed[Self.key(1, hashed: true)] != nil)
        #expect(UnitTable().isEmpty && !a.isEmpty)
    }

    @Test func aPlanHistoryReadsWhatTheTableSaysForEveryUnitOfItsPlan() throws {
        let spec = try PipelineDecoder.decode(text: "name: h\nitems: {i: {range: [0, 30000]}}\nsteps:\n  - {name: a, run: true, outputs: {o: 'o/{i}'}}\n", file: "h.yaml")
        let plan = try Planner.plan(spec)
        var table = UnitTable()
        for unit in plan.units where unit.index % 3 != 0 {
            var h = UnitHistory(committed: unit.index % 2 == 0, attempts: unit.index % 4, lastFailure: unit.index % 5 == 0 ? "exit 1" : nil,
                                interrupted: unit.index % 7 == 0)
            h.remaking = unit.index % 11 == 0
            h.forced = unit.index % 13 == 0
            h.durationMs = unit.index % 17 == 0 ? nil : Int64(unit.index)
            h.commitWriter = Int32(unit.index % 3)
            table[unit.key] = h
        }
        table[Digest(of: "not in the plan")] = UnitHistory(attempts: 1)
        let resolved = PlanHistory(plan: plan, table: table)  // 30,000 units: resolved on every core
        #expect(resolved.count == plan.units.count)
        for unit in plan.units {
            #expect(resolved[unit.index] == table[unit.key])
            #expect(resolved.slot(ofUnit: unit.index) == table.slot(of: unit.key))
            let f = resolved.facts(unit.index), h = table[unit.key]
            #expect(f.known == (h != nil) && f.committed == (h?.committed ?? false) && f.done == (h?.done ?? false))
            #expect(f.remaking == (h?.remaking ?? false) && f.interrupted == (h?.interrupted ?? false) && f.forced == (h?.forced ?? false))
            #expect(f.failed == (h?.lastFailure != nil) && f.attempted == ((h?.attempts ?? 0) > 0))
            #expect(f.durationMs == h?.durationMs && f.commitWriter == (h?.commitWriter ?? -1))
            #expect(UnitStanding(f, failure: { h?.lastFailure ?? "" }) == UnitStanding(h))
        }
        #expect(resolved[0] == nil && resolved[1]?.attempts == 1)
    }
}
