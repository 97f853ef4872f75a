import CairnCore
import Foundation

/// How `cairn run --executor slurm` submits work.
public struct SlurmOptions: Sendable, Codable, Equatable {
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// More `sbatch` arguments, passed as they are (each one argument).
    public var extraArguments: [String] = []
    /// Seconds between looks at SLURM and the journal (`--poll`, default 30).
    public var pollInterval: Double = 30
    /// Items per array task (`--items-per-task`); a task runs all the steps of its items.
    public var itemsPerTask = 25
    /// Seconds before the time limit at which SLURM warns a worker (`--signal=B:USR1@N`); 0 for
    /// no warning (at the limit SLURM then sends TERM, and the job ends as TIMEOUT).
    public var warningSeconds = 120
    /// The `cairn` executable workers run (this one, by default).
    public var executable: String

    public init(executable: String) {
        self.executable = executable
    }

    enum CodingKeys: String, CodingKey {
        case partition, account, qos, extraArguments, pollInterval, itemsPerTask, warningSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        partition = try c.decodeIfPresent(String.self, forKey: .partition)
        account = try c.decodeIfPresent(String.self, forKey: .account)
        qos = try c.decodeIfPresent(String.self, forKey: .qos)
        extraArguments = try c.decodeIfPresent([String].self, forKey: .extraArguments) ?? []
        pollInterval = try c.decodeIfPresent(Double.self, forKey: .pollInterval) ?? 30
        itemsPerTask = try c.decodeIfPresent(Int.self, forKey: .itemsPerTask) ?? 25
        warningSeconds = try c.decodeIfPresent(Int.self, forKey: .warningSeconds) ?? 120
        executable = SlurmOptions.thisExecutable
    }

    /// The running `cairn`'s absolute path (what workers run).
    public static var thisExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    /// The `sbatch` arguments for a job whose tasks run `chunks` of `plan`: the largest CPUs,
    /// memory and GPUs any of their steps declares, and, when every step declares a time, the
    /// longest chunk's total (plus the warning) as the time limit.
    func sbatchArguments(plan: Plan, chunks: [[Int]]) -> [String] {
        let steps = Set(chunks.joined().map { plan.units[$0].step }).map { plan.pipeline.steps[$0] }
        let cpus = steps.map(\.resources.cpus).max() ?? 1
        var out: [String] = ["--cpus-per-task=\(cpus)"]
        if warningSeconds > 0 { out.append("--signal=B:USR1@\(warningSeconds)") }
        if let memory = steps.map(\.resources.memoryMB).max(), memory > 0 { out.append("--mem=\(memory)M") }
        if let gpus = steps.map(\.resources.gpus).max(), gpus > 0 { out.append("--gres=gpu:\(gpus)") }
        if steps.allSatisfy({ $0.resources.time != nil }) {
            let longest = chunks.map { chunk in chunk.reduce(0.0) { $0 + (plan.step(of: plan.units[$1]).resources.time ?? 0) } }.max() ?? 0
            let minutes = Int(((longest / Double(cpus) + Double(warningSeconds)) / 60).rounded(.up))
            out.append("--time=\(max(1, minutes))")
        }
        if let partition { out.append("--partition=\(partition)") }
        if let account { out.append("--account=\(account)") }
        if let qos { out.append("--qos=\(qos)") }
        return out + extraArguments
    }
}
