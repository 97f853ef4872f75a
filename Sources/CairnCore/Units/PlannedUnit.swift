/// One unit of work: a step applied to an item (or once, for an aggregate step).
public struct PlannedUnit: Sendable {
    /// Position in ``Plan/units``.
    public let index: Int
    /// Index of the step in the pipeline's `steps`.
    public let step: Int
    /// Index of the item, or nil for a `foreach: once` unit.
    public let item: Int?
    /// SHA-256 of the canonical JSON of everything that defines the unit's work.
    public let key: Digest
    /// The unit's seed (see ``UnitSeed``).
    public let seed: Int
    /// Final output paths, relative to the pipeline folder, in the step's output order.
    public let outputs: [String]
    /// Resolved input paths per declared input, in the step's input order.
    public let inputs: [[String]]
    /// Indices of the units this one needs.
    public let needs: [Int]
}
