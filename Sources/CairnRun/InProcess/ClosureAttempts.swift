import CairnCore
import CairnExecutor
import Logging

/// What every in-process attempt of a session shares, built once per session. An attempt's
/// context and log path are made from it on the attempt's own thread, not the runner's, and
/// an attempt's closure holds one reference to it instead of copies of the plan and its step.
final class ClosureAttempts: Sendable {
    let plan: Plan
    /// The run folder (`.cairn/runs/NAME`).
    let run: RunFolder
    /// Relative paths are made absolute against it (a closure's working folder is the
    /// process's, not the pipeline folder).
    let root: String

    init(plan: Plan, run: RunFolder, root: String) {
        self.plan = plan
        self.run = run
        self.root = root
    }

    /// The log file of unit `index` (every attempt appends to it).
    func logPath(of index: Int) -> String {
        let unit = plan.units[index]
        return run.log(step: plan.pipeline.steps[unit.step].name, label: plan.itemLabel(of: unit))
    }

    /// What unit `index`'s closure receives for one attempt.
    /// - Parameters:
    ///   - staged: the attempt's output paths, in the step's output order.
    ///   - inputs: each declared input's paths, where this session finds them.
    func context(of index: Int, attempt: Int, staged: [String], inputs inputPaths: [[String]], gpus: [String], log: AttemptLog) -> UnitContext {
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : "\(root)/\(path)" }
        var values: [String: ItemValue] = [:]
        if let item = unit.item {
            for (name, value) in zip(plan.pipeline.axes, plan.items[item].values) { values[name.name] = value }
        }
        var params: [String: ItemValue] = [:]
        for p in plan.pipeline.params { params[p.name] = p.value }
        var outputs: [String: String] = [:]
        for (output, path) in zip(step.outputs, staged) { outputs[output.name] = absolute(path) }
        var inputs: [String: [String]] = [:]
        for (input, paths) in zip(step.inputs, inputPaths) { inputs[input.name] = paths.map(absolute) }
        let covered = plan.itemsCovered(by: unit)
        let label = plan.label(of: unit)
        let checkpoint = step.checkpoint ? Runner.checkpointFolder(run: run, step: step.name, label: plan.itemLabel(of: unit)) : nil
        var logger = Logger(label: label) { _ in UnitLogHandler(log: log) }
        if !gpus.isEmpty { logger[metadataKey: "gpus"] = "\(gpus.joined(separator: ","))" }
        return UnitContext(step: step.name, unit: label, values: values, params: params, seed: unit.seed, attempt: attempt,
                           outputs: outputs, inputs: inputs, runDirectory: run.path, checkpointFolder: checkpoint,
                           itemsTotal: covered == nil ? nil : plan.items.count, itemsPresent: covered, logger: logger)
    }
}
