import ArgumentParser
import CairnCommandLine
import CairnRun
import Foundation

/// A ready command line for a program that declares a pipeline in Swift: `run`, `plan`,
/// `resume`, `status`, `trials`, `log` and `runs`, with the flags, output and exit codes of
/// `cairn` (0 done, 1 units failed, 2 bad usage, 3 run folder in use, 124 time limit,
/// 129/130/143 interrupted). The pipeline's root is the current folder.
///
/// ```swift
/// @main struct SwiftDataset {
///     static func main() { CairnCommand.main(pipeline) }
/// }
/// ```
public enum CairnCommand {
    /// Parses the process's arguments (or `arguments`), runs the command and exits.
    public static func main(_ pipeline: Pipeline, name: String? = nil, arguments: [String]? = nil) -> Never {
        let program = name ?? (CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent } ?? pipeline.spec.name)
        DeclaredProgram.current = pipeline.declared
        DeclaredProgram.name = program
        var args = arguments ?? Array(CommandLine.arguments.dropFirst())
        // `run` and `plan` take a pipeline file in `cairn`; here the declaration stands for it.
        if let first = args.first, first == "run" || first == "plan" { args.insert(DeclaredProgram.marker, at: 1) }
        CommandLineMain.run(DeclaredRoot.self, name: program, arguments: args)
    }
}
