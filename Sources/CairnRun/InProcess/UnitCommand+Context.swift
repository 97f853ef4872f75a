import CairnCore
import CairnExecutor
import Logging

extension UnitCommand {
    /// What an in-process step's closure receives for one attempt, waiting only for the
    /// attempt's log. Paths relative to `root` are made absolute (a closure's working folder is
    /// the process's, not the pipeline folder).
    func context(_ unit: PlannedUnit, attempt: Int, staged: [String], root: String, gpus: [String]) -> @Sendable (AttemptLog) -> UnitContext {
        let step = plan.pipeline.steps[unit.step]
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
        for (input, paths) in zip(step.inputs, unit.inputs) { inputs[input.name] = paths.map { absolute(inputPath($0)) } }
        let covered = plan.itemsCovered(by: unit)
        let total = covered == nil ? nil : plan.items.count
        let label = plan.label(of: unit)
        let checkpoint = step.checkpoint ? checkpointFolder(unit) : nil
        let run = runDirectory
        let (stepName, seed) = (step.name, unit.seed)
        let (valuesNow, paramsNow, outputsNow, inputsNow) = (values, params, outputs, inputs)
        return { log in
            var logger = Logger(label: label) { _ in UnitLogHandler(log: log) }
            if !gpus.isEmpty { logger[metadataKey: "gpus"] = "\(gpus.joined(separator: ","))" }
            return UnitContext(step: stepName, unit: label, values: valuesNow, params: paramsNow, seed: seed, attempt: attempt,
                               outputs: outputsNow, inputs: inputsNow, runDirectory: run, checkpointFolder: checkpoint,
                               itemsTotal: total, itemsPresent: covered, logger: logger)
        }
    }
}
