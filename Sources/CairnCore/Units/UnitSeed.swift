/// The per-item seed: the same on every machine, and computable outside Cairn.
///
/// `seed = int.from_bytes(sha256(f"cairn-seed-v1:{run_seed}:{item_json}".encode()).digest()[:4], "big")`
///
/// where `item_json` is `json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
/// and `item` maps every axis name to the item's value (`{}` for a `foreach: once` step).
/// The result is in `0 ..< 2^32`, which every common random generator accepts.
public enum UnitSeed {
    /// Derives the seed of an item from the run seed.
    public static func derive(runSeed: Int, itemJSON: String) -> Int {
        Int(Digest(of: "cairn-seed-v1:\(runSeed):\(itemJSON)").w0 >> 32)
    }
}

extension UnitSeed {
    /// ``derive(runSeed:itemJSON:)`` for many items of the same axes, writing the hashed bytes
    /// directly (the same bytes, so the same seeds).
    static func deriver(runSeed: Int, axes: [String]) -> @Sendable (Item) -> Int {
        let prefix = Array("cairn-seed-v1:\(runSeed):".utf8)
        let order = axes.enumerated().sorted { CanonicalJSON.codePointOrder($0.element, $1.element) }
            .map { (Array(CanonicalJSON.string($0.element).text.utf8), $0.offset) }
        return { item in
            var out = JSONBytes(capacity: prefix.count + 16 + order.count * 24)
            out.raw(prefix)
            out.raw(UInt8(ascii: "{"))
            for n in order.indices {
                if n > 0 { out.raw(UInt8(ascii: ",")) }
                out.raw(order[n].0)
                out.raw(UInt8(ascii: ":"))
                out.value(item.values[order[n].1])
            }
            out.raw(UInt8(ascii: "}"))
            return Int(out.digest.w0 >> 32)
        }
    }
}
