import CairnCore
import Testing

/// `extends`: mappings merge deeply with the child winning; lists and scalars replace.
@Suite struct ConfigMergeTests {
    @Test func childOverridesDeeplyAndListsReplace() throws {
        let parent = try YAMLReader.read("""
            name: base
            params: {a: 1, b: 2}
            items: {i: [1, 2, 3]}
            steps:
              s: {run: one, env: {X: "1", Y: "2"}}
              t: {run: two}
            """, file: "base.yaml")
        let child = try YAMLReader.read("""
            name: child
            params: {b: 20, c: 30}
            items: {i: [9]}
            steps:
              s: {env: {Y: "3"}}
              u: {run: three}
            """, file: "child.yaml")
        let merged = ConfigMerge.merge(parent: ConfigMerge.tag(parent, file: "base.yaml"), child: child)
        let spec = try PipelineDecoder.decode(root: merged, file: "child.yaml")
        #expect(spec.name == "child")
        #expect(spec.params.map(\.name) == ["a", "b", "c"])
        #expect(spec.params.map(\.value) == [.int(1), .int(20), .int(30)])
        #expect(spec.axes[0].source == .list([.int(9)]))
        #expect(spec.steps.map(\.name) == ["s", "t", "u"])
        #expect(spec.steps[0].run == "one")
        #expect(spec.steps[0].env.map { "\($0.name)=\($0.value)" } == ["X=1", "Y=3"])
        // Keys that came from the parent keep its file for later errors.
        #expect(spec.error(at: "steps.t.run", "x").file == "base.yaml")
        #expect(spec.error(at: "steps.u.run", "x").file == "child.yaml")
    }

    @Test func folderNamesAreReplacedInEveryString() throws {
        let node = try YAMLReader.read("a: '{DIRNAME}/x'\nb: ['{ROOTDIR}', 3]\nc: {d: '{DIRNAME}{ROOTDIR}'}\n", file: "f")
        let out = ConfigMerge.substitute(node, ["DIRNAME": "/p", "ROOTDIR": "/r"])
        let texts = out.entries!.flatMap { e -> [String] in
            switch e.value.value {
            case .scalar(let t, _): [t]
            case .sequence(let items): items.compactMap { if case .scalar(let t, _) = $0.value { t } else { nil } }
            case .mapping(let m): m.compactMap { if case .scalar(let t, _) = $0.value.value { t } else { nil } }
            }
        }
        #expect(texts == ["/p/x", "/r", "3", "/p/r"])
    }
}
