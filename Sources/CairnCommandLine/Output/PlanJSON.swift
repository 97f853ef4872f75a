import CairnCore
import Foundation

/// `cairn plan --json`: counts, reason groups and (with --why) every unit's decision.
struct PlanJSON {
    let explanation: Explanation

    struct Output: Encodable {
        var pipeline: String
        var counts: Counts
        var groups: [Group]
        var units: [Unit]?
    }

    struct Counts: Encodable {
        var run: Int, done: Int, held: Int, skippedFailed: Int, notSelected: Int, blocked: Int, waiting: Int
    }

    struct Group: Encodable {
        var heading: String, kind: String, count: Int, examples: [String]
    }

    struct Unit: Encodable {
        var unit: String, step: String, key: String, decision: String
        var reasons: [Reason]
        var why: String?
    }

    struct Reason: Encodable {
        var kind: String, group: String, detail: String
    }

    func text(units: [PlannedUnit]) -> String {
        let plan = explanation.plan
        let c = explanation.counts
        var output = Output(
            pipeline: plan.pipeline.name,
            counts: Counts(run: c.run, done: c.done, held: c.held, skippedFailed: c.skippedFailed, notSelected: c.notSelected, blocked: c.blocked, waiting: c.waiting),
            groups: explanation.groups.map { Group(heading: $0.heading, kind: $0.kind.rawValue, count: $0.count, examples: $0.examples) })
        if !units.isEmpty {
            output.units = units.map { u in
                var entry = Unit(unit: plan.label(of: u), step: plan.pipeline.steps[u.step].name, key: u.key.hex, decision: "", reasons: [])
                switch explanation.decisions[u.index] {
                case .done: entry.decision = "done"
                case .run(let reasons):
                    entry.decision = "run"
                    entry.reasons = reasons.map { Reason(kind: $0.kind.rawValue, group: $0.group, detail: $0.detail) }
                case .held(let why): entry.decision = "held"; entry.why = why
                case .skippedFailed(let why): entry.decision = "skipped-failed"; entry.why = why
                case .notSelected: entry.decision = "not-selected"
                case .blocked(let why): entry.decision = "blocked"; entry.why = why
                case .waiting(let why): entry.decision = "waiting"; entry.why = why
                }
                return entry
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(output)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
