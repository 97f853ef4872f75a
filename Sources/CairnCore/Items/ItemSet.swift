/// Expands axes into the item set: their cartesian product, optionally sampled.
///
/// Order: the first axis varies slowest (like nested loops in declaration order).
///
/// Sampling (`sample: {count, seed}`) keeps the `count` items whose
/// `SHA-256("cairn-sample-v1:" + seed + ":" + item JSON)` is smallest (bytes compared in order),
/// and keeps them in product order. Item JSON is ``Item/json(axes:)``. The choice depends only
/// on the item values and the seed, so it is the same on every machine and version, and
/// growing `count` only adds items.
public enum ItemSet {
    /// The items of `axes` (each given by its resolved values).
    ///
    /// Axes of the same `group` (the columns of a trials table) are one dimension: they take
    /// their values row by row, together, and the group multiplies with the other axes.
    public static func expand(axes: [(name: String, values: [ItemValue])], groups: [String?]? = nil, sample: SampleSpec?) -> [Item] {
        let names = axes.map(\.name)
        // Dimensions: each ungrouped axis, and each group of axes (at its first axis).
        var dimensions: [[Int]] = []
        var groupDimension: [String: Int] = [:]
        for (i, g) in (groups ?? Array(repeating: nil, count: axes.count)).enumerated() {
            if let g, let d = groupDimension[g] { dimensions[d].append(i); continue }
            if let g { groupDimension[g] = dimensions.count }
            dimensions.append([i])
        }
        let sizes = dimensions.map { axes[$0[0]].values.count }
        var total = 1
        for size in sizes { total = total.multipliedReportingOverflow(by: size).overflow ? Int.max : total * size }
        guard total > 0 else { return [] }
        var combos: [ItemValues] = []
        combos.reserveCapacity(min(total, 10_000_000))
        var counters = [Int](repeating: 0, count: dimensions.count)
        var values = [ItemValue](repeating: .int(0), count: axes.count)
        outer: while true {
            for (d, members) in dimensions.enumerated() { for a in members { values[a] = axes[a].values[counters[d]] } }
            combos.append(ItemValues(values))
            var k = dimensions.count - 1
            while k >= 0 {
                counters[k] += 1
                if counters[k] < sizes[k] { continue outer }
                counters[k] = 0
                k -= 1
            }
            break
        }
        if let sample, sample.count < combos.count {
            let json = Item.jsonWriter(axes: names)
            let prefix = "cairn-sample-v1:\(sample.seed):"
            let ranked = combos.indices.map { i -> (Digest, Int) in
                (Digest(of: prefix + json(Item(index: i, values: combos[i]))), i)
            }
            let kept = ranked.sorted { $0.0 < $1.0 }.prefix(sample.count).map(\.1).sorted()
            combos = kept.map { combos[$0] }
        }
        return combos.enumerated().map { Item(index: $0.offset, values: $0.element) }
    }
}

extension ItemSet {
    /// Random search: `sample.count` trials, each drawing every axis — a ``Distribution``
    /// axis from its distribution, a listed axis as a choice among its values — from
    /// ``Distribution/draw(seed:trial:axis:)``. A trial equal to an earlier one is left out
    /// (it would be the same item), so there may be fewer items than `count`.
    public static func draw(axes: [(name: String, distribution: Distribution)], sample: SampleSpec) -> [Item] {
        let names = axes.map(\.name)
        let json = Item.jsonWriter(axes: names)
        var seen = Set<String>()
        var items: [Item] = []
        for trial in 0..<max(0, sample.count) {
            let values = axes.map { $0.distribution.value(Distribution.draw(seed: sample.seed, trial: trial, axis: $0.name)) }
            let item = Item(index: items.count, values: values)
            if seen.insert(json(item)).inserted { items.append(item) }
        }
        return items
    }
}
