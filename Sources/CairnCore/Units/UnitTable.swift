/// Per unit key, its ``UnitHistory``: what the journal says, as the planner and every report
/// read it.
///
/// A dense table rather than a dictionary: one entry per key in the order keys were first
/// stored (so iteration is the same in every process), and an open-addressed index of 32-bit
/// entry numbers whose bucket comes from the key's own bits (a SHA-256 needs no further
/// hashing). A million units take 80 bytes each plus 8 of index, where a dictionary took
/// 160 bytes a unit and hashed every key it looked up.
///
/// An entry's position (its *slot*) stays fixed while keys are only added, so a caller that
/// looks up every unit of a plan once can keep the slots and index ``subscript(slot:)``
/// afterwards. Removing a key moves the last entry into its slot.
public struct UnitTable: Sendable {
    /// A key and its history.
    public struct Entry: Sendable, Equatable {
        public let key: Digest
        public var history: UnitHistory
    }

    private var entries: [Entry] = []
    /// Entry numbers by bucket, -1 for an empty bucket; a power of two long (or empty), at most
    /// half full.
    private var index: [Int32] = []

    public init() {}

    /// An empty table with room for `capacity` keys.
    public init(minimumCapacity capacity: Int) {
        reserveCapacity(capacity)
    }

    /// Number of keys.
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The keys, in the order they were first stored.
    public var keys: LazyMapCollection<[Entry], Digest> { entries.lazy.map(\.key) }
    /// The histories, in the same order.
    public var values: LazyMapCollection<[Entry], UnitHistory> { entries.lazy.map(\.history) }

    /// Makes room for `capacity` keys without growing again.
    public mutating func reserveCapacity(_ capacity: Int) {
        entries.reserveCapacity(capacity)
        if Self.buckets(for: capacity) > index.count { rebuildIndex(buckets: Self.buckets(for: capacity)) }
    }

    /// The slot of `key`, nil when the table does not hold it.
    public func slot(of key: Digest) -> Int? {
        let found = find(key)
        return found.entry >= 0 ? found.entry : nil
    }

    /// The slot of `key`, storing `defaultValue` for it first when the table lacks it.
    public mutating func slot(insertingIfMissing key: Digest, _ defaultValue: @autoclosure () -> UnitHistory = UnitHistory()) -> Int {
        let found = find(key)
        return found.entry >= 0 ? found.entry : insert(key, defaultValue(), bucket: found.bucket)
    }

    /// The entry in `slot` (from ``slot(of:)``; valid until a key is removed).
    public subscript(slot slot: Int) -> Entry { entries[slot] }

    /// The history in `slot`, to read or change in place.
    public subscript(historyAt slot: Int) -> UnitHistory {
        get { entries[slot].history }
        _modify { yield &entries[slot].history }
    }

    /// The history of `key`; setting nil removes it.
    public subscript(key: Digest) -> UnitHistory? {
        get {
            let found = find(key)
            return found.entry >= 0 ? entries[found.entry].history : nil
        }
        set {
            let found = find(key)
            switch (found.entry >= 0, newValue) {
            case (true, let value?): entries[found.entry].history = value
            case (false, let value?): insert(key, value, bucket: found.bucket)
            case (true, nil): remove(entry: found.entry, bucket: found.bucket)
            case (false, nil): break
            }
        }
    }

    /// The history of `key`, stored as `defaultValue` first when the table lacks it; for
    /// changing a history in place.
    public subscript(key: Digest, default defaultValue: @autoclosure () -> UnitHistory) -> UnitHistory {
        get { self[key] ?? defaultValue() }
        _modify {
            let found = find(key)
            let entry = found.entry >= 0 ? found.entry : insert(key, defaultValue(), bucket: found.bucket)
            yield &entries[entry].history
        }
    }

    // MARK: - The index

    /// Buckets for `count` keys: a power of two at least twice `count` (at least 16).
    private static func buckets(for count: Int) -> Int {
        var n = 16
        while n < count * 2 { n <<= 1 }
        return n
    }

    /// Where `key`'s probe starts: the key's words mixed (keys are SHA-256 digests, but tests
    /// and hand-made keys may differ in one word only).
    static func start(_ key: Digest, mask: Int) -> Int {
        let mixed = (key.w0 ^ key.w1 ^ key.w2 ^ key.w3) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 32) & mask
    }

    /// The entry holding `key` (or -1) and the bucket that points at it, or the empty bucket
    /// where it would go.
    func find(_ key: Digest) -> (entry: Int, bucket: Int) {
        guard !index.isEmpty else { return (-1, -1) }
        return index.withUnsafeBufferPointer { buckets in
            entries.withUnsafeBufferPointer { stored in
                let mask = buckets.count - 1
                var b = Self.start(key, mask: mask)
                while true {
                    let e = Int(buckets[b])
                    if e < 0 { return (-1, b) }
                    if stored[e].key == key { return (e, b) }
                    b = (b + 1) & mask
                }
            }
        }
    }

    @discardableResult
    private mutating func insert(_ key: Digest, _ history: UnitHistory, bucket: Int) -> Int {
        let entry = entries.count
        precondition(entry < Int(Int32.max), "a unit table holds fewer than 2^31 keys")
        entries.append(Entry(key: key, history: history))
        if (entry + 1) * 2 > index.count {
            rebuildIndex(buckets: Self.buckets(for: entry + 1))
        } else {
            index[bucket] = Int32(entry)
        }
        return entry
    }

    /// Removes the entry in `bucket`, moves the last entry into its slot, and closes the gap
    /// in the probe sequence (backward shift: no tombstones).
    private mutating func remove(entry: Int, bucket: Int) {
        let mask = index.count - 1
        var hole = bucket
        var next = (hole + 1) & mask
        index[hole] = -1
        while index[next] >= 0 {
            let home = Self.start(entries[Int(index[next])].key, mask: mask)
            // Move the entry back into the hole unless its home lies cyclically in (hole, next].
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !stays {
                index[hole] = index[next]
                index[next] = -1
                hole = next
            }
            next = (next + 1) & mask
        }
        let last = entries.count - 1
        if entry != last {
            let moved = entries[last]
            let movedBucket = find(moved.key).bucket
            entries[entry] = moved
            index[movedBucket] = Int32(entry)
        }
        entries.removeLast()
    }

    private mutating func rebuildIndex(buckets count: Int) {
        var fresh = [Int32](repeating: -1, count: count)
        let mask = count - 1
        fresh.withUnsafeMutableBufferPointer { buckets in
            for (e, entry) in entries.enumerated() {
                var b = Self.start(entry.key, mask: mask)
                while buckets[b] >= 0 { b = (b + 1) & mask }
                buckets[b] = Int32(e)
            }
        }
        index = fresh
    }
}

extension UnitTable: Sequence {
    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Entry]>
        public mutating func next() -> (key: Digest, value: UnitHistory)? {
            base.next().map { ($0.key, $0.history) }
        }
    }

    /// Keys and histories in the order the keys were first stored.
    public func makeIterator() -> Iterator { Iterator(base: entries.makeIterator()) }
    public var underestimatedCount: Int { entries.count }

    /// The keys and histories that satisfy `isIncluded`, as a table (as a dictionary's filter).
    public func filter(_ isIncluded: ((key: Digest, value: UnitHistory)) throws -> Bool) rethrows -> UnitTable {
        var out = UnitTable()
        for entry in entries where try isIncluded((entry.key, entry.history)) { out[entry.key] = entry.history }
        return out
    }
}

extension UnitTable: Equatable {
    /// The same keys with equal histories, in any order.
    public static func == (a: UnitTable, b: UnitTable) -> Bool {
        a.count == b.count && a.entries.allSatisfy { b[$0.key] == $0.history }
    }
}

extension UnitTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (Digest, UnitHistory)...) {
        self.init(minimumCapacity: elements.count)
        for (key, history) in elements { self[key] = history }
    }
}
