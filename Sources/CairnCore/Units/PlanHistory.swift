/// The journal's history of each unit of one plan, looked up by key once (on every core) and
/// read by position afterwards.
///
/// Status, trials, analyze and the explainer each walk every unit of a plan; at a million
/// units a lookup by key costs a few hundred nanoseconds (random reads in a table of 100 MB),
/// so each walk cost a few tenths of a second. Resolving copies what those walks read of each
/// unit (``Facts``: its standing, duration and committing writer) into an array in plan
/// order, which they then read front to back; the full history stays one read away. The
/// table is kept as it was when resolved (a value: later changes to a journal state are not
/// seen).
public struct PlanHistory: Sendable {
    /// What the walks over a plan read of a unit's history, 16 bytes a unit.
    public struct Facts: Sendable, Equatable {
        private let flags: UInt8
        private let storedDuration: Int64
        /// The writer whose commit counts (``UnitHistory/commitWriter``); -1 when not committed.
        public let commitWriter: Int32

        private static let known: UInt8 = 1, committedFlag: UInt8 = 2, remakingFlag: UInt8 = 4, interruptedFlag: UInt8 = 8
        private static let failedFlag: UInt8 = 16, forcedFlag: UInt8 = 32, attemptedFlag: UInt8 = 64

        /// The facts of `history` (nil: a unit the journal has no record of).
        public init(_ history: UnitHistory?) {
            guard let h = history else {
                flags = 0
                storedDuration = .min
                commitWriter = -1
                return
            }
            var f = Self.known
            if h.committed { f |= Self.committedFlag }
            if h.remaking { f |= Self.remakingFlag }
            if h.interrupted { f |= Self.interruptedFlag }
            if h.lastFailure != nil { f |= Self.failedFlag }
            if h.forced { f |= Self.forcedFlag }
            if h.attempts > 0 { f |= Self.attemptedFlag }
            flags = f
            storedDuration = h.durationMs ?? .min
            commitWriter = h.commitWriter
        }

        /// The journal has a record of the unit.
        public var known: Bool { flags & Self.known != 0 }
        /// See ``UnitHistory/committed``.
        public var committed: Bool { flags & Self.committedFlag != 0 }
        /// See ``UnitHistory/remaking``.
        public var remaking: Bool { flags & Self.remakingFlag != 0 }
        /// See ``UnitHistory/done``.
        public var done: Bool { committed && !remaking }
        /// See ``UnitHistory/interrupted``.
        public var interrupted: Bool { flags & Self.interruptedFlag != 0 }
        /// The last attempt failed (``UnitHistory/lastFailure`` is set).
        public var failed: Bool { flags & Self.failedFlag != 0 }
        /// See ``UnitHistory/forced``.
        public var forced: Bool { flags & Self.forcedFlag != 0 }
        /// An attempt started at some time (``UnitHistory/attempts`` > 0).
        public var attempted: Bool { flags & Self.attemptedFlag != 0 }
        /// See ``UnitHistory/durationMs``.
        public var durationMs: Int64? { storedDuration == .min ? nil : storedDuration }
    }

    /// The table the slots index.
    public let table: UnitTable
    /// Per plan unit, its slot in `table`, or -1 when the journal has no record of it.
    private let slots: [Int32]
    private let facts: [Facts]

    /// Resolves every unit of `plan` in `table`.
    public init(plan: Plan, table: UnitTable) {
        self.table = table
        let units = plan.units
        // Both arrays written in place, a block of units per task. A run's units are in the
        // table in the order it first journaled them, mostly the plan's: the entry after the
        // previous unit's is tried before the index (a hit reads memory in order).
        var facts: [Facts] = []
        let block = 16_384
        slots = [Int32](unsafeUninitializedCapacity: units.count) { slots, initializedSlots in
            facts = [Facts](unsafeUninitializedCapacity: units.count) { facts, initializedFacts in
                let out = Output(slots: slots, facts: facts)
                ParallelMap.forEach((units.count + block - 1) / block, threshold: 2) { b in
                    var next = -1
                    for i in (b * block)..<min(units.count, (b + 1) * block) {
                        let key = units[i].key
                        let slot = next >= 0 && next < table.count && table[slot: next].key == key ? next : table.slot(of: key)
                        (out.slots.baseAddress! + i).initialize(to: Int32(slot ?? -1))
                        (out.facts.baseAddress! + i).initialize(to: Facts(slot.map { table[historyAt: $0] }))
                        next = slot.map { $0 + 1 } ?? -1
                    }
                }
                initializedFacts = units.count
            }
            initializedSlots = units.count
        }
        self.facts = facts
    }

    /// The arrays being filled, handed to the workers (each writes only its own units).
    private struct Output: @unchecked Sendable {
        let slots: UnsafeMutableBufferPointer<Int32>
        let facts: UnsafeMutableBufferPointer<Facts>
    }

    /// How many plan units were resolved (the plan's unit count).
    public var count: Int { slots.count }

    /// What the walks read of the history of the plan's unit at `index` (``PlannedUnit/index``).
    public func facts(_ index: Int) -> Facts { facts[index] }

    /// The history of the plan's unit at `index` (``PlannedUnit/index``); nil when the journal
    /// has no record of it.
    public subscript(index: Int) -> UnitHistory? {
        let slot = slots[index]
        return slot < 0 ? nil : table[historyAt: Int(slot)]
    }

    /// The slot in ``table`` of the plan's unit at `index`, nil when the journal has no record of it.
    public func slot(ofUnit index: Int) -> Int? {
        let slot = slots[index]
        return slot < 0 ? nil : Int(slot)
    }
}
