/// The placeholder names Cairn defines besides the axes.
public enum Placeholders {
    /// Names an axis may not take.
    public static let reserved: Set<String> = ["seed", "attempt", "run_dir", "step", "out", "in", "item", "checkpoint_dir"]

    /// Placeholders allowed in a step's `run` and `env` templates.
    static func command(step: StepSpec, axes: [String], params: [String] = []) -> [String] {
        var names = (step.foreach == .item ? axes : []) + params
        names += ["seed", "attempt", "run_dir", "step"]
        if step.checkpoint { names.append("checkpoint_dir") }
        names += step.outputs.map { "out.\($0.name)" }
        names += step.inputs.map { "in.\($0.name)" }
        return names
    }

    /// Placeholders allowed in a step's path patterns.
    static func path(step: StepSpec, axes: [String], params: [String] = []) -> [String] {
        (step.foreach == .item ? axes : []) + params + ["step"]
    }

    /// The params of `spec` that `step`'s templates (run, env, outputs, inputs) use, sorted by
    /// name; every param for an in-process step (its closure sees them all).
    public static func paramsUsed(by step: StepSpec, in spec: PipelineSpec) -> [String] {
        guard !spec.params.isEmpty else { return [] }
        if step.isClosure { return spec.params.map(\.name).sorted { CanonicalJSON.codePointOrder($0, $1) } }
        var texts = [step.run] + step.env.map(\.value) + step.outputs.map(\.pattern)
        for input in step.inputs { if case .path(let p) = input.source { texts.append(p) } }
        var used = Set<String>()
        for text in texts {
            guard let template = try? Template(text, printf: true) else { continue }
            for case .placeholder(let name, _) in template.parts where spec.param(name) != nil { used.insert(name) }
        }
        return used.sorted { CanonicalJSON.codePointOrder($0, $1) }
    }
}
