import CairnSoak
import CairnTestSupport
import Foundation
import Testing

/// Malformed and hostile pipeline files: each is one line and exit 2, never a crash or a hang.
@Suite struct HostileInputTests {
    static let example: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("examples/shapes/pipeline.yaml"), encoding: .utf8)) ?? ""
    }()

    static func mutate(_ text: String, rng: inout SplitMix) -> String {
        var chars = Array(text)
        let noise = Array("{}[]:,'\"- \n\t#&*!|>%$\\@`?0123456789abcxyz")
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !chars.isEmpty else { break }
            let at = Int.random(in: 0..<chars.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: chars.removeSubrange(at..<min(chars.count, at + Int.random(in: 1...12, using: &rng)))
            case 1: chars.insert(noise.randomElement(using: &rng)!, at: at)
            case 2: chars[at] = noise.randomElement(using: &rng)!
            case 3:
                var lines = String(chars).split(separator: "\n", omittingEmptySubsequences: false)
                let a = Int.random(in: 0..<lines.count, using: &rng), b = Int.random(in: 0..<lines.count, using: &rng)
                lines.swapAt(a, b)
                chars = Array(lines.joined(separator: "\n"))
            case 4:
                var lines = String(chars).split(separator: "\n", omittingEmptySubsequences: false)
                let a = Int.random(in: 0..<lines.count, using: &rng)
                lines.insert(lines[a], at: a)
                chars = Array(lines.joined(separator: "\n"))
            default: chars = Array(chars[0..<at])
            }
        }
        return String(chars)
    }

    @Test func randomMutationsOfTheExampleNeverCrashOrHang() throws {
        try #require(!Self.example.isEmpty, "examples/shapes/pipeline.yaml not found")
        let seed = UInt64(ProcessInfo.processInfo.environment["CAIRN_FUZZ_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)
        var rng = SplitMix(seed: seed)
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/shapes/scripts").path
        try FileManager.default.copyItem(atPath: scripts, toPath: "\(dir.path)/scripts")
        var outcomes: [Int32: Int] = [:]
        for iteration in 0..<160 {
            let text = Self.mutate(Self.example, rng: &rng)
            dir.write("p.yaml", text)
            let run = iteration % 16 == 0
            // A mutation can make a unit that never ends (seed 1796317339 turns `n={n}` into
            // `n=@{n}`, and awk then compares strings in its loop forever): Cairn must still stop
            // at its time limit (exit 124); a Cairn that hangs is stopped at 60 s (143 or 137).
            let result = try CairnBinary.run(run ? ["run", "p.yaml", "-q", "--grace", "1", "--time-limit", "20s"] : ["plan", "p.yaml"],
                                             in: dir.path, timeout: 60)
            outcomes[result.status, default: 0] += 1
            let allowed: Set<Int32> = run ? [0, 1, 2, 124] : [0, 2]
            #expect(allowed.contains(result.status), "seed \(seed) iteration \(iteration): exit \(result.status)\n\(result.stderr)")
            if result.status == 2 {
                let lines = result.stderr.split(separator: "\n")
                #expect(lines.count == 1 && lines[0].hasPrefix("cairn: p.yaml"), "seed \(seed) iteration \(iteration): \(result.stderr)")
            }
            try? FileManager.default.removeItem(atPath: "\(dir.path)/.cairn")
            try? FileManager.default.removeItem(atPath: "\(dir.path)/out")
        }
        print("fuzz seed \(seed): exit codes \(outcomes.sorted { $0.key < $1.key })")
        #expect((outcomes[2] ?? 0) > 20, "mutations do produce errors")
    }

    @Test func aYAMLAliasBombIsBounded() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for n in 1...9 { text += "a\(n): &a\(n) [" + [String](repeating: "*a\(n - 1)", count: 9).joined(separator: ", ") + "]\n" }
        text += "name: bomb\nitems: {i: *a9}\nsteps:\n  - {name: s, run: 'true'}\n"
        dir.write("p.yaml", text)
        let started = Date()
        let result = try CairnBinary.run(["plan", "p.yaml"], in: dir.path, timeout: 60)
        #expect(result.status == 2)
        #expect(result.stderr.contains("expands to more than"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func anOversizedPipelineFileIsRefused() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: big\n# " + String(repeating: "x", count: 9 << 20) + "\n")
        let result = try CairnBinary.run(["plan", "p.yaml"], in: dir.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("more than the 8388608 a pipeline file may have"))
    }
}
