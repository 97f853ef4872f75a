import CairnCore
import Foundation

/// CPUs, memory and GPUs the local executor hands out, so a run never starts more than the
/// machine has: a unit starts only when its step's `resources` fit in what is free.
public struct ResourceBudget: Sendable, Equatable {
    /// CPUs units may use at once (`-j`, default the number of cores).
    public var cpus: Int?
    /// MiB units may declare at once (default: the machine's memory).
    public var memoryMB: Int?
    /// GPU ids to hand out through `CUDA_VISIBLE_DEVICES` (default: those in the caller's
    /// `CUDA_VISIBLE_DEVICES`, else none).
    public var gpus: [String] = []

    public init(cpus: Int? = nil, memoryMB: Int? = nil, gpus: [String] = []) {
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.gpus = gpus
    }

    /// The machine's: `cpus` CPUs, MemTotal, and the GPUs `CUDA_VISIBLE_DEVICES` lists.
    public static func machine(cpus: Int) -> ResourceBudget {
        var memory: Int?
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
        {
            memory = kb / 1024
        }
        let visible = ProcessInfo.processInfo.environment["CUDA_VISIBLE_DEVICES"] ?? ""
        let gpus = visible.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "-1" }
        return ResourceBudget(cpus: cpus, memoryMB: memory, gpus: gpus)
    }

    /// The first step whose units could never start here, as an error naming file, line and
    /// key; nil if all fit.
    func problem(in plan: Plan) -> PipelineError? {
        for step in plan.pipeline.steps {
            let r = step.resources
            let key = "steps.\(step.name).resources"
            if let cpus, r.cpus > cpus {
                return plan.pipeline.error(at: "\(key).cpus", "\(r.cpus) is more than this run's \(cpus) CPUs (-j); lower it or raise -j")
            }
            if let memoryMB, r.memoryMB > memoryMB {
                return plan.pipeline.error(at: "\(key).memory", "\(r.memoryMB) MiB is more than this machine's \(memoryMB) MiB; lower it")
            }
            if r.gpus > gpus.count {
                return plan.pipeline.error(at: "\(key).gpus", "\(r.gpus) GPU(s), but \(gpus.count) are available (CUDA_VISIBLE_DEVICES); lower it or run where there are GPUs")
            }
        }
        return nil
    }
}

/// What is in use now.
struct ResourceUse {
    var cpus = 0
    var memoryMB = 0
    var freeGPUs: [String]

    /// Whether `r` fits beside what runs; nothing running always fits (a unit bigger than the
    /// budget was refused before the run).
    func fits(_ r: StepSpec.Resources, in budget: ResourceBudget, running: Int) -> Bool {
        if running == 0 { return r.gpus <= freeGPUs.count }
        if let cpus = budget.cpus, self.cpus + r.cpus > cpus { return false }
        if let memory = budget.memoryMB, r.memoryMB > 0, memoryMB + r.memoryMB > memory { return false }
        return r.gpus <= freeGPUs.count
    }

    /// Takes `r`; returns the GPU ids handed out.
    mutating func take(_ r: StepSpec.Resources) -> [String] {
        cpus += r.cpus
        memoryMB += r.memoryMB
        let taken = Array(freeGPUs.prefix(r.gpus))
        freeGPUs.removeFirst(taken.count)
        return taken
    }

    mutating func give(_ r: StepSpec.Resources, gpus: [String]) {
        cpus -= r.cpus
        memoryMB -= r.memoryMB
        freeGPUs += gpus
    }
}
