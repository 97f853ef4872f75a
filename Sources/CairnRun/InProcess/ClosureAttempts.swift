import CairnCore
import CairnExecutor
import Logging

/// What every in-process attempt of a session shares, built once per session. An attempt's
/// context (``Attempt``) and log path are made from it on the attempt's own thread, not the
/// runner's, and only as far as the closure asks; an attempt's closure holds one reference to it
/// instead of copies of the plan and its step.
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

    /// One attempt of unit `index`: what its closure's ``UnitContext`` is made of. Everything
    /// beyond step, seed and attempt number is worked out when the closure asks for it.
    struct Attempt: Sendable {
        let shared: ClosureAttempts
        let index: Int
        let number: Int
        /// The attempt's output paths, in the step's output order.
        let staged: [String]
        /// Each declared input's paths, where this session finds them.
        let inputPaths: [[String]]
        let gpus: [String]
        let log: AttemptLog

        private var plan: Plan { shared.plan }
        private var unit: PlannedUnit { plan.units[index] }
        private var step: StepSpec { plan.pipeline.steps[unit.step] }

        private func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : "\(shared.root)/\(path)" }

        var label: String { plan.label(of: unit) }

        var values: [String: ItemValue] {
            var values: [String: ItemValue] = [:]
            if let item = unit.item {
                for (axis, value) in zip(plan.pipeline.axes, plan.items[item].values) { values[axis.name] = value }
            }
            return values
        }

        var params: [String: ItemValue] {
            var params: [String: ItemValue] = [:]
            for p in plan.pipeline.params { params[p.name] = p.value }
            return params
        }

        var outputs: [String: String] {
            var outputs: [String: String] = [:]
            for (output, path) in zip(step.outputs, staged) { outputs[output.name] = absolute(path) }
            return outputs
        }

        var inputs: [String: [String]] {
            var inputs: [String: [String]] = [:]
            for (input, paths) in zip(step.inputs, inputPaths) { inputs[input.name] = paths.map(absolute) }
            return inputs
        }

        /// An axis's value, else a param's (as ``values`` then ``params``).
        func value(_ name: String) -> ItemValue? {
            if let item = unit.item, let axis = plan.pipeline.axes.firstIndex(where: { $0.name == name }) { return plan.items[item].values[axis] }
            return plan.pipeline.params.last { $0.name == name }?.value
        }

        func output(_ name: String) -> String? {
            guard let i = step.outputs.firstIndex(where: { $0.name == name }), i < staged.count else { return nil }
            return absolute(staged[i])
        }

        func inputs(_ name: String) -> [String]? {
            guard let i = step.inputs.firstIndex(where: { $0.name == name }), i < inputPaths.count else { return nil }
            return inputPaths[i].map(absolute)
        }

        var checkpointFolder: String? {
            step.checkpoint ? Runner.checkpointFolder(run: shared.run, step: step.name, label: plan.itemLabel(of: unit)) : nil
        }

        var itemsCovered: Int? { plan.itemsCovered(by: unit) }

        var itemsTotal: Int? { itemsCovered == nil ? nil : plan.items.count }

        var logger: Logger {
            let log = log
            var logger = Logger(label: label) { _ in UnitLogHandler(log: log) }
            if !gpus.isEmpty { logger[metadataKey: "gpus"] = "\(gpus.joined(separator: ","))" }
            return logger
        }
    }
}
