/// A list that stores a single element inline and more in an array.
///
/// Plans keep one of these per item (its values) and one per unit (its output paths); with a
/// million units, most of them hold one element, and not allocating an array for each saves
/// about 64 bytes a unit.
public struct CompactList<Element: Hashable & Sendable>: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    @usableFromInline enum Storage: Hashable, Sendable {
        case one(Element)
        case many([Element])
    }

    @usableFromInline let storage: Storage

    /// The list of `elements`.
    @inlinable public init(_ elements: [Element]) {
        storage = elements.count == 1 ? .one(elements[0]) : .many(elements)
    }

    @inlinable public init(arrayLiteral elements: Element...) { self.init(elements) }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int {
        switch storage {
        case .one: 1
        case .many(let elements): elements.count
        }
    }

    @inlinable public subscript(position: Int) -> Element {
        switch storage {
        case .one(let element):
            precondition(position == 0, "index out of range")
            return element
        case .many(let elements):
            return elements[position]
        }
    }

    public var description: String { Array(self).description }
}

/// An item's values, in axis order (see ``Item/values``).
public typealias ItemValues = CompactList<ItemValue>
