import CairnCore

/// The outputs each unit's commit recorded, by the unit's slot in ``JournalState/units``: one
/// flat array of digests and, per slot, where its run of them starts and how long it is.
///
/// A million units with one output each take 48 bytes a unit here, where a dictionary of
/// arrays took about 160. A commit that replaces a unit's outputs appends the new run; the old
/// one stays unused (re-commits are rare).
struct CommitOutputs: Sendable {
    private var digests: [OutputDigest] = []
    /// Per slot: start << 20 | count, or 0 when the slot's commit recorded no outputs.
    private var spans: [UInt64] = []
    /// Slots with outputs.
    private(set) var count = 0

    private static let countBits: UInt64 = 20

    /// Makes room for `units` slots holding `outputs` digests in all.
    mutating func reserveCapacity(units: Int, outputs: Int) {
        spans.reserveCapacity(units)
        digests.reserveCapacity(outputs)
    }

    /// The outputs recorded for `slot`, nil when none were.
    func outputs(slot: Int) -> OutputList? {
        guard slot < spans.count, spans[slot] != 0 else { return nil }
        let span = spans[slot]
        let start = Int(span >> Self.countBits), length = Int(span & (1 << Self.countBits - 1))
        return OutputList(digests[start..<start + length])
    }

    /// Records `outputs` for `slot` (empty: none).
    mutating func set(slot: Int, _ outputs: some Collection<OutputDigest>) {
        precondition(outputs.count < 1 << Self.countBits, "a unit records fewer than 2^20 outputs")
        if spans.count <= slot { spans.append(contentsOf: repeatElement(0, count: slot + 1 - spans.count)) }
        let had = spans[slot] != 0
        if outputs.isEmpty {
            spans[slot] = 0
        } else {
            spans[slot] = UInt64(digests.count) << Self.countBits | UInt64(outputs.count)
            digests.append(contentsOf: outputs)
        }
        count += (spans[slot] != 0 ? 1 : 0) - (had ? 1 : 0)
    }
}

/// The outputs one commit recorded, in the step's output order (indices from 0).
public struct OutputList: RandomAccessCollection, Sendable, Equatable {
    private let base: ArraySlice<OutputDigest>

    init(_ base: ArraySlice<OutputDigest>) { self.base = base }

    /// A list of `outputs`.
    public init(_ outputs: [OutputDigest]) { base = outputs[...] }

    public var startIndex: Int { 0 }
    public var endIndex: Int { base.count }
    public subscript(position: Int) -> OutputDigest { base[base.startIndex + position] }

    public static func == (a: OutputList, b: OutputList) -> Bool { a.elementsEqual(b) }
}
