/// One item: a value for every axis, in axis order.
public struct Item: Sendable, Equatable {
    /// Position in the item set (after sampling), 0-based.
    public let index: Int
    /// Values in axis order.
    public let values: ItemValues

    public init(index: Int, values: [ItemValue]) {
        self.index = index
        self.values = ItemValues(values)
    }

    public init(index: Int, values: ItemValues) {
        self.index = index
        self.values = values
    }

    /// The item as a canonical JSON object `{"axis": value, ...}` (keys sorted).
    public func json(axes: [String]) -> String {
        var members: [String: CanonicalJSON] = [:]
        for (name, value) in zip(axes, values) { members[name] = value.json }
        return CanonicalJSON.object(members).text
    }

    /// A fast equivalent of ``json(axes:)`` for many items of the same axes.
    public static func jsonWriter(axes: [String]) -> @Sendable (Item) -> String {
        let order = axes.enumerated().sorted { CanonicalJSON.codePointOrder($0.element, $1.element) }
            .map { (CanonicalJSON.string($0.element).text, $0.offset) }
        return { item in
            var out = "{"
            for (n, (name, i)) in order.enumerated() {
                if n > 0 { out += "," }
                out += name
                out += ":"
                item.values[i].json.write(to: &out)
            }
            out += "}"
            return out
        }
    }

    /// A readable label such as `sample=3,shape=circle`.
    public func label(axes: [String]) -> String {
        zip(axes, values).map { "\($0)=\($1)" }.joined(separator: ",")
    }
}
