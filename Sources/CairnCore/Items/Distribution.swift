import Foundation

/// A random-search axis: values drawn per trial instead of listed.
///
/// Trial `t` (0, 1, …) of a sample with seed `s` takes, for axis `name`, the 64-bit number
/// `h = int.from_bytes(sha256(f"cairn-draw-v1:{s}:{t}:{name}").digest()[:8], "big")` and maps it:
///
/// - `uniform: [a, b]`: `a + (b - a) * u` with `u = (h >> 11) * 2**-53` (in [0, 1));
/// - `loguniform: [a, b]`: `exp(log(a) + (log(b) - log(a)) * u)`;
/// - `randint: [a, b]`: `a + (h * (b - a + 1) >> 64)` (a and b included);
/// - `choice: [v0, v1, …]`: `v[h * n >> 64]`.
///
/// The same function in a few lines of Python gives the same values (the test suite checks
/// it); a trial's values depend only on the seed, its index and the axis name, so raising the
/// count keeps every earlier trial.
public enum Distribution: Sendable, Codable, Equatable {
    case uniform(Double, Double)
    case loguniform(Double, Double)
    case randint(Int, Int)
    case choice([ItemValue])

    /// The names the pipeline file uses.
    public static let kinds = ["uniform", "loguniform", "randint", "choice"]

    /// The 64-bit draw for trial `trial` of axis `axis`.
    public static func draw(seed: Int, trial: Int, axis: String) -> UInt64 {
        let d = Digest(of: "cairn-draw-v1:\(seed):\(trial):\(axis)")
        return d.w0
    }

    /// The value this distribution gives for the draw `h`.
    public func value(_ h: UInt64) -> ItemValue {
        let u = Double(h >> 11) * 0x1p-53
        switch self {
        case .uniform(let a, let b):
            return .double(a + (b - a) * u)
        case .loguniform(let a, let b):
            return .double(Foundation.exp(Foundation.log(a) + (Foundation.log(b) - Foundation.log(a)) * u))
        case .randint(let a, let b):
            let n = (UInt64(bitPattern: Int64(b)) &- UInt64(bitPattern: Int64(a))) &+ 1  // 0 when the range spans all 2^64 values
            let offset = n == 0 ? h : h.multipliedFullWidth(by: n).high
            return .int(a &+ Int(bitPattern: UInt(offset)))
        case .choice(let values):
            return values[Int(h.multipliedFullWidth(by: UInt64(values.count)).high)]
        }
    }
}
