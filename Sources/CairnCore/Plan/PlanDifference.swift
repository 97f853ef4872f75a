/// Why two plans of "the same" pipeline do not give the same unit keys — the first difference
/// a person can act on: a step, a param, a file digest, the seed, the items. Pure.
///
/// `cairn merge` refuses a source whose plan differs from the destination's, naming this.
public enum PlanDifference {
    /// The first difference between `here` and `there`, or nil when they plan the same keys.
    public static func first(here: Plan, there: Plan) -> String? {
        if here.units.count == there.units.count && zip(here.units, there.units).allSatisfy({ $0.key == $1.key }) { return nil }
        if Set(here.units.lazy.map(\.key)) == Set(there.units.lazy.map(\.key)) { return nil }
        let a = here.pipeline, b = there.pipeline
        if a.name != b.name { return "pipeline name: '\(a.name)' here, '\(b.name)' there" }
        if a.seed != b.seed { return "seed: \(a.seed) here, \(b.seed) there" }
        for step in a.steps {
            guard let other = b.step(named: step.name) else { return "step \(step.name): only here" }
            if let what = stepDifference(step, other) { return "step \(step.name): \(what) differs" }
        }
        if let extra = b.steps.first(where: { a.step(named: $0.name) == nil }) { return "step \(extra.name): only there" }
        for p in a.params where b.param(p.name) != p.value {
            return "param \(p.name): \(p.value) here, \(b.param(p.name)?.description ?? "(none)") there"
        }
        if let extra = b.params.first(where: { a.param($0.name) == nil }) { return "param \(extra.name): only there" }
        for path in Set(here.files.keys).union(there.files.keys).sorted() {
            let x = here.files[path] ?? nil, y = there.files[path] ?? nil
            if x != y { return "file \(path): sha256 \(x?.short ?? "(missing)") here, \(y?.short ?? "(missing)") there" }
        }
        if here.axisNames != there.axisNames { return "axes: \(here.axisNames.joined(separator: ", ")) here, \(there.axisNames.joined(separator: ", ")) there" }
        if here.items.count != there.items.count { return "items: \(here.items.count) here, \(there.items.count) there" }
        let theirs = Set(there.units.lazy.map(\.key))
        if let unit = here.units.first(where: { !theirs.contains($0.key) }) { return "unit \(here.label(of: unit)): its key differs" }
        return "unit keys differ"
    }

    static func stepDifference(_ x: StepSpec, _ y: StepSpec) -> String? {
        if x.run != y.run { return "command" }
        if x.foreach != y.foreach { return "foreach" }
        if x.outputs != y.outputs { return "outputs" }
        if x.inputs != y.inputs { return "inputs" }
        if x.needs != y.needs { return "needs" }
        if x.env != y.env { return "env" }
        if x.code != y.code { return "code list" }
        return nil
    }
}
