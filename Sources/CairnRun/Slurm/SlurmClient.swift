import Foundation

/// What Cairn asks SLURM, through its command-line tools. Counts the calls it makes, so the
/// docs can say how many `sbatch` and `squeue` calls a run made.
final class SlurmClient {
    /// An array task's state as `squeue` or `scontrol` reports it.
    struct TaskState: Equatable {
        var task: String
        var state: String
    }

    private(set) var sbatchCalls = 0
    private(set) var squeueCalls = 0
    private(set) var scontrolCalls = 0

    /// Whether `sinfo` answers.
    static func reachable() -> Bool {
        ToolCommand.run("sinfo", ["-h", "-o", "%P"])?.status == 0
    }

    /// Submits an array job; returns its id, or throws the tool's message.
    func submit(script: String, name: String, tasks: Int, output: String, arguments: [String]) throws(RunError) -> String {
        sbatchCalls += 1
        let args = ["--parsable", "--job-name=\(name)", "--array=0-\(tasks - 1)", "--output=\(output)", "--open-mode=append"] + arguments + [script]
        guard let out = ToolCommand.run("sbatch", args) else { throw RunError("cannot start sbatch; is SLURM installed and on PATH?") }
        guard out.status == 0, let id = out.stdout.split(separator: "\n").first.map({ String($0.split(separator: ";")[0]) }), !id.isEmpty else {
            throw RunError("sbatch refused the job: \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)); check --partition/--account/--qos and the sbatch arguments")
        }
        return id
    }

    /// The array job id of the job named `name`, if SLURM still knows it.
    func jobID(named name: String) -> String? {
        squeueCalls += 1
        guard let out = ToolCommand.run("squeue", ["-h", "--name=\(name)", "-o", "%F"]), out.status == 0 else { return nil }
        return out.stdout.split(separator: "\n").first.map(String.init)
    }

    /// Tasks of these array jobs still in the queue (pending, running, completing), by job id;
    /// nil when `squeue` could not be asked (then nothing is concluded).
    func queued(_ jobIDs: [String]) -> [String: [TaskState]]? {
        guard !jobIDs.isEmpty else { return [:] }
        squeueCalls += 1
        guard let out = ToolCommand.run("squeue", ["-h", "-r", "-j", jobIDs.joined(separator: ","), "-o", "%F %i %T"]) else { return nil }
        // squeue exits non-zero for ids it no longer knows; its output still lists the rest.
        if out.status != 0 && !out.stderr.contains("Invalid job id") { return nil }
        var tasks: [String: [TaskState]] = [:]
        for line in out.stdout.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 3 else { continue }
            tasks[String(f[0]), default: []].append(TaskState(task: String(f[1]), state: String(f[2])))
        }
        return tasks
    }

    /// When job `jobID`'s allocation ends (seconds since the epoch), nil when unlimited or unknown.
    static func endTime(of jobID: String) -> Double? {
        guard let out = ToolCommand.run("squeue", ["-h", "-j", jobID, "-o", "%e"]), out.status == 0,
            let text = out.stdout.split(separator: "\n").first.map(String.init)
        else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        guard let date = formatter.date(from: text), date.timeIntervalSinceNow < 300 * 86400 else { return nil }
        return date.timeIntervalSince1970
    }

    /// Whether a job state (as `scontrol` prints it) means the task has not ended yet.
    static func stillQueued(_ state: String) -> Bool {
        let name = state.split(separator: " ").first.map(String.init) ?? state
        return ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
                "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD"].contains(name)
    }

    /// Final states of an array job's tasks (`scontrol show job`, while SLURM remembers it).
    func finalStates(_ jobID: String) -> [TaskState] {
        scontrolCalls += 1
        guard let out = ToolCommand.run("scontrol", ["-o", "show", "job", jobID]), out.status == 0 else { return [] }
        var states: [TaskState] = []
        for line in out.stdout.split(separator: "\n") {
            var fields: [String: String] = [:]
            for part in line.split(separator: " ") {
                guard let eq = part.firstIndex(of: "=") else { continue }
                fields[String(part[..<eq])] = String(part[part.index(after: eq)...])
            }
            guard let state = fields["JobState"] else { continue }
            states.append(TaskState(task: "\(fields["ArrayJobId"] ?? jobID)_\(fields["ArrayTaskId"] ?? "")", state: state))
        }
        return states
    }
}

/// `scancel` for `cairn cancel`.
public enum SlurmCancel {
    public static func cancel(_ jobIDs: [String]) throws(RunError) {
        guard let out = ToolCommand.run("scancel", jobIDs) else { throw RunError("cannot start scancel; is SLURM installed and on PATH?") }
        guard out.status == 0 else { throw RunError("scancel failed: \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))") }
    }
}
