import CairnCore
import Foundation

/// Outputs marked `temp: true`: deleted once every unit that consumes them is committed and
/// the run has finished; made again only when a consumer must run again.
enum TempOutputs {
    /// Whether any step has a temp output.
    static func any(_ plan: Plan) -> Bool {
        plan.pipeline.steps.contains { $0.outputs.contains(where: \.temp) }
    }

    /// Deletes the temp outputs of committed units whose consumers are all committed; returns
    /// how many files (or folders) it removed.
    static func cleanUp(_ plan: Plan, committed: [Bool], root: String) -> Int {
        guard any(plan) else { return 0 }
        var consumers = [[Int]](repeating: [], count: plan.units.count)
        for u in plan.units { for n in u.needs { consumers[n].append(u.index) } }
        var removed = 0
        for u in plan.units where committed[u.index] && consumers[u.index].allSatisfy({ committed[$0] }) {
            for (output, path) in zip(plan.pipeline.steps[u.step].outputs, u.outputs) where output.temp {
                let full = "\(root)/\(path)"
                if RawPath.exists(full) {
                    RawPath.removeTree(full)
                    removed += 1
                }
            }
        }
        return removed
    }
}
