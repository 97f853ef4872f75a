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
    /// The `cairn` executable workers run (this one, by default).
    public var executable: String

    public init(executable: String) {
        self.executable = executable
    }

    enum CodingKeys: String, CodingKey {
        case partition, account, qos, extraArguments, pollInterval, itemsPerTask
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        partition = try c.decodeIfPresent(String.self, forKey: .partition)
        account = try c.decodeIfPresent(String.self, forKey: .account)
        qos = try c.decodeIfPresent(String.self, forKey: .qos)
        extraArguments = try c.decodeIfPresent([String].self, forKey: .extraArguments) ?? []
        pollInterval = try c.decodeIfPresent(Double.self, forKey: .pollInterval) ?? 30
        itemsPerTask = try c.decodeIfPresent(Int.self, forKey: .itemsPerTask) ?? 25
        executable = SlurmOptions.thisExecutable
    }

    /// The running `cairn`'s absolute path (what workers run).
    public static var thisExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    /// The `sbatch` arguments these options add.
    var sbatchArguments: [String] {
        var out: [String] = ["--cpus-per-task=1"]
        if let partition { out.append("--partition=\(partition)") }
        if let account { out.append("--account=\(account)") }
        if let qos { out.append("--qos=\(qos)") }
        return out + extraArguments
    }
}
