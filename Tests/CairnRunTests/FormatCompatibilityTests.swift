import CairnCore
@testable import CairnJournal
import CairnTestSupport
import Foundation
import Testing

/// Run folders written by a newer Cairn: what this one may skip it skips, what it cannot read
/// it refuses in one line (exit 2) without changing anything; older snapshots read.
@Suite(.serialized) struct FormatCompatibilityTests {
    /// A framed record: length, CRC-32, payload (as a newer writer would frame it).
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        let crc = payload.withUnsafeBytes { CRC32.checksum($0) }
        var out: [UInt8] = []
        for v in [UInt32(payload.count), crc] { for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) } }
        return out + payload
    }

    /// A finished run of three units, and its only segment.
    func finishedRun(_ dir: TemporaryFolder) throws -> String {
        dir.write("p.yaml", "name: c\nitems: {i: [1, 2, 3]}\nsteps:\n  - {name: s, run: 'echo {i} > {out.o}', outputs: {o: 'o/{i}'}}\n")
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        let journal = "\(dir.path)/.cairn/runs/c/journal"
        return "\(journal)/\(try #require(try Journal.segments(in: journal).last))"
    }

    func append(_ bytes: [UInt8], to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(bytes))
        handle.closeFile()
    }

    @Test func fieldsAndRecordKindsANewerCairnAddsForInformationAreSkipped() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let segment = try finishedRun(dir)
        var outcome: [UInt8] = []
        RecordCodec.encode(.outcome("from a newer cairn"), into: &outcome)
        try append(Self.frame(Array(outcome[8...]) + [7, 7, 7]), to: segment)  // a known record with a field appended
        try append(Self.frame([70, 1, 2, 3]), to: segment)  // an informational kind this Cairn does not know
        let status = try CairnBinary.run(["status", "c"], in: dir.path)
        #expect(status.status == 0 && status.stdout.contains("3/3"), "\(status.stdout) \(status.stderr)")
        let history = try CairnBinary.run(["history", "c"], in: dir.path)
        #expect(history.stdout.contains("from a newer cairn"), "\(history.stdout)")
        try FileManager.default.removeItem(atPath: "\(dir.path)/o/2")
        let resumed = try CairnBinary.run(["resume", "c"], in: dir.path)
        #expect(resumed.status == 0 && dir.read("o/2") == "2\n", "\(resumed.stdout) \(resumed.stderr)")
        #expect(try CairnBinary.run(["history", "c"], in: dir.path).stdout.contains("from a newer cairn"), "resume kept the newer records")
        #expect(!resumed.stderr.contains("torn"), "\(resumed.stderr)")
    }

    @Test func aRecordKindThatMustBeUnderstoodIsRefusedInOneLineAndNothingChanges() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let segment = try finishedRun(dir)
        try append(Self.frame([40, 9, 9]), to: segment)
        let before = try #require(FileManager.default.contents(atPath: segment))
        let segments = try Journal.segments(in: (segment as NSString).deletingLastPathComponent)
        for arguments in [["status", "c"], ["resume", "c"], ["plan", "p.yaml"], ["run", "p.yaml"]] {
            let result = try CairnBinary.run(arguments, in: dir.path)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("holds a record of type 40") && result.stderr.contains("a newer Cairn wrote it"), "\(arguments): \(result.stderr)")
        }
        #expect(FileManager.default.contents(atPath: segment) == before)
        #expect(try Journal.segments(in: (segment as NSString).deletingLastPathComponent) == segments, "no session started")
    }

    @Test func aSnapshotOfANewerFormatIsRefusedAndAnOlderOneReads() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        _ = try finishedRun(dir)
        let path = "\(dir.path)/.cairn/runs/c/snapshot.json"
        let original = try #require(dir.read(".cairn/runs/c/snapshot.json"))
        var json = try #require(try JSONSerialization.jsonObject(with: Data(original.utf8)) as? [String: Any])
        json["version"] = 2
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let newer = try CairnBinary.run(["status", "c"], in: dir.path)
        #expect(newer.status == 2 && newer.stderr.contains("written by a newer Cairn (snapshot format 2"), "\(newer.stderr)")
        #expect(newer.stderr.split(separator: "\n").count == 1)
        // An older snapshot: members added since (resources' gpus and time, the pipeline's
        // jobs and env, a step's version) are missing; they take their defaults.
        json["version"] = 1
        var pipeline = try #require(json["pipeline"] as? [String: Any])
        pipeline["jobs"] = nil
        pipeline["env"] = nil
        var steps = try #require(pipeline["steps"] as? [[String: Any]])
        steps[0]["resources"] = ["cpus": 1, "memoryMB": 0]
        steps[0]["version"] = nil
        pipeline["steps"] = steps
        json["pipeline"] = pipeline
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let older = try CairnBinary.run(["status", "c"], in: dir.path)
        #expect(older.status == 0 && older.stdout.contains("3/3"), "\(older.stdout) \(older.stderr)")
        let plan = try CairnBinary.run(["plan", "p.yaml"], in: dir.path)
        #expect(plan.stdout.contains("to run: 0; already committed: 3"), "\(plan.stdout)")
    }
}
