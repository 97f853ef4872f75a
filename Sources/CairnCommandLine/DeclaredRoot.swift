import ArgumentParser
import CairnCore
import CairnRun

/// The root command of a program built with the `Cairn` library (see ``DeclaredProgram``):
/// `cairn`'s commands that act on one pipeline and its runs.
public struct DeclaredRoot: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: DeclaredProgram.name,
            abstract: "Runs the pipeline \(DeclaredProgram.current?.spec.name ?? "") this program declares, resumably (built with Cairn).",
            discussion: """
                Outputs are written relative to the current folder; the run folder is .cairn/runs/\(DeclaredProgram.current?.spec.name ?? "NAME").
                Interrupt it any way you like; `\(DeclaredProgram.name) resume` picks up exactly where it stopped.
                `cairn status`, `cairn log` and `cairn runs` read its run folder too.

                Exit codes: 0 done; 1 some units failed; 2 bad usage; 3 run folder in use;
                124 stopped at --time-limit; 129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM.
                """,
            subcommands: [RunCommand.self, PlanCommand.self, ResumeCommand.self, StatusCommand.self, TrialsCommand.self, LogCommand.self, RunsCommand.self])
    }

    public init() {}
}
