import CairnCore

/// Renders a unit's command and environment for one attempt.
struct UnitCommand {
    let plan: Plan
    let runDirectory: String
    let baseEnvironment: [String]
    let runTemplates: [Template]
    let envTemplates: [[Template]]
    let axisIndex: [String: Int]
    /// Where a unit finds an input path (a `--oneshot` run finds what it made in its scratch folder).
    var inputPath: (String) -> String = { $0 }
    /// Variables every unit gets besides its own (a SLURM worker adds `CAIRN_SLURM_JOB`).
    var extraEnvironment: [String] = []

    init(plan: Plan, runDirectory: String, baseEnvironment: [String]) throws(PipelineError) {
        self.plan = plan
        self.runDirectory = runDirectory
        self.baseEnvironment = baseEnvironment.filter { !$0.hasPrefix("CAIRN_") }
        var run: [Template] = []
        var env: [[Template]] = []
        for step in plan.pipeline.steps {
            do {
                run.append(try Template(step.run))
                env.append(try step.env.map { v throws(TemplateError) in try Template(v.value) })
            } catch {
                throw plan.pipeline.error(at: "steps.\(step.name).run", "\(error)")
            }
        }
        runTemplates = run
        envTemplates = env
        var index: [String: Int] = [:]
        for (i, a) in plan.axisNames.enumerated() { index[a] = i }
        axisIndex = index
    }

    /// The command line and the environment of an attempt.
    func render(_ unit: PlannedUnit, attempt: Int, staged: [String]) throws(TemplateError) -> (command: String, environment: [String]) {
        let step = plan.pipeline.steps[unit.step]
        let values = unit.item.map { plan.items[$0].values } ?? []
        let lookup = placeholders(unit, attempt: attempt, staged: staged)
        let command = try runTemplates[unit.step].render(shellQuote: true, lookup: lookup)
        var environment = baseEnvironment
        for (variable, template) in zip(step.env, envTemplates[unit.step]) {
            environment.append("\(variable.name)=\(try template.render(shellQuote: false, lookup: lookup))")
        }
        environment += extraEnvironment
        environment.append("CAIRN_STEP=\(step.name)")
        environment.append("CAIRN_UNIT=\(plan.label(of: unit))")
        environment.append("CAIRN_UNIT_KEY=\(unit.key.hex)")
        environment.append("CAIRN_SEED=\(unit.seed)")
        environment.append("CAIRN_ATTEMPT=\(attempt)")
        environment.append("CAIRN_RUN_DIR=\(runDirectory)")
        if step.checkpoint { environment.append("CAIRN_CHECKPOINT_DIR=\(checkpointFolder(unit))") }
        if let covered = plan.itemsCovered(by: unit) {
            environment.append("CAIRN_ITEMS_TOTAL=\(plan.items.count)")
            environment.append("CAIRN_ITEMS_PRESENT=\(covered)")
        }
        if unit.item != nil {
            for (name, value) in zip(plan.axisNames, values) { environment.append("CAIRN_ITEM_\(name.uppercased())=\(value)") }
        }
        for (output, path) in zip(step.outputs, staged) { environment.append("CAIRN_OUT_\(output.name.uppercased())=\(path)") }
        for (input, paths) in zip(step.inputs, unit.inputs) {
            environment.append("CAIRN_IN_\(input.name.uppercased())=\(paths.map(inputPath).joined(separator: "\n"))")
        }
        return (command, environment)
    }

    /// What each placeholder of a unit's templates stands for in one attempt.
    func placeholders(_ unit: PlannedUnit, attempt: Int, staged: [String]) -> (String) -> PlaceholderValue? {
        let step = plan.pipeline.steps[unit.step]
        let values = unit.item.map { plan.items[$0].values } ?? []
        return { name in
            if let a = self.axisIndex[name], unit.item != nil { return .value(values[a]) }
            if let p = self.plan.pipeline.param(name) { return .value(p) }
            switch name {
            case "seed": return .value(.int(unit.seed))
            case "attempt": return .value(.int(attempt))
            case "run_dir": return .value(.string(self.runDirectory))
            case "step": return .value(.string(step.name))
            case "checkpoint_dir" where step.checkpoint: return .value(.string(self.checkpointFolder(unit)))
            default: break
            }
            if name.hasPrefix("out."), let o = step.outputs.firstIndex(where: { "out.\($0.name)" == name }) {
                return .value(.string(staged[o]))
            }
            if name.hasPrefix("in."), let i = step.inputs.firstIndex(where: { "in.\($0.name)" == name }) {
                let paths = unit.inputs[i].map(self.inputPath)
                return paths.count == 1 && !self.isAggregateInput(step, i) ? .value(.string(paths[0])) : .list(paths)
            }
            return nil
        }
    }

    /// The file a unit writes its metrics to (`metrics: {file: …}`), relative to the folder
    /// units run in; nil when the step reads its metrics from its output.
    func metricsFile(_ unit: PlannedUnit, attempt: Int, staged: [String]) throws(TemplateError) -> String? {
        let step = plan.pipeline.steps[unit.step]
        guard case .file(let path) = step.metrics else { return nil }
        if path.hasPrefix("out."), let o = step.outputs.firstIndex(where: { "out.\($0.name)" == path }) { return staged[o] }
        return try Template(path).render(shellQuote: false, lookup: placeholders(unit, attempt: attempt, staged: staged))
    }

    /// The folder a checkpointing unit keeps across its attempts.
    func checkpointFolder(_ unit: PlannedUnit) -> String {
        Runner.checkpointFolder(run: RunFolder(path: runDirectory), step: plan.pipeline.steps[unit.step].name, label: plan.itemLabel(of: unit))
    }

    /// An input that comes from every item of an item step (an aggregate's input) is always a list.
    private func isAggregateInput(_ step: StepSpec, _ i: Int) -> Bool {
        guard step.foreach == .once, case .output(let other, _) = step.inputs[i].source else { return false }
        return plan.pipeline.step(named: other)?.foreach == .item
    }
}
