import CairnCore
import Foundation

/// Which units' outputs are on disk, for a pipeline with no run folder (a dataset made
/// elsewhere, or before Cairn): what `cairn analyze FILE` shows and `cairn adopt` takes.
public struct DiskSurvey: Sendable, Encodable {
    public var pipeline: String
    public var root: String
    public var steps: [Step] = []

    /// One step: units whose every output exists, units with some, and the items lacking them.
    public struct Step: Sendable, Encodable {
        public var step: String
        public var units = 0
        /// Every declared output exists.
        public var present = 0
        /// Some outputs exist, not all.
        public var incomplete = 0
        /// The step declares no outputs: nothing on disk can show it ran.
        public var noOutputs = false
        public var missingItems: [String] = []
    }

    /// Unit indices of `plan` whose every output exists under `root`.
    public static func presentUnits(_ plan: Plan, root: String) -> [Bool] {
        var info = stat()
        return plan.units.map { u in
            !u.outputs.isEmpty && u.outputs.allSatisfy { RawPath.lstat("\(root)/\($0)", &info) == 0 }
        }
    }

    /// Looks at every output of `plan` under `root`.
    public static func survey(_ plan: Plan, root: String) -> DiskSurvey {
        var out = DiskSurvey(pipeline: plan.pipeline.name, root: root)
        var info = stat()
        for s in plan.stepOrder {
            let step = plan.pipeline.steps[s]
            var entry = Step(step: step.name, noOutputs: step.outputs.isEmpty)
            var missing: [Int] = []
            for u in plan.units[plan.stepRanges[s]] {
                entry.units += 1
                let found = u.outputs.count { RawPath.lstat("\(root)/\($0)", &info) == 0 }
                if !u.outputs.isEmpty && found == u.outputs.count {
                    entry.present += 1
                    continue
                }
                if found > 0 { entry.incomplete += 1 }
                if let item = u.item { missing.append(item) }
            }
            entry.missingItems = step.outputs.isEmpty ? [] : ItemRanges.describe(missing, in: plan)
            out.steps.append(entry)
        }
        return out
    }
}
