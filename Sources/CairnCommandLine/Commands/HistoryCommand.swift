import ArgumentParser
import CairnCore
import CairnJournal
import CairnRun
import Foundation

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The run's sessions: who ran what, from which git commit, when, and how each ended.",
        discussion: "From the journal alone; works on a live run. A dirty work tree's diff of tracked files is stored once per distinct diff in the run folder's diffs/ (the DIFF column). `-m TEXT` on run or resume adds a note.")

    @Argument(help: ArgumentHelp("The run (a run folder, a pipeline file or a run name); default: the most recent run.", valueName: "RUN"))
    var target: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let folder = try RunTarget.resolve(target, preferUnfinished: false)
        let state: JournalState
        do { state = try JournalState(directory: folder.journal, repair: false) } catch { throw RunError.journal(error) }
        let history = RunHistory(state: state, folder: folder, live: RunLock.isLive(folder))
        if json {
            struct Output: Encodable { var sessions: [RunHistory.Session]; var slurmWorkers: Int }
            try JSONOutput.print(Output(sessions: history.sessions, slurmWorkers: history.workers))
            return
        }
        let formatter = ISO8601DateFormatter()
        func time(_ ms: Int64) -> String { formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)) }
        var rows = [["#", "STARTED", "WALL", "HOST", "USER", "HOW IT ENDED", "COMMITTED", "FAILED", "GIT", "MESSAGE"]]
        for s in history.sessions {
            let git = s.gitCommit.isEmpty ? "-" : String(s.gitCommit.prefix(10)) + (s.gitDirty ? " (dirty)" : "")
            rows.append(["\(s.number)\(s.merged ? " (merged)" : "")", time(s.started), humanDuration(Double(max(0, (s.ended ?? s.lastActivity) - s.started)) / 1000),
                         s.host, s.user.isEmpty ? "-" : s.user, s.outcome, "\(s.commits)", "\(s.failures)", git, s.message.isEmpty ? "-" : s.message])
        }
        Terminal.standardOutput.write(Terminal.table(rows))
        for s in history.sessions {
            var line = "\(s.number): \(s.command.isEmpty ? "(command not journaled)" : s.command)"
            if !s.version.isEmpty { line += "  [cairn \(s.version)]" }
            if !s.diff.isEmpty { line += "\n   diff: \(Terminal.relative(s.diff))" }
            Terminal.standardOutput.line(line)
        }
        if history.workers > 0 { Terminal.standardOutput.line("plus \(history.workers) SLURM worker task(s); `cairn trace` shows their attempts") }
    }
}
