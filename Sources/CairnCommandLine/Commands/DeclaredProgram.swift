import ArgumentParser
import CairnCore
import CairnRun

/// The pipeline a program built with the `Cairn` library declares in Swift, when the commands
/// run inside such a program (`swift-dataset run`); nil inside `cairn`.
///
/// Its `run` and `plan` get ``marker`` in place of a pipeline file argument.
public enum DeclaredProgram {
    nonisolated(unsafe) public static var current: DeclaredPipeline?
    /// The program's name in messages and help (`swift-dataset`).
    nonisolated(unsafe) public static var name = "cairn"
    /// The pipeline argument that stands for the declared pipeline.
    public static let marker = "@declared"

    /// Help for `run`'s and `plan`'s pipeline argument: hidden in a program that declares its
    /// pipeline (it fills the argument in itself).
    static var pipelineArgumentHelp: ArgumentHelp {
        ArgumentHelp("The pipeline file (YAML or JSON), or a folder of them.", visibility: current == nil ? .default : .private)
    }

    /// The command that continues the run in `folder` (`cairn resume .cairn/runs/NAME`, or
    /// `swift-dataset resume` in a program that declares its pipeline).
    static func resumeCommand(_ folder: RunFolder) -> String {
        current == nil ? "cairn resume \(Terminal.relative(folder.path))" : "\(name) resume"
    }

    /// The snapshot and default run folder of a pipeline argument: the declared pipeline for
    /// ``marker``, a pipeline file otherwise (refused when a template and `runnable`).
    static func load(_ argument: String, overrides: Overrides?, runnable: Bool = true) throws -> (snapshot: Snapshot, folder: RunFolder) {
        if argument == marker, let declared = current {
            var snapshot = declared.snapshot(root: ".")
            if let overrides { snapshot = try snapshot.overriding(overrides) }
            return (snapshot, declared.folder(root: "."))
        }
        let spec = try PipelineLoader().load(file: argument, overrides: overrides)
        guard spec.runnable || !runnable else {
            throw RunError.usage("\(argument) is a template (runnable: false): it is only extended; run a pipeline that extends it")
        }
        var snapshot = Snapshot(file: argument, pipeline: spec)
        snapshot.overrides = overrides
        return (snapshot, RunFolder.defaultFor(pipelineFile: argument, name: spec.name))
    }

    /// The snapshot `resume` continues: a stored one, or — for a run of the declared
    /// pipeline — the declaration as it is now (only the running program has its closures),
    /// keeping the stored overrides, shard and executor. Refuses a Swift program's run in `cairn`.
    static func resumable(_ stored: Snapshot, folder: RunFolder) throws -> Snapshot? {
        guard stored.program != nil else { return nil }
        guard let declared = current, declared.spec.name == stored.pipeline.name else {
            throw DeclaredPipeline.refusal(stored, folder: folder)!
        }
        var snapshot = declared.snapshot(root: stored.root)
        if let overrides = stored.overrides { snapshot = try snapshot.overriding(overrides) }
        snapshot.scope = stored.scope
        snapshot.slurm = stored.slurm
        if snapshot.pipeline != stored.pipeline {
            Terminal.standardError.write("\(name): the pipeline's declaration changed since this run started; running the current one (units whose keys changed run again)\n")
        }
        return snapshot
    }
}
