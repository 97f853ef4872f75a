import CairnCore

/// Renders a unit's command and environment for one attempt.
///
/// An aggregate's (`foreach: once`) inputs can list more paths than Linux passes to a program:
/// one argument or environment string may hold at most 128 KiB (`MAX_ARG_STRLEN`). So each
/// input of an aggregate is also written to a file, one path per line, named by
/// `CAIRN_IN_<NAME>_LIST`; `CAIRN_IN_<NAME>` itself is set only while it is at most 64 KiB; and
/// a `run` or `env` value that expands past the limit fails the unit with a message that names
/// the file to read instead (rather than `exec`'s "Argument list too long").
struct UnitCommand {
    /// A command, its environment, and the input list files to write before it starts.
    struct Rendered {
        var command: String
        var environment: [String]
        /// `CAIRN_IN_<NAME>_LIST` files: path and contents (one path per line).
        var lists: [(path: String, text: String)] = []
    }

    /// Linux refuses to start a program given one argument or variable this long or longer.
    static let argumentLimit = 131_072
    /// The longest `CAIRN_IN_<NAME>` value set; a longer list is only in its `_LIST` file.
    static let longestInputVariable = 65_536

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
    func render(_ unit: PlannedUnit, attempt: Int, staged: [String]) throws(TemplateError) -> Rendered {
        let step = plan.pipeline.steps[unit.step]
        let values = unit.item.map { plan.items[$0].values } ?? []
        let lookup = placeholders(unit, attempt: attempt, staged: staged)
        let command = try runTemplates[unit.step].render(shellQuote: true, lookup: lookup)
        try checkLength(command, of: "steps.\(step.name).run", unit)
        var environment = baseEnvironment
        for (variable, template) in zip(step.env, envTemplates[unit.step]) {
            let value = try template.render(shellQuote: false, lookup: lookup)
            try checkLength(value, of: "steps.\(step.name).env.\(variable.name)", unit)
            environment.append("\(variable.name)=\(value)")
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
        var lists: [(path: String, text: String)] = []
        for (input, paths) in zip(step.inputs, unit.inputs) {
            let joined = paths.map(inputPath).joined(separator: "\n")
            let variable = "CAIRN_IN_\(input.name.uppercased())"
            if step.foreach == .once {
                if joined.utf8.count <= Self.longestInputVariable { environment.append("\(variable)=\(joined)") }
                let path = inputListFile(step: step.name, input: input.name)
                environment.append("\(variable)_LIST=\(path)")
                lists.append((path, paths.isEmpty ? "" : joined + "\n"))
            } else {
                try checkLength(joined, of: variable, unit)
                environment.append("\(variable)=\(joined)")
            }
        }
        return Rendered(command: command, environment: environment, lists: lists)
    }

    /// Where an aggregate's input list is written: `inputs/STEP/NAME.list` in the run folder.
    func inputListFile(step: String, input: String) -> String {
        "\(runDirectory)/inputs/\(step)/\(input).list"
    }

    /// Fails when `text` is too long to pass to a program, naming what to use instead.
    private func checkLength(_ text: String, of key: String, _ unit: PlannedUnit) throws(TemplateError) {
        let bytes = text.utf8.count
        guard bytes >= Self.argumentLimit else { return }
        let step = plan.pipeline.steps[unit.step]
        let longest = unit.inputs.indices.max { unit.inputs[$0].count < unit.inputs[$1].count }
        let lists: String
        if step.foreach == .once, let i = longest {
            let name = step.inputs[i].name
            lists = "leave {in.\(name)} out of it and read the paths from the file named by $CAIRN_IN_\(name.uppercased())_LIST (one per line), e.g. `xargs -d '\\n' -a \"$CAIRN_IN_\(name.uppercased())_LIST\" …`"
        } else {
            lists = "pass long lists in a file instead"
        }
        throw TemplateError("\(key) expands to \(bytes) bytes, more than Linux passes to a program in one argument or variable (128 KiB): \(lists)")
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
