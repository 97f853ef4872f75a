import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

extension Runner {
    /// Takes a unit's outputs from another run that committed the same key: hard-links (or
    /// copies) them into the unit's staging paths, checks each against the digest that run
    /// journaled, and commits them like a unit that ran. False (and nothing changed) when any
    /// step fails; the unit then runs.
    func adopt(_ index: Int, from source: ResultCache.Source) -> Bool {
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        attemptCounter += 1
        let outputs: [OutputDigest]
        do {
            outputs = try staging.take(from: source.root, paths: source.outputs, into: Array(unit.outputs), names: step.outputs.map(\.name),
                                       expected: source.digests, attempt: "\(attemptPrefix)-\(attemptCounter)")
        } catch {
            observer.notice("\(plan.label(of: unit)): \(error.reason) (run \(source.run)); running it instead")
            return false
        }
        let number = (history[unit.key]?.attempts ?? 0) + Int(sessionAttempts[index]) + 1
        let commit = UnitCommit(key: unit.key, attempt: number, exitCode: 0, durationMs: 0, time: now(), outputs: outputs, metrics: source.metrics)
        if let sequence = append(.committed(commit)) {
            awaitingDurability.append(sequence: sequence, unit: index, hasDependents: withDependents[index])
            summary.reused += 1
        }
        return true
    }
}
