/// One unit of work: a step applied to an item (or once, for an aggregate step).
///
/// Stored compactly (a plan of a million units keeps a million of these): positions as 32-bit
/// numbers, read back as `Int`, and fields in the order that packs them into 88 bytes.
public struct PlannedUnit: Sendable {
    /// Final output paths, relative to the pipeline folder, in the step's output order.
    public let outputs: OutputPaths
    private let storedIndex: Int32
    private let storedStep: Int32
    private let storedItem: Int32
    /// SHA-256 of the canonical JSON of everything that defines the unit's work.
    public internal(set) var key: Digest
    /// The unit's seed (see ``UnitSeed``).
    public let seed: Int
    /// Resolved input paths per declared input, in the step's input order.
    public let inputs: [[String]]
    /// Indices of the units this one needs.
    public let needs: [Int]

    /// Position in ``Plan/units``.
    public var index: Int { Int(storedIndex) }
    /// Index of the step in the pipeline's `steps`.
    public var step: Int { Int(storedStep) }
    /// Index of the item, or nil for a `foreach: once` unit.
    public var item: Int? { storedItem < 0 ? nil : Int(storedItem) }

    init(index: Int, step: Int, item: Int?, key: Digest, seed: Int, outputs: OutputPaths, inputs: [[String]], needs: [Int]) {
        precondition(index < Int(Int32.max) && step < Int(Int32.max) && (item ?? 0) < Int(Int32.max), "a plan holds fewer than 2^31 units")
        self.key = key
        self.seed = seed
        self.outputs = outputs
        self.inputs = inputs
        self.needs = needs
        storedIndex = Int32(index)
        storedStep = Int32(step)
        storedItem = Int32(item ?? -1)
    }
}

/// A unit's final output paths, in the step's output order (see ``PlannedUnit/outputs``).
public typealias OutputPaths = CompactList<String>
