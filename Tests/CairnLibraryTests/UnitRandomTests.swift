import Cairn
import CairnTestSupport
import Foundation
import Testing

/// The in-process units' random generator gives the numbers its documentation promises, which
/// the documented Python reproduces, on any platform.
@Suite struct UnitRandomTests {
    @Test func knownValuesOfSplitMix64() {
        // SplitMix64 from seed 0 (the reference values of Vigna's splitmix64.c).
        var random = UnitRandom(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(random.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func theDocumentedPythonGivesTheSameNumbers() throws {
        let seeds = [0, 1, -1, 20261203, Int.max]
        var swift: [String] = []
        for seed in seeds {
            var r = UnitRandom(seed: seed)
            var s = UnitRandom(seed: seed, stream: "noise")
            swift.append("\(r.next()) \(r.nextDouble()) \(r.int(in: -15...15)) \(r.int(in: 0...999_999_999)) \(s.next())")
        }
        let python = """
            import hashlib, sys
            M = (1 << 64) - 1
            def splitmix(state):
                while True:
                    state = (state + 0x9E3779B97F4A7C15) & M
                    z = state
                    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
                    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
                    yield z ^ (z >> 31)
            def int_in(g, lo, hi):
                n = hi - lo + 1
                t = ((1 << 64) - n) % n
                while True:
                    x = next(g) * n
                    if (x & M) >= t:
                        return lo + (x >> 64)
            for seed in [int(a) for a in sys.stdin.read().split()]:
                g = splitmix(seed & M)
                s = splitmix(int.from_bytes(hashlib.sha256(f"{seed}:noise".encode()).digest()[:8], "big"))
                a = next(g); d = (next(g) >> 11) * 2.0**-53
                print(a, repr(d), int_in(g, -15, 15), int_in(g, 0, 999999999), next(s))
            """
        let lines = try Tool.python(python, input: seeds.map(String.init).joined(separator: " "))
        #expect(lines.count == seeds.count)
        for (mine, theirs) in zip(swift, lines) {
            let a = mine.split(separator: " "), b = theirs.split(separator: " ")
            #expect(a[0] == b[0] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4], "\(mine) vs \(theirs)")
            #expect(Double(String(a[1])) == Double(String(b[1])), "\(mine) vs \(theirs)")
        }
    }

    @Test func integersAreInRangeAndShufflesArePermutations() {
        var r = UnitRandom(seed: 42)
        for _ in 0..<10_000 { #expect((-3...3).contains(r.int(in: -3...3))) }
        #expect(r.int(in: Int.min...Int.max) != r.int(in: Int.min...Int.max))
        var a = Array(0..<50)
        r.shuffle(&a)
        #expect(a.sorted() == Array(0..<50) && a != Array(0..<50))
        var again = UnitRandom(seed: 42), b = UnitRandom(seed: 42)
        #expect(again.nextDouble() == b.nextDouble())
    }
}
