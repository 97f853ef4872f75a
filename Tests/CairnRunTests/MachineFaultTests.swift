import CairnCore
import CairnJournal
import CairnTestSupport
import Foundation
import Testing

/// Disk full and read-only folders, on real (small tmpfs) file systems.
@Suite(.serialized, .enabled(if: TmpfsMount.available, "mounting a tmpfs needs root; these tests run in CI"))
struct MachineFaultTests {
    @Test func aReadOnlyOutputFolderOrRunFolderIsRefusedBeforeAnyUnitStarts() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let ro = try #require(TmpfsMount(at: "\(dir.path)/ro", size: "1m"))
        defer { ro.unmount() }
        #expect(ro.remountReadOnly())
        dir.write("p.yaml", "name: r\nitems: {i: [1, 2]}\nsteps:\n  - {name: s, run: 'echo {i} >> ran.log; echo x > {out.o}', outputs: {o: 'ro/out/{i}.txt'}}\n")
        let result = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("output folder \(dir.path)/ro is not writable (Read-only file system); no unit was started"))
        #expect(!dir.exists("ran.log"))
        dir.write("q.yaml", "name: q\nitems: {i: [1]}\nsteps:\n  - {name: s, run: 'echo {i} >> ran.log'}\n")
        let runDir = try CairnBinary.run(["run", "q.yaml", "--run-dir", "ro/run"], in: dir.path)
        #expect(runDir.status == 1)
        #expect(runDir.stderr.contains("cannot create run folder") && runDir.stderr.contains("Read-only file system"))
        #expect(!dir.exists("ran.log"))
    }

    @Test func aFullDiskStopsTheRunCleanlyAndResumeFinishesOnceSpaceIsFree() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let small = try #require(TmpfsMount(at: "\(dir.path)/small", size: "2m"))
        defer { small.unmount() }
        let text = """
            name: full
            items: {i: {range: [0, 80]}}
            steps:
              - name: s
                run: 'echo "$CAIRN_UNIT_KEY" >> ../side.log; echo "value {i} {seed}" > {out.o} || exit 3; if [ {i} = 5 ] && [ ! -e ../space-freed ]; then dd if=/dev/zero of=filler bs=64k 2>/dev/null; true; fi'
                outputs: {o: 'out/{i}.txt'}
            """
        try text.write(toFile: "\(small.path)/p.yaml", atomically: true, encoding: .utf8)
        let first = try CairnBinary.run(["run", "p.yaml", "-j", "1"], in: small.path)
        #expect(first.status == 1, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stderr.contains("no space left on the device") || first.stderr.contains("No space left on device"), "\(first.stderr)")
        #expect(first.stderr.contains("cairn resume"))
        let committedBefore = try JournalState(directory: "\(small.path)/.cairn/runs/full/journal", repair: false)
            .units.filter(\.value.committed).map(\.key)
        #expect(committedBefore.count >= 5 && committedBefore.count < 80, "units before the fault stay committed: \(committedBefore.count)")
        try FileManager.default.removeItem(atPath: "\(small.path)/filler")
        FileManager.default.createFile(atPath: "\(dir.path)/space-freed", contents: nil)
        let resumed = try CairnBinary.run(["resume", "-j", "1"], in: small.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let state = try JournalState(directory: "\(small.path)/.cairn/runs/full/journal", repair: false)
        #expect(state.commitRecords == 80)
        for key in committedBefore { #expect(state.units[key]?.committed == true) }
        let side = dir.lines("side.log")
        for key in committedBefore { #expect(side.filter { $0 == key.hex }.count == 1, "a unit committed before the fault ran again") }
        for i in 0..<80 { #expect(FileManager.default.contents(atPath: "\(small.path)/out/\(i).txt").map { String(decoding: $0, as: UTF8.self).hasPrefix("value \(i) ") } == true) }
    }
}
