import CairnCore
import Testing

@Suite struct DistributionTests {
    func error(_ items: String) -> String {
        let text = "name: d\nitems:\n  \(items)\nsample: {count: 3}\nsteps:\n  - {name: s, run: 'echo {x}'}\n"
        do { _ = try Planner.plan(try PipelineDecoder.decode(text: text, file: "p.yaml")); return "" } catch { return error.description }
    }

    @Test func badBoundsNameFileLineAndKey() {
        #expect(error("x: {uniform: [1, 0]}") == "p.yaml:3: items.x.uniform: low (1.0) must be below high (0.0)")
        #expect(error("x: {loguniform: [0, 1]}") == "p.yaml:3: items.x.loguniform: loguniform bounds must be above 0 (low is 0.0)")
        #expect(error("x: {randint: [5, 1]}") == "p.yaml:3: items.x.randint: low (5) must not be above high (1)")
        #expect(error("x: {randint: [1.5, 3]}").hasPrefix("p.yaml:3: items.x.randint[0]: expected an integer"))
        #expect(error("x: {uniform: [0]}") == "p.yaml:3: items.x.uniform: give two bounds, [low, high]")
        #expect(error("x: {choice: []}") == "p.yaml:3: items.x.choice: give at least one value to choose from")
        #expect(error("x: {uniform: [a, 1]}").hasPrefix("p.yaml:3: items.x.uniform[0]: expected a number"))
        #expect(error("x: {uniform: [0, 1]}").isEmpty)
    }

    @Test func drawsStayInBoundsAndRepeatExactly() throws {
        let spec = try PipelineDecoder.decode(text: """
            name: d
            items:
              u: {uniform: [-1, 1]}
              l: {loguniform: [1e-6, 1e-2]}
              r: {randint: [-3, 3]}
              c: {choice: [a, 1.0, true]}
            sample: {count: 500, seed: 11}
            steps:
              - {name: s, run: 'echo {u} {l} {r} {c}'}
            """, file: "p.yaml")
        let plan = try Planner.plan(spec)
        #expect(plan.items.count > 400)
        for item in plan.items {
            guard case .double(let u) = item.values[0], case .double(let l) = item.values[1], case .int(let r) = item.values[2] else {
                Issue.record("wrong kinds: \(item.values)")
                continue
            }
            #expect(u >= -1 && u < 1)
            #expect(l >= 1e-6 && l <= 1e-2)
            #expect((-3...3).contains(r))
        }
        #expect(Set(plan.items.map { $0.values[2] }).count == 7, "every integer of randint's range is drawn")
        #expect(try Planner.plan(spec).items.map(\.values) == plan.items.map(\.values))
        #expect(Distribution.randint(Int.min, Int.max).value(42) == .int(Int.min + 42))
    }
}
