import CairnRun

/// The soak driver's seeded generator, so a soak run can be replayed from its seed: the one
/// SplitMix64 Cairn has (``UnitRandom``), seeded with the seed's bits.
public struct SplitMix: RandomNumberGenerator, Sendable {
    private var random: UnitRandom

    public init(seed: UInt64) { random = UnitRandom(seed: Int(Int64(bitPattern: seed))) }

    public mutating func next() -> UInt64 { random.next() }
}
