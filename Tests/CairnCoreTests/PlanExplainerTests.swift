import CairnCore
import Testing

/// Every reason `plan --why` can give, decided without any I/O.
@Suite struct PlanExplainerTests {
    func spec(seed: Int = 1, items: [ItemValue] = [.int(0), .int(1)], out: String = "o/{i}", extra: [StepSpec] = [], code: [String] = []) -> PipelineSpec {
        var a = StepSpec(name: "a", run: "make {out.x}", outputs: [.init(name: "x", pattern: out)])
        a.code = code
        let b = StepSpec(name: "b", run: "use {in.x} > {out.y}", outputs: [.init(name: "y", pattern: "p/{i}")],
                         inputs: [.init(name: "x", source: .output(step: "a", output: "x"))])
        return PipelineSpec(name: "t", seed: seed, axes: [AxisSpec(name: "i", source: .list(items))], steps: [a, b] + extra)
    }

    func committed(_ plan: Plan) -> UnitTable {
        var h: UnitTable = [:]
        for u in plan.units { h[u.key] = UnitHistory(committed: true, attempts: 1) }
        return h
    }

    func kinds(_ e: Explanation) -> [RunReason.Kind?] {
        e.decisions.map { if case .run(let r) = $0 { r.first?.kind } else { nil } }
    }

    @Test func newItemsNewStepsSeedsOutputsAndCodeListsAreNamed() throws {
        let old = try Planner.plan(spec())
        let history = committed(old)
        let grown = try Planner.plan(spec(items: [.int(0), .int(1), .int(2)], extra: [StepSpec(name: "c", run: "true", needs: ["b"])]))
        let e = PlanExplainer(plan: grown, previous: old, history: history).explain()
        #expect(kinds(e) == [nil, nil, .newItem, nil, nil, .newItem, .newStep, .newStep, .newStep])
        let reseeded = PlanExplainer(plan: try Planner.plan(spec(seed: 2)), previous: old, history: history).explain()
        #expect(kinds(reseeded) == [.seed, .seed, .seed, .seed])
        let moved = PlanExplainer(plan: try Planner.plan(spec(out: "q/{i}")), previous: old, history: history).explain()
        #expect(kinds(moved) == [.outputs, .outputs, .upstream, .upstream])
        let coded = PlanExplainer(plan: try Planner.plan(spec(code: ["gen.py"]), files: { _ in Digest(of: "v1") }), previous: old, history: history).explain()
        #expect(kinds(coded) == [.codeList, .codeList, .upstream, .upstream])
    }

    @Test func historyReasonsAndHoldingBack() throws {
        let plan = try Planner.plan(spec())
        var history = committed(plan)
        history[plan.units[0].key] = UnitHistory(attempts: 1, interrupted: true)
        history[plan.units[1].key] = UnitHistory(attempts: 2, lastFailure: "exited 1")
        let e = PlanExplainer(plan: plan, previous: nil, history: history).explain()
        #expect(kinds(e) == [.interrupted, .failedBefore, nil, nil])
        var skip = RunSelection()
        skip.skipFailed = true
        let skipped = PlanExplainer(plan: plan, previous: nil, history: history, selection: skip).explain()
        #expect(skipped.decisions[1] == .skippedFailed("exited 1"))
        #expect(skipped.decisions[3] == .done, "b[i=1] stays committed; a failed a[i=1] does not undo it")

        var force = RunSelection()
        force.force = ["a"]
        force.items = 1..<2
        force.neverRerun = ["b"]
        let forced = PlanExplainer(plan: plan, previous: nil, history: committed(plan), selection: force).explain()
        #expect(forced.invalidate == [1, 3])
        #expect(kinds(forced) == [nil, .forced, nil, nil])
        if case .held(let why) = forced.decisions[3] { #expect(why.hasPrefix("b would need recomputation")) } else { Issue.record("b[i=1] is not held: \(forced.decisions[3])") }
    }
}
