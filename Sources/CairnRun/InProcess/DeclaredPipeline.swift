import CairnCore
import Foundation

/// A pipeline declared in Swift (with the `Cairn` library) rather than in a file: its spec,
/// the closures of its in-process steps, and the program that declares it.
///
/// Its run folder has the same format as any other (`ROOT/.cairn/runs/NAME`), so `cairn status`,
/// `cairn log` and `cairn runs` read it; only the declaring program can run its closure steps.
public struct DeclaredPipeline: Sendable {
    public var spec: PipelineSpec
    public var closures: ClosureSteps
    /// The declaring program's executable (absolute), stored in the snapshot for messages.
    public var program: String

    public init(spec: PipelineSpec, closures: ClosureSteps, program: String = DeclaredPipeline.currentProgram) {
        self.spec = spec
        self.closures = closures
        self.program = program
    }

    /// This process's executable, absolute.
    public static var currentProgram: String {
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return exe }
        return RunFolder.absolute(CommandLine.arguments.first ?? "program")
    }

    /// The snapshot of a run in `root` (outputs relative to it).
    public func snapshot(root: String) -> Snapshot {
        let abs = RunFolder.absolute(root)
        var snapshot = Snapshot(pipelineFile: program, root: abs, pipeline: spec)
        snapshot.program = program
        return snapshot
    }

    /// The run folder of a run in `root`: `ROOT/.cairn/runs/NAME`.
    public func folder(root: String) -> RunFolder {
        RunFolder(path: "\(RunFolder.absolute(root))/.cairn/runs/\(spec.name)")
    }

    /// A stored snapshot that only a Swift program can run: the one-line error for a tool that
    /// reads pipeline files (exit 2); nil when a pipeline file is behind it.
    public static func refusal(_ snapshot: Snapshot, folder: RunFolder?) -> RunError? {
        guard let program = snapshot.program else { return nil }
        let what = folder.map { "\($0.path) is a run of" } ?? "this is"
        return RunError.usage("\(what) a pipeline declared in Swift by \(program); continue it with that program (`\((program as NSString).lastPathComponent) resume`)")
    }
}
