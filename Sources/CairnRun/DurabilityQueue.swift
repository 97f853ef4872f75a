/// Commits journaled but not yet durable, in journal order: a unit counts as committed (and
/// its dependents may start) only once its record's sequence number is durable.
///
/// Sequence numbers only grow, so settling takes entries from the front; each entry is touched
/// once, however far durability lags behind.
struct DurabilityQueue {
    private var entries: [(sequence: UInt64, unit: Int)] = []
    private var head = 0
    /// Sequence numbers of entries whose units have dependents, in order (with their own head).
    private var needed: [UInt64] = []
    private var neededHead = 0

    var isEmpty: Bool { head == entries.count }

    /// The last commit awaited.
    var lastSequence: UInt64? { isEmpty ? nil : entries[entries.count - 1].sequence }

    /// The first awaited commit that something depends on.
    var firstNeeded: UInt64? { neededHead < needed.count ? needed[neededHead] : nil }

    mutating func append(sequence: UInt64, unit: Int, hasDependents: Bool) {
        entries.append((sequence, unit))
        if hasDependents { needed.append(sequence) }
    }

    /// Removes and returns the units whose commits are durable now.
    mutating func settle(durable: UInt64) -> ArraySlice<(sequence: UInt64, unit: Int)> {
        let start = head
        while head < entries.count && entries[head].sequence <= durable { head += 1 }
        while neededHead < needed.count && needed[neededHead] <= durable { neededHead += 1 }
        let settled = entries[start..<head]
        if head > 4096 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
            needed.removeFirst(neededHead)
            neededHead = 0
            return ArraySlice(Array(settled))
        }
        return settled
    }

    mutating func removeAll() {
        entries = []
        head = 0
        needed = []
        neededHead = 0
    }
}
