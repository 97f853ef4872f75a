import CairnCore

/// The deterministic random generator of an in-process unit: SplitMix64 seeded from the unit's
/// seed. The same seed gives the same numbers on every platform and in every Cairn version.
///
/// The numbers, exactly (all arithmetic modulo 2⁶⁴):
///
/// - ``next()``: `state += 0x9E3779B97F4A7C15; z = state;`
///   `z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB;`
///   return `z ^ (z >> 31)`. The initial state is the seed's 64-bit two's complement.
/// - ``nextDouble()``: `(next() >> 11) * 2⁻⁵³`, in `[0, 1)`.
/// - ``int(in:)``: `n` = the range's size; draw `x = next()` until `(x * n) mod 2⁶⁴ ≥ (2⁶⁴ − n) mod n`;
///   the result is the lower bound + `(x * n) >> 64` (Lemire's method, unbiased).
/// - ``double(in:)``: lower + (upper − lower) × ``nextDouble()``.
/// - ``bool()``: `next() >> 63 == 1`.
/// - ``shuffle(_:)``: Fisher–Yates from the last index down, `j = int(in: 0...i)`.
///
/// These few lines of Python give the same numbers (a test checks it):
///
/// ```python
/// M = (1 << 64) - 1
/// def splitmix(state):
///     while True:
///         state = (state + 0x9E3779B97F4A7C15) & M
///         z = state
///         z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
///         z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
///         yield z ^ (z >> 31)
/// g = splitmix(seed & M)
/// x = next(g); d = (next(g) >> 11) * 2.0**-53
/// ```
///
/// It conforms to `RandomNumberGenerator`, so the standard library's `Int.random(in:using:)`
/// and `shuffled(using:)` work with it too — but how the standard library maps `next()` to
/// those values is not promised to stay the same across Swift versions. For numbers that must
/// be reproducible anywhere, use this type's own methods.
public struct UnitRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator seeded with `seed` (a unit's seed).
    public init(seed: Int) {
        state = UInt64(bitPattern: Int64(seed))
    }

    /// A generator for one named stream of a unit: seeded with the first 8 bytes (big-endian)
    /// of SHA-256 of `"SEED:NAME"`, so blocks that draw from their own stream do not shift
    /// each other's numbers.
    public init(seed: Int, stream: String) {
        let digest = Digest(of: "\(seed):\(stream)")
        state = digest.bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `[0, 1)` with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// An integer in `range`, without bias.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let n = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        if n == 0 { return Int(Int64(bitPattern: next())) }  // the whole 64-bit range
        let threshold = (0 &- n) % n
        while true {
            let (high, low) = next().multipliedFullWidth(by: n)
            if low >= threshold { return range.lowerBound &+ Int(Int64(bitPattern: high)) }
        }
    }

    /// A number in `range`: lower + (upper − lower) × ``nextDouble()``.
    public mutating func double(in range: Range<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextDouble()
    }

    /// True or false, each half the time.
    public mutating func bool() -> Bool { next() >> 63 == 1 }

    /// Shuffles `array` in place (Fisher–Yates, from the last index down).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, int(in: 0...i))
        }
    }

    /// An element of `array`, or nil for an empty one.
    public mutating func element<T>(of array: [T]) -> T? {
        array.isEmpty ? nil : array[int(in: 0...(array.count - 1))]
    }
}
