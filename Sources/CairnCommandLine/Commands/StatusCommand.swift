import ArgumentParser
import CairnCore
import CairnJournal
import CairnRun
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where a run stands, per step; read-only, works on a live run.",
        discussion: "RUN is a run folder, a pipeline file, or a run name; without it, the most recently active run below the current folder.")

    @Argument(help: ArgumentHelp("The run to show.", valueName: "RUN"))
    var target: String?

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @Flag(help: "Show it again every --interval seconds while the run is live (a detached run, a SLURM controller); stops when it ends.")
    var watch = false

    @Option(help: "Seconds between updates with --watch.")
    var interval: Double = 2

    func run() throws {
        let folder = try RunTarget.resolve(target, preferUnfinished: false)
        if watch {
            guard !json else { throw ValidationError("--watch shows a table; leave out --json") }
            try follow(folder)
            return
        }
        try show(folder)
    }

    /// Redraws the status while the run holds its lock (and once more after).
    func follow(_ folder: RunFolder) throws {
        let clear = Terminal.standardOutput.isTTY ? "\u{1B}[H\u{1B}[2J" : ""
        // A detached controller may take a moment to take the lock.
        var waited = 0.0
        while !RunLock.isLive(folder) && waited < 5 {
            usleep(200_000)
            waited += 0.2
        }
        while true {
            let live = RunLock.isLive(folder)
            Terminal.standardOutput.write(clear)
            try show(folder)
            if !live { return }
            usleep(useconds_t(max(0.2, interval) * 1_000_000))
        }
    }

    func show(_ folder: RunFolder) throws {
        // Kept beside the journal: a million-unit run's status without planning it again.
        let summary = try StatusSummary.of(folder)
        let report = summary.report
        let orphans = summary.orphanedTrials
        if json {
            struct Output: Encodable {
                var pipeline: String
                var runDir: String
                var state: String
                var live: Bool
                var steps: [StepStatus]
                var total: StepStatus
                var orphanedTrials: Int
                var partial: Partial?
            }
            struct Partial: Encodable {
                var shard: String
                var itemsSelected: Int
                var items: Int
            }
            let partial = summary.scope.map { Partial(shard: $0.scope.shard.description, itemsSelected: $0.selected, items: $0.total) }
            let output = Output(pipeline: report.pipeline, runDir: folder.path, state: summary.state, live: report.live,
                                steps: report.steps, total: report.total, orphanedTrials: orphans, partial: partial)
            try JSONOutput.print(output)
            return
        }
        Terminal.standardOutput.line(StatusPrinter(report: report, state: summary.state, folder: folder, color: Terminal.standardOutput.color).text())
        if let partial = summary.scope {
            Terminal.standardOutput.line("  partial: \(partial.selected)/\(partial.total) items selected (\(partial.scope.description)); `cairn merge` folds the other shards in")
        }
        if orphans > 0 {
            Terminal.standardOutput.line("  orphaned: \(orphans) trial(s) a restart dropped; their results are kept (`cairn trials --all` lists them)")
        }
    }
}
