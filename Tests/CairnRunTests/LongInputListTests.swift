import CairnTestSupport
import Foundation
import Testing

/// An aggregate over thousands of items: its input list is longer than Linux passes to a
/// program in one string (128 KiB), so it comes in a file (`CAIRN_IN_<NAME>_LIST`) and a `run`
/// that would expand it past the limit fails with a message saying so, not with `exec`'s
/// "Argument list too long".
@Suite struct LongInputListTests {
    /// 3,000 items whose output paths take about 60 bytes each: some 180 KB listed.
    static func pipeline(name: String, aggregate run: String) -> String {
        """
        name: \(name)
        items: {i: {range: [0, 3000]}}
        steps:
          - {name: gen, run: 'printf {i} > {out.o}', outputs: {o: 'out/\(name)/a-rather-long-sample-file-name-{i:05d}.bin'}}
          - name: agg
            foreach: once
            run: '\(run)'
            inputs: {all: {from: gen.o}}
            outputs: {o: '\(name)-summary.txt'}
        """
    }

    @Test func aLongListComesInAFileAndItsVariableIsLeftUnset() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline(name: "long", aggregate: #"echo "${CAIRN_IN_ALL-unset}" > {out.o}; xargs -d "\\n" -a "$CAIRN_IN_ALL_LIST" cat >> {out.o}; cp "$CAIRN_IN_ALL_LIST" list.copy"#))
        let result = try CairnBinary.run(["run", "p.yaml", "-j", "4"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = dir.lines("long-summary.txt")
        #expect(summary.first == "unset", "CAIRN_IN_ALL over 64 KiB is not set")
        #expect(summary.dropFirst().joined() == (0..<3000).map(String.init).joined(), "the list names every item's output, in item order")
        let expected = (0..<3000).map { String(format: "out/long/a-rather-long-sample-file-name-%05d.bin", $0) }
        #expect(dir.lines("list.copy") == expected)
        #expect(FileManager.default.fileExists(atPath: "\(dir.path)/.cairn/runs/long/inputs/agg/all.list"))
    }

    @Test func aShortListIsInTheVariableAndInTheFile() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", """
            name: short
            items: {x: [1.0, true, "ünï ✓"]}
            steps:
              - {name: gen, run: 'echo {x} > {out.o}', outputs: {o: 'out/{x}.txt'}}
              - {name: agg, foreach: once, run: 'printf "%s\\n" "$CAIRN_IN_ALL" > v.txt; cp "$CAIRN_IN_ALL_LIST" f.txt; cat {in.all} > {out.o}', inputs: {all: {from: gen.o}}, outputs: {o: sum.txt}}
            """)
        let result = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(dir.lines("v.txt") == ["out/1.0.txt", "out/true.txt", "out/ünï ✓.txt"])
        #expect(dir.lines("f.txt") == dir.lines("v.txt"))
        #expect(dir.lines("sum.txt") == ["1.0", "true", "ünï ✓"])
    }

    @Test func aRunThatExpandsPastTheLimitFailsSayingWhatToReadInstead() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline(name: "inline", aggregate: "cat {in.all} > {out.o}"))
        let result = try CairnBinary.run(["run", "p.yaml", "-j", "4"], in: dir.path)
        #expect(result.status == 1)
        let said = result.stdout + result.stderr
        #expect(said.contains("steps.agg.run expands to") && said.contains("128 KiB") && said.contains("{in.all}") && said.contains("$CAIRN_IN_ALL_LIST"), "\(said)")
        #expect(!said.contains("Argument list too long"), "\(said)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/inline-summary.txt"))
        // The 3,000 item units stay committed: fixing the step runs only the aggregate.
        let status = try CairnBinary.run(["status", "inline", "--json"], in: dir.path)
        #expect(status.stdout.contains("\"committed\" : 3000"), "\(status.stdout)")
    }
}
