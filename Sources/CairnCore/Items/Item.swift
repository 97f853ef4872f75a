/// One item: a value for every axis, in axis order.
public struct Item: Sendable, Equatable {
    /// Position in the item set (after sampling), 0-based.
    public let index: Int
    /// Values in axis order.
    public let values: [ItemValue]

    public init(index: Int, values: [ItemValue]) {
        self.index = index
        self.values = values
    }

    /// The item as a canonical JSON object `{"axis": value, ...}` (keys sorted).
    public func json(axes: [String]) -> String {
        var members: [String: CanonicalJSON] = [:]
        for (name, value) in zip(axes, values) { members[name] = value.json }
        return CanonicalJSON.object(members).text
    }

    /// A readable label such as `sample=3,shape=circle`.
    public func label(axes: [String]) -> String {
        zip(axes, values).map { "\($0)=\($1)" }.joined(separator: ",")
    }
}
