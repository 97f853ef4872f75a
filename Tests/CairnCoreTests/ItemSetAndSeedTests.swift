@testable import CairnCore
import Foundation
import Testing

@Suite struct ItemSetAndSeedTests {
    @Test func productOrderHasTheFirstAxisSlowest() {
        let items = ItemSet.expand(axes: [("a", [.int(0), .int(1)]), ("b", [.string("x"), .string("y"), .string("z")])], sample: nil)
        #expect(items.map { $0.label(axes: ["a", "b"]) } == ["a=0,b=x", "a=0,b=y", "a=0,b=z", "a=1,b=x", "a=1,b=y", "a=1,b=z"])
    }

    @Test func samplingIsStableAndGrowsBySuperset() {
        let axes: [(name: String, values: [ItemValue])] = [("i", (0..<500).map { .int($0) })]
        let a = ItemSet.expand(axes: axes, sample: SampleSpec(count: 50, seed: 9)).map(\.values)
        let b = ItemSet.expand(axes: axes, sample: SampleSpec(count: 50, seed: 9)).map(\.values)
        let bigger = ItemSet.expand(axes: axes, sample: SampleSpec(count: 80, seed: 9)).map(\.values)
        let other = ItemSet.expand(axes: axes, sample: SampleSpec(count: 50, seed: 10)).map(\.values)
        #expect(a.count == 50)
        #expect(a == b)
        #expect(Set(a.map { $0[0] }).isSubset(of: Set(bigger.map { $0[0] })))
        #expect(a != other)
        #expect(a == a.sorted { if case .int(let x) = $0[0], case .int(let y) = $1[0] { x < y } else { false } })
    }

    @Test func sampleSelectionMatchesTheDocumentedAlgorithmInPython() throws {
        let axes: [(name: String, values: [ItemValue])] = [("i", (0..<40).map { .int($0) }), ("s", [.string("a/b"), .string("é")])]
        let ours = ItemSet.expand(axes: axes, sample: SampleSpec(count: 7, seed: 3)).map { $0.json(axes: ["i", "s"]) }
        let script = """
            import hashlib, json, itertools
            items = [{"i": i, "s": s} for i, s in itertools.product(range(40), ["a/b", "é"])]
            key = lambda it: hashlib.sha256(("cairn-sample-v1:3:" + json.dumps(it, sort_keys=True, separators=(",", ":"), ensure_ascii=False)).encode()).digest()
            kept = sorted(sorted(range(len(items)), key=lambda n: key(items[n]))[:7])
            for n in kept: print(json.dumps(items[n], sort_keys=True, separators=(",", ":"), ensure_ascii=False))
            """
        #expect(try python(script) == ours)
    }

    /// The planner's seed writer hashes bytes it writes itself: they must be the item JSON's.
    @Test func theFastSeedWriterGivesTheSeedsOfTheItemJSON() {
        let axes = ["sample", "name", "é", "lr", "flag"]
        let rows: [[ItemValue]] = [
            [.int(0), .string("a \"q\" \\ / é\n\u{1}"), .string("ünï"), .double(1.0), .bool(true)],
            [.int(-12345), .string(""), .string("x"), .double(1e-05), .bool(false)],
            [.int(Int.max), .string("日本"), .string("{}"), .double(0.1), .bool(true)],
        ]
        let fast = UnitSeed.deriver(runSeed: 2026, axes: axes)
        for (i, values) in rows.enumerated() {
            let item = Item(index: i, values: values)
            #expect(fast(item) == UnitSeed.derive(runSeed: 2026, itemJSON: item.json(axes: axes)), "\(values)")
        }
    }

    @Test func seedsCanBeRecomputedOutsideCairn() throws {
        let items: [[String: ItemValue]] = [["sample": .int(0)], ["sample": .int(12345), "name": .string("a \"q\" \\ / é\n")], ["x": .double(0.1), "y": .double(1e-05)]]
        var ours: [String] = []
        var pyItems: [String] = []
        for item in items {
            let names = item.keys.sorted()
            let json = Item(index: 0, values: names.map { item[$0]! }).json(axes: names)
            ours.append(String(UnitSeed.derive(runSeed: 2026, itemJSON: json)))
            pyItems.append(json)
        }
        let script = """
            import hashlib, json, sys
            for line in sys.stdin.read().split("\\u0000"):
                item = json.loads(line)
                text = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                assert text == line, (text, line)
                print(int.from_bytes(hashlib.sha256(f"cairn-seed-v1:2026:{text}".encode()).digest()[:4], "big"))
            """
        #expect(try python(script, input: pyItems.joined(separator: "\u{0}")) == ours)
    }

    func python(_ script: String, input: String = "") throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardInput = inp
        try p.run()
        inp.fileHandleForWriting.write(Data(input.utf8))
        try inp.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
