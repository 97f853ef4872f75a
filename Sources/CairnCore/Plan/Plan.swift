/// The units of a pipeline, in dependency order, with their keys and resolved paths.
///
/// Built by ``Planner`` from a resolved ``PipelineSpec``; pure data.
public struct Plan: Sendable {
    public let pipeline: PipelineSpec
    public let items: [Item]
    /// Every unit; a unit's needs always come before it.
    public let units: [PlannedUnit]
    /// Step indices in dependency order.
    public let stepOrder: [Int]
    /// For each step (by pipeline index), the range of its units in ``units``.
    public let stepRanges: [Range<Int>]
    /// The content digest of every code file and input file the keys cover (nil: missing).
    public let files: [String: Digest?]

    public init(pipeline: PipelineSpec, items: [Item], units: [PlannedUnit], stepOrder: [Int], stepRanges: [Range<Int>], files: [String: Digest?] = [:]) {
        self.pipeline = pipeline
        self.items = items
        self.units = units
        self.stepOrder = stepOrder
        self.stepRanges = stepRanges
        self.files = files
    }

    /// Axis names in declaration order.
    public var axisNames: [String] { pipeline.axes.map(\.name) }

    /// The step a unit belongs to.
    public func step(of unit: PlannedUnit) -> StepSpec { pipeline.steps[unit.step] }

    /// For an aggregate (`foreach: once`) that needs item units: how many distinct items those
    /// are (fewer than ``items`` for a partial aggregate); nil for other units.
    public func itemsCovered(by unit: PlannedUnit) -> Int? {
        guard unit.item == nil, pipeline.steps[unit.step].dependencies.contains(where: { pipeline.step(named: $0)?.foreach == .item }) else { return nil }
        var seen = Set<Int>()
        for n in unit.needs { if let item = units[n].item { seen.insert(item) } }
        return seen.count
    }

    /// A readable name such as `render[sample=3]` or `summary`.
    public func label(of unit: PlannedUnit) -> String {
        let step = pipeline.steps[unit.step].name
        guard let item = unit.item else { return step }
        return "\(step)[\(items[item].label(axes: axisNames))]"
    }

    /// The item part of a unit's label (`sample=3`), or the step name for a once-step; names its log file.
    public func itemLabel(of unit: PlannedUnit) -> String {
        unit.item.map { items[$0].label(axes: axisNames) } ?? pipeline.steps[unit.step].name
    }

    /// Finds a unit by label (`step[axis=value,...]`), by step name for a once-step, or by key prefix.
    public func find(_ query: String) -> [PlannedUnit] {
        if let exact = units.first(where: { label(of: $0) == query }) { return [exact] }
        let lower = query.lowercased()
        guard lower.count >= 6, lower.allSatisfy(\.isHexDigit) else { return [] }
        return units.filter { $0.key.hex.hasPrefix(lower) }
    }
}
