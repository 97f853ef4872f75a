/// The part of the items a run folder works on when it is one shard of a dataset split over
/// machines (`cairn run --shard K/N`, with the `--items` and `--where` it was combined with).
/// A run folder stores it, so `cairn resume` continues the same shard and `cairn status` says
/// the run is partial. Pure data.
public struct ItemScope: Sendable, Equatable, Codable {
    public var shard: Shard
    /// `--items START:COUNT` as `[START, COUNT]`.
    public var items: [Int]?
    /// `--where` filters as typed (`AXIS=FROM:TO`, `AXIS=V1,V2`).
    public var filters: [String]

    public init(shard: Shard, items: [Int]? = nil, filters: [String] = []) {
        self.shard = shard
        self.items = items
        self.filters = filters
    }

    /// The scope of a selection that has a shard; nil otherwise.
    public init?(_ selection: RunSelection, filterTexts: [String]) {
        guard let shard = selection.shard else { return nil }
        self.init(shard: shard, items: selection.items.map { [$0.lowerBound, $0.count] }, filters: filterTexts)
    }

    /// `selection` narrowed to this scope's items.
    public func applied(to selection: RunSelection) -> RunSelection {
        var out = selection
        out.shard = shard
        if let items, items.count == 2 { out.items = items[0]..<(items[0] + items[1]) }
        out.filters = filters.compactMap(RunSelection.AxisFilter.parse)
        return out
    }

    /// `--shard 1/2 --items 0:100 --where …`, for messages.
    public var description: String {
        var parts = ["--shard \(shard)"]
        if let items, items.count == 2 { parts.append("--items \(items[0]):\(items[1])") }
        parts += filters.map { "--where \($0)" }
        return parts.joined(separator: " ")
    }
}
