/// A named axis of the item set: where its values come from.
public struct AxisSpec: Sendable, Codable, Equatable {
    /// Where the values of an axis come from.
    public enum Source: Sendable, Codable, Equatable {
        /// Integers from `start` up to but excluding `stop`, by `step` (Python's `range`).
        case range(start: Int, stop: Int, step: Int)
        /// Literal values.
        case list([ItemValue])
        /// Files matching a glob pattern relative to the pipeline folder, sorted.
        case glob(String)
        /// One value per non-empty line of a file relative to the pipeline folder.
        case file(String)
        /// Values drawn per trial (random search); see ``Distribution``.
        case distribution(Distribution)
        /// One column of a table of trials (`trials: FILE`): the axes of one group vary
        /// together, row by row, instead of multiplying.
        case column(group: String, values: [ItemValue])
    }

    public var name: String
    public var source: Source

    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    /// The values when they need no file system (`range`, `list`, `column`); nil for `glob`,
    /// `file` and distributions.
    public var literalValues: [ItemValue]? {
        switch source {
        case .range(let start, let stop, let step):
            return stride(from: start, to: stop, by: step).map { .int($0) }
        case .list(let values), .column(_, let values):
            return values
        case .glob, .file, .distribution:
            return nil
        }
    }

    /// The axis as the pipeline file declares it, in JSON: `[values…]`, `{"range": [a, b, c]}`,
    /// `{"uniform": [a, b]}`, … (what an optimizer is told of the search space).
    public var json: CanonicalJSON {
        switch source {
        case .range(let a, let b, let c): .object(["range": .array([.int(a), .int(b), .int(c)])])
        case .list(let values), .column(_, let values): .array(values.map(\.json))
        case .glob(let p): .object(["glob": .string(p)])
        case .file(let p): .object(["file": .string(p)])
        case .distribution(.uniform(let a, let b)): .object(["uniform": .array([.double(a), .double(b)])])
        case .distribution(.loguniform(let a, let b)): .object(["loguniform": .array([.double(a), .double(b)])])
        case .distribution(.randint(let a, let b)): .object(["randint": .array([.int(a), .int(b)])])
        case .distribution(.choice(let values)): .object(["choice": .array(values.map(\.json))])
        }
    }

    /// The column group of a `column` axis.
    public var group: String? {
        if case .column(let group, _) = source { return group }
        return nil
    }
}

/// A seeded random subset of the item product (see ``ItemSet``), or, when an axis is a
/// ``Distribution``, how many trials to draw and from which seed.
public struct SampleSpec: Sendable, Codable, Equatable {
    public var count: Int
    public var seed: Int

    public init(count: Int, seed: Int) {
        self.count = count
        self.seed = seed
    }
}
