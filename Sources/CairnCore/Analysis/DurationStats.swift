/// Median, 95th percentile and maximum of durations (nearest-rank). Pure.
public struct DurationStats: Sendable, Equatable, Codable {
    public var count: Int
    public var median: Double
    public var p95: Double
    public var max: Double

    /// Nil for no durations.
    public init?(_ seconds: [Double]) {
        guard !seconds.isEmpty else { return nil }
        let sorted = seconds.sorted()
        func rank(_ q: Double) -> Double { sorted[Swift.max(0, Swift.min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1))] }
        count = sorted.count
        median = rank(0.5)
        p95 = rank(0.95)
        max = sorted[sorted.count - 1]
    }
}
