/// Static checks of a pipeline before anything runs: step graph, placeholders, formats.
///
/// Each failure is a ``PipelineError`` naming the key and the fix. Checks that need every
/// unit's paths (collisions) are done by ``Planner``.
public enum PipelineValidator {
    /// Validates `spec`, whose axes have resolved values `axisValues` (same order as `spec.axes`).
    /// Returns the steps in dependency order (file order where the graph allows).
    public static func validate(_ spec: PipelineSpec, axisValues: [[ItemValue]]) throws(PipelineError) -> [Int] {
        let axes = spec.axes.map(\.name)
        var names: [String: Int] = [:]
        for (i, step) in spec.steps.enumerated() {
            if names[step.name] != nil {
                throw spec.error(at: "steps.\(step.name)", "two steps are named '\(step.name)'; rename one")
            }
            names[step.name] = i
        }
        var patternOwner: [String: String] = [:]
        for step in spec.steps {
            let key = "steps.\(step.name)"
            for need in step.needs {
                guard let target = spec.step(named: need) else {
                    let hint = Suggestion.hint(for: need, in: spec.steps.map(\.name)) { "'\($0)'" }
                    throw spec.error(at: "\(key).needs", "needs unknown step '\(need)'\(hint)")
                }
                if target.name == step.name { throw spec.error(at: "\(key).needs", "a step cannot need itself; remove '\(need)'") }
            }
            for input in step.inputs {
                guard case .output(let other, let output) = input.source else { continue }
                let sub = "\(key).inputs.\(input.name)"
                guard let producer = spec.step(named: other) else {
                    let hint = Suggestion.hint(for: other, in: spec.steps.map(\.name)) { "'\($0)'" }
                    throw spec.error(at: sub, "takes an output of unknown step '\(other)'\(hint)")
                }
                if producer.name == step.name { throw spec.error(at: sub, "a step cannot take its own output as input") }
                guard producer.outputs.contains(where: { $0.name == output }) else {
                    let hint = Suggestion.hint(for: output, in: producer.outputs.map(\.name)) { "'\($0)'" }
                    throw spec.error(at: sub, "step '\(other)' has no output '\(output)'\(hint)")
                }
                if step.foreach == .item && producer.foreach == .once {
                    continue
                }
            }
            let paramNames = spec.params.map(\.name)
            let commandNames = Placeholders.command(step: step, axes: axes, params: paramNames)
            try checkTemplate(step.run, printf: false, allowed: commandNames, at: "\(key).run", spec: spec, axisValues: axisValues, step: step)
            for variable in step.env {
                try checkTemplate(variable.value, printf: false, allowed: commandNames, at: "\(key).env.\(variable.name)", spec: spec, axisValues: axisValues, step: step)
            }
            let pathNames = Placeholders.path(step: step, axes: axes, params: paramNames)
            for output in step.outputs {
                let sub = "\(key).outputs.\(output.name)"
                try checkTemplate(output.pattern, printf: step.foreach == .item, allowed: pathNames, at: sub, spec: spec, axisValues: axisValues, step: step)
                if let owner = patternOwner[output.pattern] {
                    throw spec.error(at: sub, "pattern '\(output.pattern)' is also an output of '\(owner)'; each output path must belong to one step")
                }
                patternOwner[output.pattern] = "\(step.name).\(output.name)"
            }
            for input in step.inputs {
                if case .path(let pattern) = input.source {
                    try checkTemplate(pattern, printf: step.foreach == .item, allowed: pathNames, at: "\(key).inputs.\(input.name)", spec: spec, axisValues: axisValues, step: step)
                }
            }
        }
        return try order(spec, names: names)
    }

    static func checkTemplate(
        _ text: String, printf: Bool, allowed: [String], at key: String, spec: PipelineSpec,
        axisValues: [[ItemValue]], step: StepSpec
    ) throws(PipelineError) {
        let template: Template
        do { template = try Template(text, printf: printf) } catch { throw spec.error(at: key, "\(error)") }
        let axes = spec.axes.map(\.name)
        if template.printfCount > axes.count {
            throw spec.error(at: key, "has \(template.printfCount) printf conversions but the pipeline has \(axes.count) axes; each %-conversion takes the next axis in order")
        }
        for case .printf(let index, let format) in template.parts {
            try checkFormat(format, values: axisValues[index], axis: axes[index], at: key, spec: spec)
        }
        for case .placeholder(let name, let format) in template.parts {
            guard allowed.contains(name) else {
                let hint = Suggestion.hint(for: name, in: allowed) { "{\($0)}" }
                let why: String
                if axes.contains(name) && step.foreach == .once {
                    why = "step '\(step.name)' runs once, so axis placeholder {\(name)} has no value"
                } else if name.hasPrefix("out.") {
                    why = "{\(name)} names no output of step '\(step.name)'"
                } else if name.hasPrefix("in.") {
                    why = "{\(name)} names no input of step '\(step.name)'"
                } else {
                    why = "placeholder {\(name)} names no axis or placeholder"
                }
                throw spec.error(at: key, "\(why)\(hint); write {{ and }} for literal braces")
            }
            if let format, let index = axes.firstIndex(of: name) {
                try checkFormat(format, values: axisValues[index], axis: name, at: key, spec: spec)
            } else if let format, let value = spec.param(name) {
                try checkFormat(format, values: [value], axis: name, at: key, spec: spec)
            }
        }
    }

    static func checkFormat(_ format: FormatSpec, values: [ItemValue], axis: String, at key: String, spec: PipelineSpec) throws(PipelineError) {
        for value in values {
            do { _ = try format.format(value) } catch {
                throw spec.error(at: key, "axis '\(axis)': \(error)")
            }
        }
    }

    /// Topological order of steps, keeping file order among independent steps.
    static func order(_ spec: PipelineSpec, names: [String: Int]) throws(PipelineError) -> [Int] {
        var state = [Int](repeating: 0, count: spec.steps.count)  // 0 new, 1 visiting, 2 done
        var out: [Int] = []
        var stack: [Int] = []
        func visit(_ i: Int) throws(PipelineError) {
            if state[i] == 2 { return }
            if state[i] == 1 {
                let start = stack.firstIndex(of: i)!
                let cycle = (stack[start...] + [i]).map { spec.steps[$0].name }.joined(separator: " -> ")
                throw spec.error(at: "steps.\(spec.steps[i].name).needs", "steps form a cycle: \(cycle); remove one of these needs")
            }
            state[i] = 1
            stack.append(i)
            for dep in spec.steps[i].dependencies { try visit(names[dep]!) }
            stack.removeLast()
            state[i] = 2
            out.append(i)
        }
        for i in spec.steps.indices { try visit(i) }
        return out
    }
}
