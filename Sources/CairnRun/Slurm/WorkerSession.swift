import CairnCore
import CairnJournal
import Foundation

/// `cairn worker`: one SLURM array task. Runs its chunk of a submission's units with the local
/// executor, writing its own journal segment in the shared run folder (no lock: the controller
/// holds it and never gives a unit to two live submissions). Units already committed are
/// skipped, so a chunk that SLURM runs twice does no work twice.
public enum WorkerSession {
    /// The folder of a submission's job script and chunk files.
    public static func folder(of submission: String, in run: RunFolder) -> String {
        "\(run.path)/slurm/\(submission)"
    }

    /// Runs chunk `task` of `submission`; `job` is SLURM's `JOBID_TASK`.
    public static func execute(run: RunFolder, submission: String, task: Int, job: String, options: RunOptions,
                               observer: any RunObserver, host: HostIdentity = .current) throws(RunError) -> RunSummary {
        let snapshot = try Snapshot.read(run)
        let plan: Plan
        do { plan = try snapshot.plan(reading: nil).plan } catch { throw .pipeline(error) }
        let chunk = "\(folder(of: submission, in: run))/chunk-\(task)"
        guard let text = FileManager.default.contents(atPath: chunk).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw RunError("cannot read \(chunk); the run folder must be on a file system every node sees")
        }
        let keys = Set(text.split(separator: "\n").compactMap { Digest(hex: String($0)) })
        let state: JournalState
        do { state = try JournalState(directory: run.journal, repair: false) } catch { throw .journal(error) }
        var selection = RunSelection()
        selection.units = keys
        let explanation = PlanExplainer(plan: plan, previous: nil, history: state.units, selection: selection).explain()
        var options = options
        options.usr1Stops = true
        // Stop a little before SLURM would, so running units get their stop signal and grace.
        if let id = ProcessInfo.processInfo.environment["SLURM_JOB_ID"], let end = SlurmClient.endTime(of: id) {
            options.allocationEnd = end - options.grace - 5
        }
        return try RunSession.drive(plan: plan, explanation: explanation, snapshot: snapshot, folder: run, scratch: nil, state: state,
                                    cache: ResultCache(), options: options, observer: observer, host: host, heartbeat: {}, workerJob: job)
    }

    /// The options a worker runs its chunk with: the task's CPUs and GPUs as its budget.
    public static func budget(environment: [String: String]) -> ResourceBudget {
        var budget = ResourceBudget.machine(cpus: Int(environment["SLURM_CPUS_PER_TASK"] ?? "") ?? 1)
        if let mb = environment["SLURM_MEM_PER_NODE"].flatMap({ Int($0) }) { budget.memoryMB = mb }
        return budget
    }
}
