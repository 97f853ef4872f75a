/// A set of items written compactly, for people: integer runs of one axis per combination of
/// the other axes — "sample 120–199 for shape=square". Pure.
public enum ItemRanges {
    /// Describes `items` (indices into `plan.items`), at most `limit` lines.
    ///
    /// The axis that ranges is the first whose values are all integers; items are grouped by
    /// their values on the other axes. Without an integer axis, item labels are listed.
    public static func describe(_ items: [Int], in plan: Plan, limit: Int = 8) -> [String] {
        guard !items.isEmpty else { return [] }
        let axes = plan.axisNames
        let numeric = axes.indices.first { a in
            plan.items.allSatisfy { if case .int = $0.values[a] { true } else { false } }
        }
        guard let numeric else {
            let labels = items.prefix(limit).map { plan.items[$0].label(axes: axes) }
            return labels + (items.count > limit ? ["… and \(items.count - limit) more"] : [])
        }
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for i in items {
            let item = plan.items[i]
            let rest = axes.indices.filter { $0 != numeric }.map { "\(axes[$0])=\(item.values[$0])" }.joined(separator: ",")
            if groups[rest] == nil { order.append(rest) }
            if case .int(let v) = item.values[numeric] { groups[rest, default: []].append(v) }
        }
        var lines: [String] = []
        for rest in order {
            let runs = compact(groups[rest]!.sorted())
            lines.append("\(axes[numeric]) \(runs)" + (rest.isEmpty ? "" : " for \(rest)"))
        }
        return lines.count > limit ? Array(lines.prefix(limit)) + ["… and \(lines.count - limit) more"] : lines
    }

    /// `[1, 2, 3, 7, 9, 10]` → `1–3, 7, 9–10`.
    public static func compact(_ sorted: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])–\(sorted[j])")
            i = j + 1
        }
        if parts.count > 12 { return parts.prefix(12).joined(separator: ", ") + ", … (\(sorted.count) in all)" }
        return parts.joined(separator: ", ")
    }
}
