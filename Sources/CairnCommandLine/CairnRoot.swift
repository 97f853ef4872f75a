import ArgumentParser
import CairnJournal
import CCairnSystem
import CairnCore
import CairnRun
import Foundation

/// The `cairn` command: maps arguments to CairnRun calls and exit codes; nothing more.
public struct CairnRoot: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "Resumable, deterministic batch and pipeline runner.",
        discussion: """
            Interrupt a run any way you like; `cairn resume` picks up exactly where it stopped.

            Common commands:
              cairn run PIPELINE.yaml      plan, show and run a pipeline
              cairn plan PIPELINE.yaml     show what would run, without running
              cairn resume [RUN]           continue the most recent unfinished run
              cairn status [RUN]           where a run stands (works on a live run)
              cairn trials [RUN]           a row per trial, with metrics (--sort loss)
              cairn runs                   runs below the current folder
              cairn log UNIT               a unit's output ('render[sample=3]')
              cairn run DIR                every pipeline file below DIR, parents first
              cairn resume --set lr=0.1    restart a run with other values
              cairn resume --all           run every staged or unfinished run in turn
              cairn run FILE --shard 1/2   one machine's part of the items
              cairn merge ../copy          fold in a copy of the run from another machine
              cairn analyze [RUN|FILE]     what a run lacks, failures by cause, hosts
              cairn adopt FILE --yes       record outputs already on disk as committed
              cairn cancel [RUN]           cancel a run's SLURM jobs

            Exit codes:
              0    every (selected) unit is committed
              1    some units failed (or were skipped because what they need failed)
              2    bad usage or a bad pipeline file (one line names file, line and key)
              3    the run folder is in use by another live run
              124  stopped at --time-limit (cairn resume continues)
              129  interrupted by SIGHUP; 130 by SIGINT (Ctrl-C); 143 by SIGTERM

            See 'cairn help <command>' for a command's options.
            """,
        version: "\(CairnVersion.current) (journal format \(Journal.formatVersion), state checkpoint format \(JournalCheckpoint.formatVersion))",
        subcommands: [RunCommand.self, PlanCommand.self, ResumeCommand.self, StatusCommand.self, RunsCommand.self, LogCommand.self, TraceCommand.self, HistoryCommand.self, ReportCommand.self,
                      TrialsCommand.self, MergeCommand.self, AnalyzeCommand.self, AdoptCommand.self, CancelCommand.self, WorkerCommand.self]
    )

    public init() {}

    /// Runs `cairn` with the process's arguments and exits with its exit code.
    public static func main() {
        CommandLineMain.run(CairnRoot.self, name: "cairn")
    }
}

/// Parses and runs a root command, mapping errors to one line on stderr and the documented
/// exit codes (see ``exitCode(for:)``; 2 for bad usage).
public enum CommandLineMain {
    /// The exit code for a run-layer error: 1 failed, 2 bad usage or pipeline, 3 run folder in use.
    /// The one place error codes become exit codes.
    public static func exitCode(for error: RunError) -> Int32 {
        switch error.code {
        case .usage: 2
        case .busy: 3
        default: 1
        }
    }

    public static func run<Root: ParsableCommand>(_ root: Root.Type, name: String, arguments: [String]? = nil) -> Never {
        cairn_ignore_sigpipe()
        do {
            var command = try root.parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let error as RunError {
            Terminal.standardError.write("\(name): \(error)\n")
            Foundation.exit(exitCode(for: error))
        } catch {
            if root.exitCode(for: error) == .validationFailure {
                // One line: what is wrong, and where to read more.
                let message = root.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "bad usage"
                Terminal.standardError.write("\(name): \(message) (see `\(name) help`)\n")
                Foundation.exit(2)
            }
            root.exit(withError: error)
        }
    }
}

/// Options shared by `run` and `resume`.
struct ExecutionOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Units to run at once (default: the pipeline's `jobs`, else the number of cores).")
    var jobs: Int?

    @Flag(help: "Start no more units after the first one fails for good.")
    var failFast = false

    @Option(help: "Seconds between TERM and KILL when stopping units.")
    var grace: Double = 10

    @Flag(name: .shortAndLong, help: "Print only the final summary.")
    var quiet = false

    @Flag(help: "Run units whose output paths another pipeline file's run committed (they are overwritten); refused otherwise.")
    var allowSharedOutputs = false

    @Option(help: ArgumentHelp("Stop gracefully after this long (e.g. 2h, 90m): no unit starts that is not expected to finish in time; running ones get their stop signal; `cairn resume` continues. Exit code 124.", valueName: "DURATION"))
    var timeLimit: String?

    @Option(name: [.customShort("m"), .customLong("message")], help: ArgumentHelp("A note kept with this session in the run's history (`cairn history`, the report).", valueName: "TEXT"))
    var message: String?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        guard grace >= 0 else { throw ValidationError("--grace must be zero or more seconds") }
        if let timeLimit, Duration.parseSeconds(timeLimit) == nil {
            throw ValidationError("--time-limit \(timeLimit): give a duration such as 90s, 45m, 2h or 1h30m")
        }
    }

    /// Run options with the signal pipe installed.
    func runOptions() -> RunOptions {
        let fd = Self.signalFD
        let slots = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        var options = RunOptions(jobs: slots, failFast: failFast, grace: grace, signalFD: fd >= 0 ? fd : nil)
        options.jobsChosen = jobs != nil
        options.timeLimit = timeLimit.flatMap(Duration.parseSeconds)
        options.budget = ResourceBudget.machine(cpus: slots)
        options.message = message
        options.allowSharedOutputs = allowSharedOutputs
        return options
    }

    /// The signal pipe, installed once per process (a folder of pipelines runs several sessions).
    static let signalFD: Int32 = {
        let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGUSR1]
        return signals.withUnsafeBufferPointer { cairn_signal_pipe_install($0.baseAddress, Int32($0.count)) }
    }()
}
