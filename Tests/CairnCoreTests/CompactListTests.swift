import CairnCore
import Testing

/// An item's values and a unit's output paths: one element inline, more in an array; both read
/// back the same, and a million items and units stay small.
@Suite struct CompactListTests {
    @Test func itemsAndUnitsStaySmall() {
        #expect(MemoryLayout<Item>.stride <= 32, "a million items: keep a one-axis value inline")
        #expect(MemoryLayout<PlannedUnit>.stride <= 88, "a million units: keep one output path inline and the fields packed")
    }

    @Test func everyShapeReadsBack() {
        for values: [ItemValue] in [[], [.int(7)], [.string("ünï ✓")], [.double(1.0), .bool(true)], [.int(1), .string("a"), .double(1e-3)]] {
            let stored = ItemValues(values)
            #expect(Array(stored) == values && stored.count == values.count)
            #expect(Item(index: 3, values: values).values == stored)
            #expect(stored.description == values.description)
        }
        for paths: [String] in [[], ["out/1"], ["données/sortie é/a-very-long-path-that-is-not-inline.txt"], ["a", "b", "c"]] {
            let stored = OutputPaths(paths)
            #expect(Array(stored) == paths && stored.isEmpty == paths.isEmpty && stored.last == paths.last)
        }
        #expect(ItemValues([.int(1)]) != ItemValues([.double(1.0)]), "1 and 1.0 stay different values")
        #expect(ItemValues([.int(1)]) != ItemValues([.int(1), .int(1)]))
        #expect(Set([ItemValues([.int(1)]), ItemValues([.int(1)])]).count == 1)
        let literal: OutputPaths = ["x", "y"]
        #expect(literal[1] == "y" && literal == OutputPaths(["x", "y"]))
    }
}
