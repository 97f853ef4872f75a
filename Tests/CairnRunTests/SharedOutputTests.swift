import CairnTestSupport
import Foundation
import Testing

/// Two pipeline files in one folder that declare the same output path: refused before anything
/// runs, unless `--allow-shared-outputs` says it is intended.
@Suite(.serialized) struct SharedOutputTests {
    @Test func aSecondPipelineFileWritingACommittedPathIsRefusedNamingBothFilesAndLines() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("a.yaml", "name: a\nitems: {i: [1, 2]}\nsteps:\n  - name: gen\n    run: 'echo a{i} > {out.data}'\n    outputs:\n      data: out/{i}.txt\n")
        dir.write("b.yaml", "name: b\nitems: {i: [2, 3]}\nsteps:\n  - name: make\n    run: 'echo b{i} > {out.o}; touch ran-{i}'\n    outputs: {o: 'out/{i}.txt'}\n")
        #expect(try CairnBinary.run(["run", "a.yaml"], in: dir.path).status == 0)
        let refused = try CairnBinary.run(["run", "b.yaml"], in: dir.path)
        #expect(refused.status == 2, "\(refused.stdout)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("b.yaml:6: steps.make.outputs.o: out/2.txt (make[i=2]) is also an output of a.yaml:7 (steps.gen.outputs.data), committed by run a"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-shared-outputs"))
        #expect(dir.read("out/2.txt") == "a2\n" && !dir.exists("ran-3") && !dir.exists("out/3.txt"), "nothing ran, nothing was overwritten")
        #expect(!dir.exists(".cairn/runs/b"), "no run folder was made for the refused run")
        // Said to be intended: it runs, and the path is b's now.
        let allowed = try CairnBinary.run(["run", "b.yaml", "--allow-shared-outputs"], in: dir.path)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(dir.read("out/2.txt") == "b2\n" && dir.exists("ran-3"))
        // Now a's unit would overwrite b's committed output: refused the other way round.
        dir.write("a.yaml", "name: a\nitems: {i: [1, 2]}\nsteps:\n  - name: gen\n    run: 'echo A{i} > {out.data}'\n    outputs:\n      data: out/{i}.txt\n")
        let back = try CairnBinary.run(["run", "a.yaml"], in: dir.path)
        #expect(back.status == 2 && back.stderr.contains("a.yaml:7: steps.gen.outputs.data: out/2.txt (gen[i=2]) is also an output of b.yaml:6"), "\(back.stderr)")
    }

    @Test func unrelatedPipelineFilesWithTheirOwnPathsRunSideBySide() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        // Another pipeline file's run committed outputs (its paths are claimed), none of them ours:
        // the check before the run folder is made reads the journal, and so does the take-over.
        dir.write("a.yaml", "name: a\nitems: {i: [1, 2]}\nsteps:\n  - {name: gen, run: 'echo a{i} > {out.o}', outputs: {o: 'a/{i}.txt'}}\n")
        dir.write("b.yaml", "name: b\nitems: {i: [1, 2]}\nsteps:\n  - {name: gen, run: 'echo b{i} > {out.o}', outputs: {o: 'b/{i}.txt'}}\n")
        #expect(try CairnBinary.run(["run", "a.yaml"], in: dir.path).status == 0)
        let b = try CairnBinary.run(["run", "b.yaml"], in: dir.path, timeout: 30)
        #expect(b.status == 0, "\(b.stdout)\(b.stderr)")
        #expect(dir.read("b/2.txt") == "b2\n" && dir.read("a/2.txt") == "a2\n")
        // Its resume (journal and claims both present) and a's again.
        #expect(try CairnBinary.run(["resume", ".cairn/runs/b"], in: dir.path, timeout: 30).status == 0)
        #expect(try CairnBinary.run(["run", "a.yaml"], in: dir.path, timeout: 30).status == 0)
    }

    @Test func theSameResultAtTheSamePathIsNoConflict() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        // A derived pipeline with the parent's unit unchanged: same key, same path — reused.
        dir.write("base.yaml", "name: base\nitems: {i: [1, 2]}\nsteps:\n  - {name: gen, run: 'echo {i} > {out.o}; echo {i} >> ran.log', outputs: {o: 'out/{i}.txt'}}\n")
        dir.write("more.yaml", "extends: base.yaml\nname: more\nitems: {i: [1, 2, 3]}\n")
        #expect(try CairnBinary.run(["run", "base.yaml"], in: dir.path).status == 0)
        let derived = try CairnBinary.run(["run", "more.yaml"], in: dir.path)
        #expect(derived.status == 0, "\(derived.stderr)")
        // (The base run's two units run side by side: either may log first.)
        #expect(dir.lines("ran.log").sorted() == ["1", "2", "3"], "units 1 and 2 were reused, not run again")
        // The parent changed: its run makes its paths again, though the derived run committed
        // them too (the two share paths by design), and a run of it under a new name as well.
        dir.write("base.yaml", "name: base\nitems: {i: [1, 2]}\nsteps:\n  - {name: gen, run: 'echo {i}{i} > {out.o}', outputs: {o: 'out/{i}.txt'}}\n")
        let changed = try CairnBinary.run(["run", "base.yaml"], in: dir.path)
        #expect(changed.status == 0 && dir.read("out/1.txt") == "11\n", "\(changed.stderr)")
        dir.write("base.yaml", "name: base2\nitems: {i: [1, 2]}\nsteps:\n  - {name: gen, run: 'echo {i}{i}{i} > {out.o}', outputs: {o: 'out/{i}.txt'}}\n")
        let renamed = try CairnBinary.run(["run", "base.yaml"], in: dir.path)
        #expect(renamed.status == 0 && dir.read("out/1.txt") == "111\n", "\(renamed.stderr)")
    }
}
