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
