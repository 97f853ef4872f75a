/// Which unit's output gives each output path, for the planner's check that no two outputs of
/// a plan share a path.
///
/// An open-addressed table of 64-bit words (a fingerprint of the path's hash, and the
/// claimant as `unit * outputsPerUnit + output`) rather than a dictionary of strings: a million
/// paths take 16 MB instead of 80. The paths themselves stay where the plan keeps them and are
/// compared through `path(unit, output)`. The hash is the process's own (random per process):
/// it only places entries, so what the planner reports never depends on it.
struct PathClaims {
    private var buckets: [UInt64]
    private var count = 0
    /// The most outputs a unit of the plan declares.
    private let outputsPerUnit: Int

    private static let claimantBits: UInt64 = 40
    private static let claimantMask: UInt64 = 1 << claimantBits - 1

    /// Room for `expected` paths of units with at most `outputsPerUnit` outputs each.
    init(expected: Int, outputsPerUnit: Int) {
        self.outputsPerUnit = max(1, outputsPerUnit)
        buckets = [UInt64](repeating: 0, count: Self.buckets(for: expected))
    }

    private static func buckets(for count: Int) -> Int {
        var n = 16
        while n < count * 2 { n <<= 1 }
        return n
    }

    /// Claims `path` for output `output` of unit `unit`. Returns the unit and output that
    /// claimed it before, or nil (the claim is then recorded).
    mutating func claim(_ path: String, unit: Int, output: Int, path existing: (Int, Int) -> String) -> (unit: Int, output: Int)? {
        let claimant = UInt64(unit * outputsPerUnit + output + 1)
        precondition(claimant <= Self.claimantMask, "a plan holds fewer than 2^40 outputs")
        let hash = UInt64(bitPattern: Int64(path.hashValue))
        let fingerprint = hash >> Self.claimantBits
        let mask = buckets.count - 1
        var b = Int(truncatingIfNeeded: hash) & mask
        while buckets[b] != 0 {
            let word = buckets[b]
            if word >> Self.claimantBits == fingerprint {
                let other = Int(word & Self.claimantMask) - 1
                let (u, o) = other.quotientAndRemainder(dividingBy: outputsPerUnit)
                if existing(u, o) == path { return (u, o) }
            }
            b = (b + 1) & mask
        }
        buckets[b] = fingerprint << Self.claimantBits | claimant
        count += 1
        if count * 2 > buckets.count { grow(path: existing, adding: (unit, output, path)) }
        return nil
    }

    /// Doubles the table; the claim just made may not be readable through `existing` yet.
    private mutating func grow(path existing: (Int, Int) -> String, adding latest: (unit: Int, output: Int, path: String)) {
        let old = buckets
        buckets = [UInt64](repeating: 0, count: old.count * 2)
        let mask = buckets.count - 1
        for word in old where word != 0 {
            let claimant = Int(word & Self.claimantMask) - 1
            let (u, o) = claimant.quotientAndRemainder(dividingBy: outputsPerUnit)
            let path = (u, o) == (latest.unit, latest.output) ? latest.path : existing(u, o)
            let hash = UInt64(bitPattern: Int64(path.hashValue))
            var b = Int(truncatingIfNeeded: hash) & mask
            while buckets[b] != 0 { b = (b + 1) & mask }
            buckets[b] = word
        }
    }
}
