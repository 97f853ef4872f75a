/// The placeholder names Cairn defines besides the axes.
public enum Placeholders {
    /// Names an axis may not take.
    public static let reserved: Set<String> = ["seed", "attempt", "run_dir", "step", "out", "in", "item"]

    /// Placeholders allowed in a step's `run` and `env` templates.
    static func command(step: StepSpec, axes: [String]) -> [String] {
        var names = step.foreach == .item ? axes : []
        names += ["seed", "attempt", "run_dir", "step"]
        names += step.outputs.map { "out.\($0.name)" }
        names += step.inputs.map { "in.\($0.name)" }
        return names
    }

    /// Placeholders allowed in a step's path patterns.
    static func path(step: StepSpec, axes: [String]) -> [String] {
        (step.foreach == .item ? axes : []) + ["step"]
    }
}
