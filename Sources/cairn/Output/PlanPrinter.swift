import CairnCore
import CairnJournal
import CairnRun

/// The pipeline summary `run` and `plan` print: steps with inputs and outputs, counts to run and to skip.
struct PlanPrinter {
    let plan: Plan
    let state: JournalState
    let folder: RunFolder
    let color: Bool

    func summary() -> String {
        let style = Style(on: color)
        let p = plan.pipeline
        let axes = plan.axisNames.joined(separator: " × ")
        var out = style.bold("pipeline \(p.name)") + " — \(plan.items.count) items (\(axes)), \(p.steps.count) steps, \(plan.units.count) units, seed \(p.seed)\n"
        out += "run folder: \(Terminal.relative(folder.path))\n"
        var rows = [["STEP", "FOREACH", "INPUTS", "OUTPUTS", "TO RUN", "DONE", "(NEW/FAILED/INTERRUPTED)"]]
        var totals = (run: 0, done: 0, new: 0, failed: 0, interrupted: 0)
        for s in plan.stepOrder {
            let step = p.steps[s]
            var c = (run: 0, done: 0, new: 0, failed: 0, interrupted: 0)
            for unit in plan.units[plan.stepRanges[s]] {
                switch UnitStanding(state.units[unit.key]) {
                case .committed: c.done += 1
                case .new: c.new += 1; c.run += 1
                case .failed: c.failed += 1; c.run += 1
                case .interrupted: c.interrupted += 1; c.run += 1
                }
            }
            totals.run += c.run; totals.done += c.done; totals.new += c.new; totals.failed += c.failed; totals.interrupted += c.interrupted
            let inputs = step.inputs.map { input -> String in
                switch input.source {
                case .path(let pattern): "\(input.name)=\(pattern)"
                case .output(let other, let output): "\(input.name)=\(other).\(output)"
                }
            }
            let needs = step.needs.filter { n in !step.inputs.contains { if case .output(n, _) = $0.source { true } else { false } } }
            let inText = (inputs + needs.map { "after \($0)" }).joined(separator: ", ")
            rows.append([step.name, step.foreach.rawValue, inText.isEmpty ? "-" : inText,
                         step.outputs.map { "\($0.name)=\($0.pattern)" }.joined(separator: ", ").ifEmpty("-"),
                         "\(c.run)", "\(c.done)", "\(c.new)/\(c.failed)/\(c.interrupted)"])
        }
        out += Terminal.table(rows, indent: "  ")
        out += "to run: \(style.bold("\(totals.run)")) (new \(totals.new), failed before \(totals.failed), interrupted \(totals.interrupted)); already committed: \(totals.done)"
        return out
    }

    func unitList() -> String {
        var rows = [["STANDING", "UNIT", "SEED", "KEY"]]
        for unit in plan.units {
            let standing: String
            switch UnitStanding(state.units[unit.key]) {
            case .committed: standing = "done"
            case .new: standing = "new"
            case .failed: standing = "failed"
            case .interrupted: standing = "interrupted"
            }
            rows.append([standing, plan.label(of: unit), "\(unit.seed)", unit.key.short])
        }
        return Terminal.table(rows, indent: "  ")
    }
}

extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
