import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

extension Runner {
    /// Whether a unit just taken from the scheduler starts now.
    enum Admission {
        case start
        /// Not enough CPUs, memory or GPUs free: it waits for a unit to end.
        case later
        /// It would not finish before the deadline: set aside, with what depends on it.
        case postponed
    }

    func admit(_ index: Int) -> Admission {
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        if let end = timeDeadline, let expected = step.resources.time ?? medianDuration[unit.step],
            MonotonicClock.now() + expected > end
        {
            postponed += scheduler.postpone(index)
            summary.timeLimited = true  // the session ends at its time limit, not with a failure
            observer.notice("\(plan.label(of: unit)) not started: it is expected to take \(Self.seconds(expected)), more than is left before \(options.allocationEnd != nil ? "the allocation ends" : "the time limit")")
            return .postponed
        }
        return use.fits(step.resources, in: options.budget, running: executor.runningCount) ? .start : .later
    }

    /// The deadline came (a `--time-limit`, or SLURM's warning): no new units; running ones get
    /// their step's stop signal (a checkpointing unit saves and pauses), then KILL after the
    /// grace period; they are journaled as interrupted and continue next time.
    func timeUp(_ what: String) {
        guard !stopping else { return }
        stopping = true
        summary.timeLimited = true
        executor.stopAll(grace: options.grace)
        observer.notice("\(what): starting no more units, stopping \(executor.runningCount) running; `cairn resume` continues")
    }

    /// Per step, the median duration of its committed units, in seconds.
    static func medians(plan: Plan, history: UnitTable) -> [Double?] {
        var durations = [[Int64]](repeating: [], count: plan.pipeline.steps.count)
        for u in plan.units {
            if let h = history[u.key], h.committed, let ms = h.durationMs { durations[u.step].append(ms) }
        }
        return durations.map { d in
            guard !d.isEmpty else { return nil }
            let sorted = d.sorted()
            return Double(sorted[sorted.count / 2]) / 1000
        }
    }

    /// A checkpointing unit's folder that lasts across its attempts.
    static func checkpointFolder(run: RunFolder, step: String, label: String) -> String {
        "\(run.path)/checkpoints/\(step)/\(RunFolder.fileName(for: label))"
    }
}
