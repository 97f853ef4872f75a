import CairnCore
import Testing

@Suite struct OverridesTests {
    let spec = try! PipelineDecoder.decode(text: """
        name: p
        params: {epochs: 3}
        items: {x: [1, 2], y: [a, b]}
        steps:
          - {name: s, run: 'echo {x} {y} {epochs}'}
        """, file: "p.yaml")

    @Test func listsScalarsAndMappingsOverrideAxesAndParams() throws {
        let o = try Overrides.parse(["x=[1.0, 2e-3]", "y=c", "epochs=10", "x={range: [0, 3]}"], maxTrials: 2)
        let out = try o.apply(to: spec)
        #expect(out.axes[0].source == .range(start: 0, stop: 3, step: 1))
        #expect(out.axes[1].source == .list([.string("c")]))
        #expect(out.param("epochs") == .int(10))
        #expect(out.sample == SampleSpec(count: 2, seed: 0))
        #expect(o.settings.map(\.name) == ["y", "epochs", "x"])
    }

    @Test func mistakesAreOneLineNamingTheFlag() {
        func message(_ args: [String]) -> String {
            do { _ = try Overrides.parse(args, maxTrials: nil).apply(to: spec); return "" } catch { return error.description }
        }
        #expect(message(["zzzz=1"]) == "--set zzzz=1: no axis or param 'zzzz'; axes and params: x, y, epochs")
        #expect(message(["epoch=1"]).contains("did you mean 'epochs'?"))
        #expect(message(["epochs=[1, 2]"]).contains("'epochs' is a param (one value)"))
        #expect(message(["x=[1,"]).hasPrefix("--set x=[1,: invalid YAML"))
        #expect(message(["x="]).hasPrefix("--set x=: "))
        #expect(message(["=1"]).hasPrefix("--set =1: give NAME=VALUE"))
    }
}
