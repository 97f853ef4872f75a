import CairnTestSupport
import Foundation
import Testing

/// Golden run folders that earlier Cairns wrote (`Tests/Fixtures/VERSION/KIND/`, made by
/// `scripts/make-fixtures` and never remade): this Cairn reads every one of them as their writer
/// did — the same status counts, `plan` of the unchanged pipeline runs exactly the recorded
/// remainder, `resume` runs exactly that and no committed unit again, and the outputs equal
/// those of the complete run byte for byte (same per-item seeds). Each is copied to a new
/// place first, with new modification times, as a checkout elsewhere would have.
@Suite(.serialized) struct FixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let kinds = ["complete", "killed", "failed", "forced", "sweep", "merged", "slurm"]

    struct Expected: Decodable {
        var fixture, writtenBy, state: String
        var committed, failed, interrupted, total, orphanedTrials, toRun: Int
        /// What makes `p.yaml` the pipeline the run folder holds (a sweep's `--set`); none by default.
        var planArguments: [String]?
    }

    static var fixtures: [String] {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        return versions.flatMap { v in
            (((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(v)")) ?? []).sorted()).map { "\(v)/\($0)" }
        }
    }

    @Test func everyKindOfRunFolderHasAFixture() throws {
        let versions = try FileManager.default.contentsOfDirectory(atPath: Self.root)
        #expect(!versions.isEmpty, "no fixtures under \(Self.root)")
        for version in versions {
            let kinds = try FileManager.default.contentsOfDirectory(atPath: "\(Self.root)/\(version)").sorted()
            #expect(kinds == Self.kinds.sorted(), "\(version): \(kinds)")
        }
    }

    func json(_ result: CairnBinary.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout) \(result.stderr)")
    }

    /// Every file below `folder` (relative path → bytes).
    func files(_ folder: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: folder)
        while let name = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(folder)/\(name)", isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            out[name] = FileManager.default.contents(atPath: "\(folder)/\(name)")
        }
        return out
    }

    func counts(_ status: [String: Any]) -> [String: Int] {
        (status["total"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
    }

    @Test(arguments: FixtureTests.fixtures) func aFixtureReadsAndResumesAsItsWriterSaid(_ fixture: String) throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let project = "\(dir.path)/project"
        #expect(Tool.run("/bin/cp", ["-r", "\(Self.root)/\(fixture)", project]) == 0)
        let expected = try JSONDecoder().decode(Expected.self, from: try #require(FileManager.default.contents(atPath: "\(project)/expected.json")))
        let journal = "\(project)/.cairn/runs/golden/journal"
        let segments = files(journal)
        #expect(!segments.isEmpty)

        let status = try json(try CairnBinary.run(["status", "--json"], in: project))
        let recorded = counts(status)
        #expect(status["state"] as? String == expected.state, "\(fixture): \(status)")
        #expect(recorded["committed"] == expected.committed && recorded["failed"] == expected.failed, "\(fixture): \(recorded)")
        #expect(recorded["interrupted"] == expected.interrupted && recorded["total"] == expected.total, "\(fixture): \(recorded)")
        #expect(status["orphanedTrials"] as? Int == expected.orphanedTrials, "\(fixture): \(status)")
        let unchanged = ["plan", "p.yaml", "--json"] + (expected.planArguments ?? [])
        let plan = try json(try CairnBinary.run(unchanged, in: project))
        #expect((plan["counts"] as? [String: Any])?["run"] as? Int == expected.toRun, "\(fixture): \(plan["counts"] ?? "")")
        #expect(files(journal) == segments, "\(fixture): status and plan wrote nothing")

        let resumed = try CairnBinary.run(["resume"], in: project)
        #expect(resumed.status == 0, "\(fixture): \(resumed.stdout) \(resumed.stderr)")
        if expected.toRun > 0 {
            #expect(resumed.stdout.contains("(\(expected.toRun) in this session, \(expected.committed) already done)"), "\(fixture): \(resumed.stdout)")
        } else {
            #expect(!resumed.stdout.contains("in this session") || resumed.stdout.contains("(0 in this session"), "\(fixture): \(resumed.stdout)")
            #expect(files(journal).keys.allSatisfy { segments[$0] != nil }, "\(fixture): nothing to do, no new segment")
        }
        let after = try json(try CairnBinary.run(["status", "--json"], in: project))
        #expect(after["state"] as? String == "complete" && counts(after)["committed"] == expected.total, "\(fixture): \(after)")
        let again = try json(try CairnBinary.run(unchanged, in: project))
        #expect((again["counts"] as? [String: Any])?["run"] as? Int == 0, "\(fixture): \(again["counts"] ?? "")")

        // The same outputs as the complete run, byte for byte (a sweep also keeps its orphans').
        let complete = files("\(Self.root)/\(fixture.split(separator: "/")[0])/complete/out")
        let outputs = files("\(project)/out")
        #expect(complete.count == 25)
        for (name, bytes) in complete {
            #expect(outputs[name] == bytes, "\(fixture): out/\(name)")
        }
    }

    /// The sweep fixture ran all three `lr` values, then `--set lr=[0.1, 1.0]`: both totals are
    /// committed and `out/total.txt` holds the second. Planning the file's three values again
    /// must make the first total again (0.1.0 said there was nothing to do: the bug this found).
    @Test func theSweepsFirstTotalIsMadeAgainAfterTheSecondReplacedIt() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let project = "\(dir.path)/sweep"
        #expect(Tool.run("/bin/cp", ["-r", "\(Self.root)/0.1.0/sweep", project]) == 0)
        let plan = try CairnBinary.run(["plan", "p.yaml", "--why"], in: project)
        #expect(plan.stdout.contains("to run: 1 (output replaced by another version 1)") && plan.stdout.contains("out/total.txt"), "\(plan.stdout)")
        let run = try CairnBinary.run(["run", "p.yaml"], in: project)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.contents(atPath: "\(project)/out/total.txt").map { String(decoding: $0, as: UTF8.self).split(separator: "\n").count } == 18)
    }
}
