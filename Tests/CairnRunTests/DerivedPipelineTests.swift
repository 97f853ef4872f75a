import CairnCore
import CairnJournal
import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// `extends`, folders of pipelines, the workspace result cache, temp outputs and trial runs.
@Suite(.serialized) struct DerivedPipelineTests {
    /// A parent with a generating step (appends to a side log per run) and an aggregate.
    func workspace() -> TemporaryFolder {
        let dir = TemporaryFolder()
        dir.write("gen.sh", "echo \"gen $1 scale=$2\"\necho \"$4 $1\" >> \"$3/side.log\"\n")
        dir.write("base.yaml", """
            name: base
            params: {scale: 2}
            items: {i: {range: [0, 4]}}
            steps:
              gen:
                run: sh {DIRNAME}/gen.sh {i} {scale} {ROOTDIR} $CAIRN_STEP > {out.o}
                code: '{DIRNAME}/gen.sh'
                outputs: {o: 'out/{i}.txt'}
              sum:
                foreach: once
                run: cat {in.o} > {out.s}
                inputs: {o: {from: gen.o}}
                outputs: {s: out/sum.txt}
            """)
        dir.write("sub/derived.yaml", """
            extends: ../base.yaml
            name: derived
            items: {i: {range: [0, 6]}}
            """)
        dir.write("sub/deeper/rescaled.yaml", """
            extends: '{DIRNAME}/../derived.yaml'
            name: rescaled
            params: {scale: 3}
            """)
        dir.write("templates/t.yaml", "name: tpl\nrunnable: false\nitems: {i: [1]}\nsteps: [{name: x, run: 'touch ran-template'}]\n")
        dir.write("config/settings.yaml", "just: a config file\n")
        return dir
    }

    func sideLog(_ dir: TemporaryFolder) -> [String] {
        defer { try? FileManager.default.removeItem(atPath: "\(dir.path)/side.log") }
        return dir.lines("side.log").sorted()
    }

    @Test func extendsMergesParamsAndItemsAndResolvesFolders() throws {
        let dir = workspace()
        defer { dir.remove() }
        let spec = try PipelineLoader().load(file: "\(dir.path)/sub/deeper/rescaled.yaml", rootDir: "/root-dir")
        #expect(spec.name == "rescaled")
        #expect(spec.param("scale") == .int(3))
        #expect(spec.axes[0].source == .range(start: 0, stop: 6, step: 1))
        #expect(spec.steps.map(\.name) == ["gen", "sum"])
        #expect(spec.steps[0].run == "sh \(dir.path)/gen.sh {i} {scale} /root-dir $CAIRN_STEP > {out.o}")
        #expect(spec.steps[0].code == ["\(dir.path)/gen.sh"])
        #expect(spec.ancestors == ["\(dir.path)/sub/derived.yaml", "\(dir.path)/base.yaml"], "\(spec.ancestors)")
        // An error in a parent names the parent's file and line.
        dir.write("base.yaml", dir.read("base.yaml")!.replacingOccurrences(of: "foreach: once", with: "foreach: twice"))
        let bad = try CairnBinary.run(["plan", "sub/derived.yaml"], in: dir.path)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("base.yaml:10: steps.sum.foreach: 'twice' is not `item` or `once`"), "\(bad.stderr)")
        // A cycle, and a missing parent.
        dir.write("a.yaml", "extends: b.yaml\nname: a\n")
        dir.write("b.yaml", "extends: a.yaml\nname: b\n")
        let cycle = try CairnBinary.run(["plan", "a.yaml"], in: dir.path)
        #expect(cycle.status == 2 && cycle.stderr.contains("goes round in a circle"), "\(cycle.stderr)")
        dir.write("c.yaml", "extends: nowhere.yaml\nname: c\n")
        let missing = try CairnBinary.run(["plan", "c.yaml"], in: dir.path)
        #expect(missing.status == 2 && missing.stderr.contains("c.yaml:1: extends: 'nowhere.yaml' does not exist"), "\(missing.stderr)")
    }

    @Test func aFolderRunsParentsFirstAndDerivedRunsReuseTheirResults() throws {
        let dir = workspace()
        defer { dir.remove() }
        let plan = try CairnBinary.run(["plan", "."], in: dir.path)
        #expect(plan.status == 0, "\(plan.stderr)")
        let order = plan.stdout.split(separator: "\n").filter { $0.hasPrefix("== ") }
        #expect(order == ["== ./base.yaml", "== ./templates/t.yaml: template (runnable: false)", "== ./sub/derived.yaml", "== ./sub/deeper/rescaled.yaml"], "\(plan.stdout)")
        let run = try CairnBinary.run(["run", ".", "-j", "2"], in: dir.path)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(!dir.exists("ran-template"))
        // gen ran for items 0-3 (base), 4-5 (derived: 0-3 reused), 0-5 again (rescaled: another scale).
        let ran = sideLog(dir)
        #expect(ran.filter { $0 == "gen 0" }.count == 2 && ran.filter { $0 == "gen 4" }.count == 2 && ran.count == 12, "\(ran)")
        #expect(run.stdout.contains("reused from run base: 4 units"), "\(run.stdout)")
        #expect(run.stdout.contains("4 of them reused from other runs"))
        #expect(dir.read("sub/out/2.txt") == "gen 2 scale=2\n")
        // Reused outputs are hard links of the parent's, verified by digest.
        var a = stat(), b = stat()
        #expect(stat("\(dir.path)/out/1.txt", &a) == 0 && stat("\(dir.path)/sub/out/1.txt", &b) == 0 && a.st_ino == b.st_ino)
        // --only and --under narrow a folder run; nothing is left to do.
        let only = try CairnBinary.run(["plan", ".", "--only", "sub/derived.yaml"], in: dir.path)
        #expect(only.stdout.split(separator: "\n").filter { $0.hasPrefix("== ") } == ["== ./sub/derived.yaml"], "\(only.stdout)")
        let under = try CairnBinary.run(["run", ".", "--under", "sub"], in: dir.path)
        #expect(under.status == 0 && sideLog(dir).isEmpty)
    }

    @Test func aReusedOutputThatNoLongerMatchesItsDigestIsNotTakenAndFreshRunsEverything() throws {
        let dir = workspace()
        defer { dir.remove() }
        #expect(try CairnBinary.run(["run", "base.yaml"], in: dir.path).status == 0)
        _ = sideLog(dir)
        dir.write("out/3.txt", "tampered\n")
        let derived = try CairnBinary.run(["run", "sub/derived.yaml", "-j", "1"], in: dir.path)
        #expect(derived.status == 0, "\(derived.stderr)")
        #expect(derived.stderr.contains("modified after commit"), "\(derived.stderr)")
        #expect(sideLog(dir) == ["gen 3", "gen 4", "gen 5"])
        #expect(dir.read("sub/out/3.txt") == "gen 3 scale=2\n")
        let fresh = try CairnBinary.run(["run", "sub/deeper/rescaled.yaml", "--fresh"], in: dir.path)
        #expect(fresh.status == 0)
        #expect(sideLog(dir).count == 6)
        let template = try CairnBinary.run(["run", "templates/t.yaml"], in: dir.path)
        #expect(template.status == 2 && template.stderr.contains("is a template (runnable: false)"))
    }

    @Test func tempOutputsAreDeletedWhenConsumedAndMadeAgainWhenNeeded() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let text = """
            name: t
            items: {i: {range: [0, 3]}}
            steps:
              - name: a
                run: echo a{i} >> side.log; echo big{i} > {out.x}
                outputs: {x: {path: 'tmp/{i}.bin', temp: true}}
              - name: b
                run: echo b{i} >> side.log; cat {in.x} > {out.y}
                inputs: {x: {from: a.x}}
                outputs: {y: 'out/{i}.txt'}
            """
        dir.write("p.yaml", text)
        let first = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(first.status == 0 && first.stderr.contains("removed 3 temp output(s)"), "\(first.stderr)")
        #expect(!dir.exists("tmp/0.bin") && dir.read("out/0.txt") == "big0\n")
        #expect(sideLog(dir).count == 6)
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        #expect(sideLog(dir).isEmpty, "a deleted temp output alone does not make anything run")
        dir.write("p.yaml", text.replacingOccurrences(of: "cat {in.x} > {out.y}", with: "cat {in.x} {in.x} > {out.y}"))
        let plan = try CairnBinary.run(["plan", "p.yaml", "--why", "--where", "i=1"], in: dir.path)
        #expect(plan.stdout.contains("temp output needed again by: 1 unit\n      b[i=1]"), "\(plan.stdout)")
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        #expect(sideLog(dir) == ["a0", "a1", "a2", "b0", "b1", "b2"])
        #expect(dir.read("out/1.txt") == "big1\nbig1\n" && !dir.exists("tmp/1.bin"))
    }

    @Test func oneshotRunsTheSelectionIntoAScratchFolderAndChangesNothing() throws {
        let dir = workspace()
        defer { dir.remove() }
        #expect(try CairnBinary.run(["run", "base.yaml", "--steps", "gen"], in: dir.path).status == 0)
        _ = sideLog(dir)
        let journal = "\(dir.path)/.cairn/runs/base/journal"
        let before = try JournalState(directory: journal, repair: false)
        let trial = try CairnBinary.run(["run", "base.yaml", "--oneshot", "--steps", "sum"], in: dir.path)
        #expect(trial.status == 0, "\(trial.stdout)\(trial.stderr)")
        let scratch = try #require(trial.stdout.split(separator: " ").first { $0.hasPrefix(".cairn/oneshot/") }.map { String($0.dropLast($0.hasSuffix(";") ? 1 : 0)) })
        #expect(dir.read("\(scratch)/out/sum.txt") == (0..<4).map { "gen \($0) scale=2\n" }.joined())
        #expect(!dir.exists("out/sum.txt"), "nothing at the final path")
        let after = try JournalState(directory: journal, repair: false)
        #expect(after.bytes == before.bytes && after.commitRecords == 4)
        #expect(sideLog(dir).isEmpty)
        // A trial of a step whose input it also makes reads that input from the scratch folder.
        let both = try CairnBinary.run(["run", "base.yaml", "--oneshot", "--items", "0:1"], in: dir.path)
        #expect(both.status == 0, "\(both.stdout)\(both.stderr)")
        #expect(sideLog(dir) == ["gen 0"])
    }
}
