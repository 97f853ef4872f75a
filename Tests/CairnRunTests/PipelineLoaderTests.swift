import CairnCore
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// `glob` and `file` axes are resolved against the file system when a pipeline is loaded.
@Suite struct PipelineLoaderTests {
    @Test func globAndFileAxesResolveRelativeToThePipelineFile() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("data/b.txt", "2")
        dir.write("data/a.txt", "1")
        dir.write("data/skip.csv", "x")
        dir.write("lists/ids.txt", "alpha\r\n\n  \nbeta/two\ngamma\n")
        let path = dir.write("sub/p.yaml", """
            name: axes
            items:
              f: {glob: "../data/*.txt"}
              id: {file: ../lists/ids.txt}
            steps:
              - {name: s, run: 'cat {f}'}
            """)
        let spec = try PipelineLoader().load(file: path)
        #expect(spec.axes[0].source == .list([.string("../data/a.txt"), .string("../data/b.txt")]))
        #expect(spec.axes[1].source == .list([.string("alpha"), .string("beta/two"), .string("gamma")]))
        #expect(try Planner.plan(spec).units.count == 6)
    }

    @Test func aMissingListFileNamesTheKey() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let path = dir.write("p.yaml", "name: m\nitems:\n  id: {file: nope.txt}\nsteps:\n  - {name: s, run: 'true'}\n")
        #expect {
            _ = try PipelineLoader().load(file: path)
        } throws: { error in
            let e = error as! RunError
            return e.exitCode == 2 && e.description.contains("p.yaml:3: items.id.file: cannot read 'nope.txt'")
        }
    }

    @Test func globsAndSamplesWorkEndToEnd() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        for n in 0..<30 { dir.write("in/\(String(format: "%02d", n)).txt", "\(n)") }
        dir.write("p.yaml", """
            name: g
            seed: 3
            items:
              src: {glob: "in/*.txt"}
            sample: {count: 10, seed: 4}
            steps:
              - name: copy
                run: cp {src} {out.dst}
                outputs: {dst: 'out/{src}'}
            """)
        let result = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let copied = try FileManager.default.contentsOfDirectory(atPath: "\(dir.path)/out/in").sorted()
        #expect(copied.count == 10)
        for name in copied { #expect(dir.read("out/in/\(name)") == dir.read("in/\(name)")) }
        let list = try CairnBinary.run(["plan", "p.yaml", "--list"], in: dir.path)
        #expect(list.stdout.components(separatedBy: "\n").filter { $0.contains("done") && $0.contains("copy[src=") }.count == 10)
    }
}
