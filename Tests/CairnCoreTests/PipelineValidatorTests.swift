import CairnCore
import Testing

@Suite struct PipelineValidatorTests {
    func plan(_ text: String) throws -> Plan {
        try Planner.plan(try PipelineDecoder.decode(text: text, file: "v.yaml"))
    }

    func expectError(_ text: String, key: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) {
            _ = try plan(text)
        } throws: { error in
            guard let e = error as? PipelineError else { return false }
            return e.key == key && e.description.contains(fragment) && e.line != nil
        }
    }

    @Test func rejectsCycles() {
        expectError("""
            name: c
            items: {i: [1]}
            steps:
              - {name: a, run: true, needs: [c]}
              - {name: b, run: true, needs: [a]}
              - {name: c, run: true, needs: [b]}
            """, key: "steps.a.needs", "cycle: a -> c -> b -> a")
    }

    @Test func rejectsMissingNeedsWithSuggestion() {
        expectError("name: m\nitems: {i: [1]}\nsteps:\n  - {name: render, run: true}\n  - {name: b, run: true, needs: [rendr]}\n",
                    key: "steps.b.needs", "did you mean 'render'")
    }

    @Test func rejectsUnknownPlaceholderWithSuggestion() {
        expectError("name: p\nitems: {sample: [1]}\nsteps:\n  - {name: a, run: 'echo {smaple}'}\n", key: "steps.a.run", "did you mean {sample}")
    }

    @Test func rejectsAxisPlaceholderInOnceStep() {
        expectError("name: p\nitems: {sample: [1]}\nsteps:\n  - {name: a, foreach: once, run: 'echo {sample}'}\n", key: "steps.a.run", "runs once")
    }

    @Test func rejectsOutputPatternOfTwoSteps() {
        expectError("""
            name: o
            items: {i: [1, 2]}
            steps:
              - {name: a, run: true, outputs: {x: 'out/{i}.txt'}}
              - {name: b, run: true, outputs: {y: 'out/{i}.txt'}}
            """, key: "steps.b.outputs.y", "also an output of 'a.x'")
    }

    @Test func rejectsPatternsThatCollideForTwoItems() {
        expectError("name: o\nitems: {i: [1, 2], j: [a, b]}\nsteps:\n  - {name: a, run: true, outputs: {x: 'out/{i}.txt'}}\n",
                    key: "steps.a.outputs.x", "include every axis that varies")
        expectError("name: o\nitems: {x: [0.1, 0.2]}\nsteps:\n  - {name: a, run: true, outputs: {x: 'out/{x:.0f}.txt'}}\n",
                    key: "steps.a.outputs.x", "same path 'out/0.txt'")
    }

    @Test func rejectsPathsOutsideThePipelineFolder() {
        expectError("name: o\nitems: {i: ['../../etc/passwd']}\nsteps:\n  - {name: a, run: true, outputs: {x: '{i}'}}\n",
                    key: "steps.a.outputs.x", "outside the pipeline folder")
        expectError("name: o\nitems: {i: [1]}\nsteps:\n  - {name: a, run: true, outputs: {x: '/tmp/{i}'}}\n",
                    key: "steps.a.outputs.x", "outside the pipeline folder")
        for bad in ["a/../../b", "..", "./.", "", "a/..", "//"] {
            expectError("name: o\nitems: {i: ['\(bad)']}\nsteps:\n  - {name: a, run: true, outputs: {x: '{i}'}}\n",
                        key: "steps.a.outputs.x", "outside the pipeline folder")
        }
        for own in [".cairn/x", "a/.cairn-staging/b", "a/.cairnish"] {
            expectError("name: o\nitems: {i: ['\(own)']}\nsteps:\n  - {name: a, run: true, outputs: {x: '{i}'}}\n",
                        key: "steps.a.outputs.x", "inside Cairn's own folders")
        }
        for fine in ["a/./b", "a..b/c", "...", "x/.cair/y", "a//b"] {
            #expect((try? plan("name: o\nitems: {i: ['\(fine)']}\nsteps:\n  - {name: a, run: true, outputs: {x: '{i}'}}\n")) != nil, "\(fine)")
        }
    }

    @Test func rejectsFormatThatDoesNotSuitTheValues() {
        expectError("name: f\nitems: {i: [1, x]}\nsteps:\n  - {name: a, run: 'echo {i:03d}'}\n", key: "steps.a.run", "needs a number")
    }

    @Test func rejectsTooManyPrintfConversions() {
        expectError("name: f\nitems: {i: [1]}\nsteps:\n  - {name: a, run: true, outputs: {x: 'out/%d-%d.txt'}}\n", key: "steps.a.outputs.x", "printf")
    }

    @Test func rejectsEmptyItemSets() {
        expectError("name: e\nitems: {i: []}\nsteps:\n  - {name: a, run: true}\n", key: "items", "no items")
    }

    @Test func rejectsInputFromUnknownOutput() {
        expectError("name: e\nitems: {i: [1]}\nsteps:\n  - {name: a, run: true, outputs: {img: 'o/{i}'}}\n  - {name: b, run: true, inputs: {x: {from: a.imge}}}\n",
                    key: "steps.b.inputs.x", "did you mean 'img'")
    }
}
