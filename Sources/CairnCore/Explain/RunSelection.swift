/// What a run should do beyond "everything not committed": which units it may touch, which it
/// must redo, and which it must hold back. Set from the command line; pure data.
public struct RunSelection: Sendable, Equatable {
    /// Only units of these steps (`--steps`); nil for all.
    public var steps: Set<String>?
    /// Only this step and the steps it depends on (`--until`).
    public var until: String?
    /// Only items `start..<start+count`, in plan order (`--items START:COUNT`).
    public var items: Range<Int>?
    /// Only items whose axis values pass every filter (`--where`).
    public var filters: [AxisFilter] = []
    /// Re-run these steps' committed units, and everything downstream (`--force`).
    public var force: Set<String> = []
    /// Re-run every selected unit (`--force-all`).
    public var forceAll = false
    /// Never recompute a committed unit of these steps (`--never-rerun`).
    public var neverRerun: Set<String> = []
    /// Do not retry units whose last attempt failed (`--skip-failed`).
    public var skipFailed = false
    /// Only the K-th of N parts of the items the other item filters allow (`--shard K/N`).
    public var shard: Shard?
    /// Only aggregates (`foreach: once` steps), each over the items committed now
    /// (`--aggregate-only`); the run layer plans them as partial aggregates.
    public var aggregateOnly = false
    /// Only the units with these keys (a SLURM worker's chunk); nil for all.
    public var units: Set<Digest>?

    public init() {}

    /// Whether anything narrows the units a run may touch.
    public var narrows: Bool { steps != nil || until != nil || narrowsItems || units != nil }

    /// Whether anything narrows the items (`--items`, `--where`, `--shard`).
    public var narrowsItems: Bool { items != nil || !filters.isEmpty || shard != nil }

    /// Which of `plan`'s items the item filters allow (`--items`, `--where`, `--shard`).
    public func itemsAllowed(in plan: Plan) -> [Bool] {
        let axisIndex = filters.map { f in plan.axisNames.firstIndex(of: f.axis) }
        let passes = plan.items.indices.map { i -> Bool in
            if let range = items, !range.contains(i) { return false }
            for (f, a) in zip(filters, axisIndex) {
                guard let a, f.accepts(plan.items[i].values[a]) else { return false }
            }
            return true
        }
        guard let shard else { return passes }
        // See ``Shard``: number the distinct first-axis values of the selected items, or, when
        // there are fewer of them than shards, the selected items themselves.
        var group: [ItemValue: Int] = [:]
        var ranks = [Int](repeating: -1, count: plan.items.count)
        var count = 0
        for i in plan.items.indices where passes[i] {
            guard let first = plan.items[i].values.first else { ranks[i] = count; count += 1; continue }
            if let g = group[first] { ranks[i] = g } else { group[first] = group.count; ranks[i] = group.count - 1 }
        }
        let byItem = group.count < shard.count
        var rank = 0
        return plan.items.indices.map { i in
            guard passes[i] else { return false }
            defer { rank += 1 }
            return shard.contains(rank: byItem ? rank : ranks[i])
        }
    }

    /// A check of one axis (`--where sample=100:200`, `--where shape=circle,square`).
    public struct AxisFilter: Sendable, Equatable {
        public var axis: String
        public var test: Test

        public enum Test: Sendable, Equatable {
            /// Numeric values `from` (included) to `to` (excluded); either may be open.
            case range(from: Double?, to: Double?)
            /// Values whose text is one of these.
            case oneOf([String])
        }

        public init(axis: String, test: Test) {
            self.axis = axis
            self.test = test
        }

        /// Parses `AXIS=A:B` or `AXIS=V1,V2`; nil when there is no `=`.
        public static func parse(_ text: String) -> AxisFilter? {
            guard let eq = text.firstIndex(of: "=") else { return nil }
            let axis = String(text[..<eq])
            let rest = String(text[text.index(after: eq)...])
            guard !axis.isEmpty else { return nil }
            if let colon = rest.firstIndex(of: ":") {
                let a = String(rest[..<colon]), b = String(rest[rest.index(after: colon)...])
                let from = a.isEmpty ? nil : Double(a), to = b.isEmpty ? nil : Double(b)
                if (a.isEmpty || from != nil) && (b.isEmpty || to != nil) { return AxisFilter(axis: axis, test: .range(from: from, to: to)) }
            }
            return AxisFilter(axis: axis, test: .oneOf(rest.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }

        /// Whether `value` passes.
        public func accepts(_ value: ItemValue) -> Bool {
            switch test {
            case .oneOf(let texts): return texts.contains(value.description)
            case .range(let from, let to):
                let parsed: Double? = if case .string(let s) = value { Double(s) } else { value.number }
                guard let number = parsed else { return false }
                return (from.map { number >= $0 } ?? true) && (to.map { number < $0 } ?? true)
            }
        }
    }

    /// Names that are not steps or axes of `plan`, as one message; nil when all are known.
    public func problems(in plan: Plan) -> String? {
        let names = Set(plan.pipeline.steps.map(\.name))
        var problems: [String] = []
        func check(_ option: String, _ values: some Sequence<String>) {
            for v in values.sorted() where !names.contains(v) {
                let hint = Suggestion.hint(for: v, in: plan.pipeline.steps.map(\.name)) { "'\($0)'" }
                problems.append("\(option) \(v): no step '\(v)'\(hint); steps: \(plan.pipeline.steps.map(\.name).joined(separator: ", "))")
            }
        }
        check("--steps", steps ?? [])
        check("--until", until.map { [$0] } ?? [])
        check("--force", force)
        check("--never-rerun", neverRerun)
        for f in filters where !plan.axisNames.contains(f.axis) {
            // `--where "i == 1"`, `--where i<5`: an axis name with an operator or spaces around it.
            let bare = f.axis.filter { !" <>!".contains($0) }
            let hint = plan.axisNames.contains(bare) ? "; write --where \(bare)=VALUE (no spaces; a range is \(bare)=FROM:TO, a list \(bare)=A,B)" : ""
            problems.append("--where \(f.axis): no axis '\(f.axis)'\(hint); axes: \(plan.axisNames.joined(separator: ", "))")
        }
        return problems.first
    }
}
