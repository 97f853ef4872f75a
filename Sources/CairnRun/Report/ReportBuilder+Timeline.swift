import CairnCore
import Foundation

extension ReportBuilder {
    /// Lays attempts out in lanes: per session and host, each attempt in the first slot free
    /// at its start (so a lane is what one slot ran). Beyond ``barLimit`` attempts, counts per
    /// session lane and time bucket instead of bars (the file stays small at any size).
    static func timeline(_ spans: [Span], names: [String], groups: [String], sessions: [RunHistory.Session]) -> ReportData.Timeline {
        var t = ReportData.Timeline()
        t.attempts = spans.count
        guard !spans.isEmpty else { return t }
        t.start = spans.map(\.start).min()!
        t.end = max(spans.map(\.end).max()!, t.start + 1)
        for s in sessions {
            let bad = !(s.outcome == "completed" || s.outcome == "running" || s.outcome.hasPrefix("finished")) ? 1 : 0
            t.sessions.append([s.started - t.start, s.ended.map { $0 - t.start } ?? -1, Int64(s.number), Int64(bad)])
        }
        if spans.count > barLimit {
            t.aggregated = true
            t.lanes = groups
            t.bucketMs = max(1, (t.end - t.start + Int64(buckets) - 1) / Int64(buckets))
            var counts = [[[Int]]](repeating: [[Int]](repeating: [Int](repeating: 0, count: ReportData.statuses.count), count: buckets), count: groups.count)
            for s in spans {
                let b = min(buckets - 1, Int((s.end - t.start) / t.bucketMs))
                counts[Int(s.group)][b][Int(s.status)] += 1
            }
            t.buckets = counts
            return t
        }
        // Bars: lanes per group, slots assigned greedily in start order.
        var byGroup = [[Int]](repeating: [], count: groups.count)
        for (i, s) in spans.enumerated() { byGroup[Int(s.group)].append(i) }
        var lane = [Int](repeating: 0, count: spans.count)
        for (g, members) in byGroup.enumerated() {
            var slotEnds: [Int64] = []
            let base = t.lanes.count
            for i in members.sorted(by: { (spans[$0].start, $0) < (spans[$1].start, $1) }) {
                if let free = slotEnds.firstIndex(where: { $0 <= spans[i].start }) {
                    slotEnds[free] = spans[i].end
                    lane[i] = base + free
                } else {
                    slotEnds.append(spans[i].end)
                    lane[i] = base + slotEnds.count - 1
                }
            }
            for k in 0..<slotEnds.count { t.lanes.append(slotEnds.count == 1 ? groups[g] : "\(groups[g]) · slot \(k + 1)") }
        }
        t.names = names
        t.bars = spans.enumerated().map { i, s in
            [s.start - t.start, s.end - s.start, Int64(lane[i]), Int64(s.status), Int64(s.step), Int64(s.name)]
        }
        return t
    }
}
