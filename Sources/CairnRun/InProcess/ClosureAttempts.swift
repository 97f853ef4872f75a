import CairnCore
import CairnExecutor
import Logging

extension UnitCommand {
    /// What an in-process step's closure receives for one attempt, built when the attempt runs
    /// (on its own thread, not the runner's). Paths relative to `root` are made absolute (a
    /// closure's working folder is the process's, not the pipeline folder).
    func context(_ unit: PlannedUnit, attempt: Int, staged: [String], root: String, gpus: [String]) -> @Sendable (AttemptLog) -> UnitContext {
        let plan = plan, run = runDirectory
        let step = plan.pipeline.steps[unit.step]
        let inputPaths = unit.inputs.map { $0.map(inputPath) }  // where this session finds them
        let checkpoint = step.checkpoint ? checkpointFolder(unit) : nil
        return { log in
            func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : "\(root)/\(path)" }
            var values: [String: ItemValue] = [:]
            if let item = unit.item {
                for (name, value) in zip(plan.axisNames, plan.items[item].values) { values[name] = value }
            }
            var params: [String: ItemValue] = [:]
            for p in plan.pipeline.params { params[p.name] = p.value }
            var outputs: [String: String] = [:]
            for (output, path) in zip(step.outputs, staged) { outputs[output.name] = absolute(path) }
            var inputs: [String: [String]] = [:]
            for (input, paths) in zip(step.inputs, inputPaths) { inputs[input.name] = paths.map(absolute) }
            let covered = plan.itemsCovered(by: unit)
            let label = plan.label(of: unit)
            var logger = Logger(label: label) { _ in UnitLogHandler(log: log) }
            if !gpus.isEmpty { logger[metadataKey: "gpus"] = "\(gpus.joined(separator: ","))" }
            return UnitContext(step: step.name, unit: label, values: values, params: params, seed: unit.seed, attempt: attempt,
                               outputs: outputs, inputs: inputs, runDirectory: run, checkpointFolder: checkpoint,
                               itemsTotal: covered == nil ? nil : plan.items.count, itemsPresent: covered, logger: logger)
        }
    }
}
