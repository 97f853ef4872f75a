/// Splits the units a cluster should run now into chunks for array tasks. Pure.
///
/// A unit can go now if it is wanted, not committed, not in flight, and each unit it needs is
/// committed or goes now for the same item (a worker runs its chunk in dependency order). Units
/// of one item stay in one chunk; aggregates (`foreach: once`) go only when everything they need
/// is committed, each in a chunk of its own.
public enum ChunkPlanner {
    /// Chunks of unit indices, at most `size` items' units each (aggregates alone).
    public static func chunks(plan: Plan, wanted: [Bool], committed: [Bool], inFlight: Set<Int>, size: Int) -> [[Int]] {
        var goes = [Bool](repeating: false, count: plan.units.count)
        for u in plan.units where wanted[u.index] && !committed[u.index] && !inFlight.contains(u.index) {
            goes[u.index] = u.needs.allSatisfy { n in committed[n] || (goes[n] && u.item != nil && plan.units[n].item == u.item) }
        }
        var byItem: [Int: [Int]] = [:]
        var itemOrder: [Int] = []
        var aggregates: [[Int]] = []
        for u in plan.units where goes[u.index] {
            guard let item = u.item else { aggregates.append([u.index]); continue }
            if byItem[item] == nil { itemOrder.append(item) }
            byItem[item, default: []].append(u.index)
        }
        itemOrder.sort()
        var chunks: [[Int]] = []
        var current: [Int] = []
        var items = 0
        for item in itemOrder {
            current += byItem[item]!
            items += 1
            if items == max(1, size) {
                chunks.append(current)
                current = []
                items = 0
            }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks + aggregates
    }
}
