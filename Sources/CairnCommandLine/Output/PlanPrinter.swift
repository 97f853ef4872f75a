import CairnCore
import CairnJournal
import CairnRun

/// The pipeline summary `run` and `plan` print: steps with inputs and outputs, what will run
/// and why, and what is held back.
struct PlanPrinter {
    let explanation: Explanation
    let folder: RunFolder
    let color: Bool

    var plan: Plan { explanation.plan }

    func summary() -> String {
        let style = Style(on: color)
        let p = plan.pipeline
        let axes = plan.axisNames.joined(separator: " × ")
        var out = style.bold("pipeline \(p.name)") + " — \(plan.items.count) items (\(axes)), \(p.steps.count) steps, \(plan.units.count) units, seed \(p.seed)\n"
        out += "run folder: \(Terminal.relative(folder.path))\n"
        let counts = explanation.counts
        let showHeld = counts.held + counts.blocked + counts.skippedFailed > 0
        let showUnselected = counts.notSelected > 0
        let showWaiting = counts.waiting > 0
        var header = ["STEP", "FOREACH", "INPUTS", "OUTPUTS", "TO RUN", "DONE"]
        if showHeld { header.append("HELD/BLOCKED") }
        if showUnselected { header.append("NOT SELECTED") }
        if showWaiting { header.append("WAITING") }
        var rows = [header]
        for s in plan.stepOrder {
            let step = p.steps[s]
            var c = Explanation.Counts()
            for unit in plan.units[plan.stepRanges[s]] {
                switch explanation.decisions[unit.index] {
                case .done: c.done += 1
                case .run: c.run += 1
                case .held, .skippedFailed, .blocked: c.held += 1
                case .notSelected: c.notSelected += 1
                case .waiting: c.waiting += 1
                }
            }
            let inputs = step.inputs.map { input -> String in
                switch input.source {
                case .path(let pattern): "\(input.name)=\(pattern)"
                case .output(let other, let output): "\(input.name)=\(other).\(output)"
                }
            }
            let needs = step.needs.filter { n in !step.inputs.contains { if case .output(n, _) = $0.source { true } else { false } } }
            let inText = (inputs + needs.map { "after \($0)" }).joined(separator: ", ")
            var row = [step.name, step.foreach.rawValue, inText.isEmpty ? "-" : inText,
                       step.outputs.map { "\($0.name)=\($0.pattern)\($0.temp ? " (temp)" : "")" }.joined(separator: ", ").ifEmpty("-"),
                       "\(c.run)", "\(c.done)"]
            if showHeld { row.append("\(c.held)") }
            if showUnselected { row.append("\(c.notSelected)") }
            if showWaiting { row.append("\(c.waiting)") }
            rows.append(row)
        }
        out += Terminal.table(rows, indent: "  ")
        var byKind: [(String, Int)] = []
        for g in explanation.groups {
            if let i = byKind.firstIndex(where: { $0.0 == g.kind.rawValue }) { byKind[i].1 += g.count } else { byKind.append((g.kind.rawValue, g.count)) }
        }
        let kinds = byKind.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        out += "to run: \(style.bold("\(counts.run)"))\(kinds.isEmpty ? "" : " (\(kinds))"); already committed: \(counts.done)"
        if showHeld { out += "; held back or blocked: \(counts.held + counts.blocked + counts.skippedFailed)" }
        if showUnselected { out += "; not selected: \(counts.notSelected)" }
        if showWaiting { out += "; waiting for unselected items: \(counts.waiting)" }
        return out
    }

    /// Units that run, grouped by their main reason, with examples; then what is held back.
    func reasons(limit: Int = 12) -> String {
        var out = ""
        let groups = explanation.groups
        if !groups.isEmpty { out += "why:\n" }
        for g in groups.prefix(limit) {
            out += "  \(g.heading): \(g.count) unit\(g.count == 1 ? "" : "s")\n"
            for example in g.examples {
                let lines = example.split(separator: "\n", omittingEmptySubsequences: false)
                out += "      \(lines.joined(separator: "\n      "))\n"
            }
            if g.more { out += "      …\n" }
        }
        if groups.count > limit { out += "  … and \(groups.count - limit) more reasons (cairn plan --why --json)\n" }
        let notRunning = explanation.notRunning
        if !notRunning.isEmpty {
            out += "not running:\n"
            for (unit, why) in notRunning.prefix(limit) { out += "  \(plan.label(of: plan.units[unit])): \(why)\n" }
            if notRunning.count > limit { out += "  … and \(notRunning.count - limit) more\n" }
        }
        let waiting = explanation.decisions.enumerated().compactMap { i, d -> (Int, String)? in
            if case .waiting(let why) = d { (i, why) } else { nil }
        }
        if !waiting.isEmpty {
            out += "waiting (not a failure; runs once those items are committed, e.g. merged from other shards):\n"
            for (unit, why) in waiting.prefix(limit) { out += "  \(plan.label(of: plan.units[unit])): \(why)\n" }
            if waiting.count > limit { out += "  … and \(waiting.count - limit) more\n" }
        }
        return out
    }

    /// Everything about one unit.
    func unit(_ unit: PlannedUnit, history: UnitHistory?) -> String {
        var out = "\(plan.label(of: unit))\n  key: \(unit.key.hex)\n  seed: \(unit.seed)\n"
        if !unit.outputs.isEmpty { out += "  outputs: \(unit.outputs.joined(separator: ", "))\n" }
        for (input, paths) in zip(plan.pipeline.steps[unit.step].inputs, unit.inputs) {
            let digests = paths.map { p in (plan.files[p] ?? nil).map { " (sha256 \($0.short))" } ?? "" }
            out += "  input \(input.name): \(zip(paths, digests).map { "\($0)\($1)" }.joined(separator: ", "))\n"
        }
        for path in plan.pipeline.steps[unit.step].code {
            out += "  code: \(path)\((plan.files[path] ?? nil).map { " (sha256 \($0.short))" } ?? " (missing)")\n"
        }
        if let h = history, h.attempts > 0 { out += "  attempts so far: \(h.attempts)\n" }
        switch explanation.decisions[unit.index] {
        case .done: out += "  decision: skip — committed under this key\n"
        case .run(let reasons):
            out += "  decision: run\n"
            for r in reasons {
                out += "    because: \(r.group)"
                if !r.detail.isEmpty { out += ": " + r.detail.split(separator: "\n").joined(separator: "\n             ") }
                out += "\n"
            }
        case .held(let why), .blocked(let why): out += "  decision: not running — \(why)\n"
        case .skippedFailed(let why): out += "  decision: not running — failed before (\(why)) and --skip-failed is set\n"
        case .notSelected: out += "  decision: not selected\n"
        case .waiting(let why): out += "  decision: not running — \(why)\n"
        }
        return out
    }

    func unitList() -> String {
        var rows = [["DECISION", "UNIT", "SEED", "KEY"]]
        for unit in plan.units {
            let decision: String
            switch explanation.decisions[unit.index] {
            case .done: decision = "done"
            case .run(let reasons): decision = "run: \(reasons.first?.group ?? "")"
            case .held: decision = "held"
            case .skippedFailed: decision = "failed (skipped)"
            case .notSelected: decision = "not selected"
            case .blocked: decision = "blocked"
            case .waiting: decision = "waiting"
            }
            rows.append([decision, plan.label(of: unit), "\(unit.seed)", unit.key.short])
        }
        return Terminal.table(rows, indent: "  ")
    }
}

extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
