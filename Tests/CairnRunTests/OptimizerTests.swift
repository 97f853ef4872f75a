import CairnTestSupport
import Foundation
import Testing

/// Ask/tell search with the bundled example optimizer: proposals are journaled before their
/// trials run, so a search killed while asking or while running resumes with exactly the
/// proposals an uninterrupted search makes, and never asks again for a batch it has.
@Suite(.serialized) struct OptimizerTests {
    static let pipeline = """
        name: opt
        items:
          lr: {loguniform: [1e-4, 1e-1]}
          layers: {randint: [1, 6]}
        optimizer: {run: 'echo "ask $CAIRN_OPTIMIZER_BATCH" >> asks.log; sleep {think}; python3 propose.py', trials: 10, batch: 3}
        steps:
          - name: train
            run: echo "$CAIRN_UNIT" >> side.log; sleep {work}; python3 train.py {lr} {layers} {seed}
            metrics: {pattern: 'loss=(?<loss>\\S+)'}
        """

    func setUp(think: String = "0", work: String = "0") throws -> TemporaryFolder {
        let dir = TemporaryFolder()
        let examples = FileManager.default.currentDirectoryPath + "/examples/sweep"
        for file in ["propose.py", "train.py"] {
            try FileManager.default.copyItem(atPath: "\(examples)/\(file)", toPath: "\(dir.path)/\(file)")
        }
        dir.write("p.yaml", Self.pipeline.replacingOccurrences(of: "{think}", with: think).replacingOccurrences(of: "{work}", with: work))
        return dir
    }

    func trials(_ dir: TemporaryFolder) throws -> [String] {
        let r = try CairnBinary.run(["trials", "--json"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["trials"] as? [[String: Any]] ?? []
        return try rows.map { row in
            #expect(row["status"] as? String == "committed")
            return String(decoding: try JSONSerialization.data(withJSONObject: row["values"] ?? [:], options: [.sortedKeys]), as: UTF8.self)
        }
    }

    func reference() throws -> [String] {
        let dir = try setUp()
        defer { dir.remove() }
        let r = try CairnBinary.run(["run", "p.yaml", "-q"], in: dir.path)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(dir.lines("asks.log") == ["ask 0", "ask 1", "ask 2", "ask 3"])
        #expect(dir.lines("side.log").count == 10)
        return try trials(dir)
    }

    @Test func searchRunsInBatchesAndShowsItsTrials() throws {
        let expected = try reference()
        #expect(expected.count == 10)
        #expect(Set(expected).count == 10)
    }

    @Test func killedWhileAskingResumesWithTheSameProposals() throws {
        let expected = try reference()
        let dir = try setUp(think: "1.5")
        defer { dir.remove() }
        let run = try CairnBinary.start(["run", "p.yaml", "-q"], in: dir.path)
        #expect(CairnBinary.waitFor(timeout: 60) { dir.lines("asks.log").contains("ask 1") })
        usleep(300_000)
        run.signal(SIGKILL)
        _ = run.wait()
        let resumed = try CairnBinary.run(["resume", "-q"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        // Batch 0 was journaled: never asked again. Batch 1 was being asked: asked again.
        #expect(dir.lines("asks.log") == ["ask 0", "ask 1", "ask 1", "ask 2", "ask 3"], "\(dir.lines("asks.log"))")
        #expect(try trials(dir) == expected)
        #expect(dir.lines("side.log").count == 10, "a committed trial ran twice: \(dir.lines("side.log"))")
    }

    @Test func killedWhileRunningATrialResumesWithoutAskingAgain() throws {
        let expected = try reference()
        let dir = try setUp(work: "0.4")
        defer { dir.remove() }
        let run = try CairnBinary.start(["run", "p.yaml", "-q", "-j", "2"], in: dir.path)
        #expect(CairnBinary.waitFor(timeout: 60) { dir.lines("side.log").count >= 5 })
        run.signal(SIGKILL)
        _ = run.wait()
        let before = dir.lines("side.log").count
        let committed = (try CairnBinary.run(["trials", "--json"], in: dir.path).stdout.components(separatedBy: "\"committed\"").count) - 1
        let resumed = try CairnBinary.run(["resume", "-q"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(dir.lines("asks.log") == ["ask 0", "ask 1", "ask 2", "ask 3"], "\(dir.lines("asks.log"))")
        #expect(try trials(dir) == expected)
        #expect(dir.lines("side.log").count == before + (10 - committed), "\(dir.lines("side.log"))")
    }

    @Test func aBrokenOptimizerStopsTheRunWithItsLog() throws {
        let dir = try setUp()
        defer { dir.remove() }
        dir.write("bad.sh", "echo '{\"lr\": 0.1}'\n")
        dir.write("p.yaml", Self.pipeline.replacingOccurrences(of: "python3 propose.py", with: "sh bad.sh")
            .replacingOccurrences(of: "{think}", with: "0").replacingOccurrences(of: "{work}", with: "0"))
        let r = try CairnBinary.run(["run", "p.yaml", "-q"], in: dir.path)
        #expect(r.status == 1)
        #expect(r.stderr.contains("trial 1 has no value for 'layers'"), "\(r.stderr)")
        dir.write("p.yaml", "name: o\nitems: {x: [1]}\noptimizer: {run: 'true', trials: 0}\nsteps:\n  - {name: s, run: 'echo {x}'}\n")
        let bad = try CairnBinary.run(["plan", "p.yaml"], in: dir.path)
        #expect(bad.status == 2 && bad.stderr.contains("p.yaml:3: optimizer.trials: must be 1 or more"), "\(bad.stderr)")
    }
}
