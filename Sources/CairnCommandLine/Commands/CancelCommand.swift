import ArgumentParser
import CairnJournal
import CairnRun
import Foundation

/// Stops a run's SLURM jobs. The only command that cancels cluster work.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel the SLURM jobs of a run (a controller that follows them sees them end).",
        discussion: "RUN is a run folder, a pipeline file, or a run name; with no argument, the most recently active run below the current folder. Committed units stay committed; `cairn resume` submits what is left.")

    @Argument(help: ArgumentHelp("The run.", valueName: "RUN"))
    var target: String?

    func run() throws {
        let folder = try RunTarget.resolve(target, preferUnfinished: true)
        let state = try JournalState(directory: folder.journal, repair: false)
        let jobs = state.submissionOrder.compactMap { state.submissions[$0] }.filter(\.active).compactMap(\.jobID)
        guard !jobs.isEmpty else {
            Terminal.standardOutput.line("no SLURM jobs of \(Terminal.relative(folder.path)) are active")
            return
        }
        try SlurmCancel.cancel(jobs)
        Terminal.standardOutput.line("cancelled SLURM job(s) \(jobs.joined(separator: ", ")); `cairn resume \(Terminal.relative(folder.path))` submits what is not committed")
    }
}
