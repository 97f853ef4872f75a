/// A number a unit measured (`loss`, `acc`), journaled with the unit's commit.
public struct Metric: Sendable, Equatable, Codable {
    public var name: String
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// How a step reports its metrics (`metrics:` in the pipeline file).
public enum MetricsSpec: Sendable, Equatable, Codable {
    /// A JSON object of numbers the unit writes: a declared output (`out.NAME`) or a path
    /// template relative to the pipeline folder.
    case file(String)
    /// Lines `name: value` or `name=value` in the unit's output (Guild's default).
    case log
    /// A regular expression over the unit's output whose named groups are the metrics
    /// (`loss=(?<loss>\S+)`); the last match of each group wins.
    case pattern(String)
}
