/// `cairn run --aggregate-only`: which items each aggregate (`foreach: once` step) can cover
/// now — those whose units it needs are all committed. Pure.
public enum PartialAggregates {
    /// Per `once` step (by index) that needs item units: a mask of the items it can cover.
    public static func coverage(of plan: Plan, history: UnitTable) -> [Int: [Bool]] {
        var out: [Int: [Bool]] = [:]
        for (s, step) in plan.pipeline.steps.enumerated() where step.foreach == .once {
            guard let unit = plan.units[plan.stepRanges[s]].first else { continue }
            var mask = [Bool](repeating: true, count: plan.items.count)
            var needsItems = false
            for n in unit.needs {
                guard let item = plan.units[n].item else { continue }
                needsItems = true
                if !(history[plan.units[n].key]?.done ?? false) { mask[item] = false }
            }
            if needsItems { out[s] = mask }
        }
        return out
    }
}
