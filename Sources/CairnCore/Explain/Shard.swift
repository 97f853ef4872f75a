/// One of N disjoint parts of a pipeline's items (`--shard K/N`), for splitting a dataset
/// over machines that share no disk.
///
/// The rule: take the items in plan order and keep those the rest of the selection allows
/// (`--items`, `--where`). Number the distinct values of the first axis among them 0, 1, 2, …
/// in order of appearance; an item whose first-axis value has number `r` belongs to shard
/// `r mod N + 1`. (With `sample` as the first axis, every shape of one sample goes to the same
/// machine, and the machines alternate samples.) When the selected items have fewer distinct
/// first-axis values than N, the items themselves are numbered instead. So the N shards are
/// disjoint, together they are every selected item, they are as even as the first axis allows,
/// every machine computes the same parts from the same pipeline and command line, and items
/// added at the end of the first axis do not move earlier items to another shard.
public struct Shard: Sendable, Equatable, Codable, CustomStringConvertible {
    /// 1-based: `1...count`.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `K/N` with `1 <= K <= N`; nil otherwise.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else { return nil }
        self.init(index: k, count: n)
    }

    /// Whether the selected item of rank `rank` (0-based, among selected items) is in this shard.
    public func contains(rank: Int) -> Bool { rank % count == index - 1 }

    public var description: String { "\(index)/\(count)" }
}
