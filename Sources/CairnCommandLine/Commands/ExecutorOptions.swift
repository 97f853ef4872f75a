import ArgumentParser
import CairnRun

/// Where units run: here, or on SLURM.
struct ExecutorOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case local, slurm
    }

    @Option(help: "Where units run: local (this machine) or slurm (as job arrays of `cairn worker`). `resume` keeps the run's executor unless given.")
    var executor: Kind?

    @Option(help: "SLURM partition.")
    var partition: String?

    @Option(help: "SLURM account.")
    var account: String?

    @Option(help: "SLURM quality of service.")
    var qos: String?

    @Option(name: .customLong("sbatch-arg"), help: ArgumentHelp("One more sbatch argument (repeatable), e.g. --sbatch-arg=--time=2:00:00.", valueName: "ARG"))
    var sbatchArguments: [String] = []

    @Option(help: "Seconds between looks at SLURM and the journal.")
    var poll: Double?

    @Option(help: "Items per SLURM array task (a task runs every step of its items).")
    var itemsPerTask: Int?

    @Option(help: "Seconds before its time limit at which SLURM warns a worker (it then stops starting units and pauses running ones).")
    var warning: Int?

    func validate() throws {
        if let poll, poll < 0.1 { throw ValidationError("--poll must be at least 0.1 seconds") }
        if let itemsPerTask, itemsPerTask < 1 { throw ValidationError("--items-per-task must be at least 1") }
    }

    /// The SLURM settings to use: these options over `stored` (the run's), or nil for local.
    func slurm(stored: SlurmOptions?) -> SlurmOptions? {
        if executor == .local { return nil }
        guard executor == .slurm || stored != nil else { return nil }
        var s = stored ?? SlurmOptions(executable: SlurmOptions.thisExecutable)
        s.executable = SlurmOptions.thisExecutable
        if let partition { s.partition = partition }
        if let account { s.account = account }
        if let qos { s.qos = qos }
        if !sbatchArguments.isEmpty { s.extraArguments = sbatchArguments }
        if let poll { s.pollInterval = poll }
        if let itemsPerTask { s.itemsPerTask = itemsPerTask }
        if let warning { s.warningSeconds = warning }
        return s
    }
}
