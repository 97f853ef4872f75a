import CairnCore
import Testing

@Suite struct PipelineDecoderTests {
    static let valid = """
        name: demo
        seed: 7
        items:
          sample: {range: [0, 4]}
          shape: [circle, square]
        steps:
          - name: gen
            run: echo {sample} > {out.data}
            outputs:
              data: out/{shape}/{sample:03d}.txt
          - name: total
            foreach: once
            run: cat {in.all} > {out.sum}
            inputs:
              all: {from: gen.data}
            outputs:
              sum: out/sum.txt
        """

    @Test func decodesAValidPipeline() throws {
        let spec = try PipelineDecoder.decode(text: Self.valid, file: "p.yaml")
        #expect(spec.name == "demo")
        #expect(spec.seed == 7)
        #expect(spec.axes.map(\.name) == ["sample", "shape"])
        #expect(spec.axes[0].literalValues == [.int(0), .int(1), .int(2), .int(3)])
        #expect(spec.steps[1].foreach == .once)
        #expect(spec.steps[1].dependencies == ["gen"])
    }

    @Test func acceptsJSON() throws {
        let json = #"{"name": "j", "items": {"n": {"range": {"start": 1, "stop": 3}}}, "steps": [{"name": "a", "run": "true"}]}"#
        let spec = try PipelineDecoder.decode(text: json, file: "p.json")
        #expect(spec.axes[0].literalValues == [.int(1), .int(2)])
    }

    @Test(arguments: [
        ("name: x\nitems: {a: [1]}\nsteps:\n  - name: s\n    run: true\n    ouputs: {}\n", 6, "steps[0].ouputs", "did you mean 'outputs'"),
        ("name: x\nitems: {a: [1]}\nsteps:\n  - name: s\n    run: true\n    retries: many\n", 6, "steps.s.retries", "expected an integer"),
        ("name: x\nitemz: {a: [1]}\nsteps: []\n", 2, "itemz", "did you mean 'items'"),
        ("name: x\nitems: {a: {range: [1, 2, 0]}}\nsteps:\n  - {name: s, run: true}\n", 2, "items.a.range", "step must not be 0"),
        ("name: x\nitems: {seed: [1]}\nsteps:\n  - {name: s, run: true}\n", 2, "items.seed", "reserved"),
        ("name: x\nitems: {a: [1]}\nsteps:\n  - name: s\n    run: true\n    timeout: soon\n", 6, "steps.s.timeout", "duration"),
        ("name: x\nitems: {a: [1]}\nsteps:\n  - name: s\n    run: [true]\n", 5, "steps.s.run", "expected a string"),
    ])
    func rejectsBadInputWithFileLineAndKey(text: String, line: Int, key: String, fragment: String) {
        #expect {
            _ = try PipelineDecoder.decode(text: text, file: "bad.yaml")
        } throws: { error in
            guard let e = error as? PipelineError else { return false }
            let text = e.description
            return e.line == line && e.key == key && text.contains(fragment) && text.hasPrefix("bad.yaml:\(line): ") && !text.contains("\n")
        }
    }

    @Test func reportsYAMLSyntaxErrorsWithLine() {
        #expect {
            _ = try PipelineDecoder.decode(text: "name: x\nitems: [\n  a: b\nsteps: x: y\n", file: "s.yaml")
        } throws: { error in
            let e = error as! PipelineError
            return e.line != nil && e.description.contains("invalid YAML")
        }
    }

    @Test func parsesDurations() {
        #expect(Duration.parseSeconds("90") == 90)
        #expect(Duration.parseSeconds("1h30m") == 5400)
        #expect(Duration.parseSeconds("250ms") == 0.25)
        #expect(Duration.parseSeconds("2d") == 172_800)
        #expect(Duration.parseSeconds("5x") == nil)
        #expect(Duration.parseSeconds("") == nil)
    }
}
