import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

/// Commit: how an attempt's end becomes a commit (outputs renamed into place, then journaled,
/// counted once durable), a failure (retried or final, skipping dependents) or an interruption.
extension Runner {
    func finish(_ completion: AttemptEnd) {
        let index = completion.id
        guard let attempt = attempts[index] else { return }
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        if let usage = completion.usage { append(.usage(key: unit.key, attempt: attempt.number, usage: usage)) }
        use.give(step.resources, gpus: attempt.gpus)
        progress.steps[stepSlot[unit.step]].running -= 1
        if let log = attempt.log { removeIfEmpty(log) }  // an in-process attempt opens its log only to write
        // A stopped checkpointing unit paused, whatever its exit status: it continues next time.
        if completion.stopped && (step.checkpoint || !completion.succeeded) {
            interrupted(index, attempt)
            return
        }
        if completion.timedOut {
            let limit = step.timeout.map { Self.seconds($0) } ?? "?"
            let how = completion.processID != nil ? "stopped its process group"
                : completion.reason == .abandoned ? "cancelled it; it did not return within the grace period and was abandoned" : "cancelled it"
            fail(index, exitCode: completion.exitCode, duration: completion.duration, reason: "timed out after \(limit); \(how)", allowRetry: true)
            return
        }
        guard completion.succeeded else {
            let reason: String
            switch completion.reason {
            case .exited(let code): reason = "exited with code \(code)"
            case .signaled(let signal): reason = "killed by signal \(signal) (\(signalName(signal)))"
            case .threw(let error): reason = "threw: \(error)"
            case .abandoned: reason = "did not return within the grace period; abandoned"
            case .returned: reason = "returned"
            }
            fail(index, exitCode: completion.exitCode, duration: completion.duration, reason: reason, allowRetry: true)
            return
        }
        let metrics: [Metric]
        switch self.metrics(of: index, attempt) {
        case .success(let m): metrics = m
        case .failure(let error):
            fail(index, exitCode: 0, duration: completion.duration, reason: error.description, allowRetry: true)
            return
        }
        attempts[index] = nil
        guard !unit.outputs.isEmpty else {
            committed(index, attempt, duration: completion.duration, metrics: metrics, outputs: [])
            return
        }
        committing[index] = Committing(attempt: attempt, duration: completion.duration, metrics: metrics)
        committer.submit(OutputCommitter.Job(unit: index, outputs: unit.outputs, staged: attempt.staged, names: step.outputs.map(\.name)))
    }

    /// Journals the commits whose outputs the committer placed: first the folders the batch
    /// renamed into are fsynced (once each), then each unit's commit is journaled.
    func collectCommits() {
        guard committer.pending > 0 else { return }
        let done = committer.take()
        guard !done.isEmpty else { return }
        var folders = Set<String>()
        for job in done { folders.formUnion(job.folders) }
        Staging.sync(folders)
        for job in done {
            guard let waiting = committing.removeValue(forKey: job.unit) else { continue }
            let index = job.unit
            switch job.result {
            case .success(let outputs):
                for folder in job.spare where !spareStaging.keep(folder) { _ = RawPath.rmdir("\(staging.root)/\(folder)") }
                committed(index, waiting.attempt, duration: waiting.duration, metrics: waiting.metrics, outputs: outputs)
            case .failure(let error):
                attempts[index] = waiting.attempt  // what `fail` and `interrupted` close
                if error.fatal {
                    interrupted(index, waiting.attempt)
                    fatal("\(plan.label(of: plan.units[index])): \(error.reason); free space or fix the folder, then run `cairn resume`")
                } else {
                    fail(index, exitCode: 0, duration: waiting.duration, reason: error.reason, allowRetry: true)
                }
            }
        }
    }

    /// Journals a unit's commit (its outputs in place and their folders synced).
    func committed(_ index: Int, _ attempt: Attempt, duration: Double, metrics: [Metric], outputs: [OutputDigest]) {
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        faults.outputsRenamed { try? journal.flush() }
        if let covered = plan.itemsCovered(by: unit), covered < plan.items.count {
            _ = append(.partial(key: unit.key, step: step.name, items: covered, total: plan.items.count))
        }
        let commit = UnitCommit(key: unit.key, attempt: attempt.number, exitCode: 0,
                                durationMs: Int64(duration * 1000), time: now(), outputs: outputs, metrics: metrics)
        if let sequence = append(.committed(commit)) {
            awaitingDurability.append(sequence: sequence, unit: index, hasDependents: withDependents[index])
        }
    }

    /// Closes an attempt that Cairn stopped (interrupt, machine fault): not a failure of the unit.
    func interrupted(_ index: Int, _ attempt: Attempt) {
        staging.discard(attempt.staged)
        attempts[index] = nil
        append(.interrupted(key: plan.units[index].key, attempt: attempt.number, time: now()))
        summary.interruptedAttempts += 1
    }

    func fail(_ index: Int, exitCode: Int, duration: Double, reason: String, allowRetry: Bool) {
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        let attempt = attempts.removeValue(forKey: index)
        staging.discard(attempt?.staged ?? [])
        let number = attempt?.number ?? 0
        append(.failed(UnitFailure(key: unit.key, attempt: number, exitCode: exitCode,
                                   durationMs: Int64(duration * 1000), time: now(), reason: reason)))
        let used = max(1, Int(sessionAttempts[index]))
        let report = UnitFailureReport(unit: plan.label(of: unit), reason: "attempt \(number) \(reason)", log: attempt.map { $0.log ?? logFile(of: index) } ?? "")
        if allowRetry, !stopping, used <= step.retries {
            let delay = min(600, step.retryBackoff * pow(2, Double(used - 1)))
            scheduler.retry(index, at: MonotonicClock.now() + delay)
            observer.unitFailed(report, retrying: true)
            return
        }
        let skipped = scheduler.failed(index)
        for s in skipped { progress.steps[stepSlot[plan.units[s].step]].skipped += 1 }
        progress.steps[stepSlot[unit.step]].failed += 1
        summary.failures.append(report)
        summary.skipped += skipped.count
        observer.unitFailed(report, retrying: false)
        if options.failFast && !stopping {
            stopping = true
            observer.notice("--fail-fast: a unit failed; starting no more units and letting running ones finish")
        }
    }

    /// The journal sequence number worth waking up for: the first commit something depends on,
    /// or, when nothing runs, the last commit awaited. 0 for none.
    func durabilityWanted() -> UInt64 {
        guard let last = awaitingDurability.lastSequence else { return 0 }
        if executor.runningCount == 0 { return last }
        return awaitingDurability.firstNeeded ?? 0
    }

    /// Marks units whose commit records are now durable as committed.
    func settleDurable() {
        guard !awaitingDurability.isEmpty else { return }
        for entry in awaitingDurability.settle(durable: journal.durableSequence) {
            scheduler.succeeded(entry.unit)
            progress.steps[stepSlot[plan.units[entry.unit].step]].committed += 1
            summary.committed += 1
        }
        if let error = journal.error, !awaitingDurability.isEmpty { fatal("\(error)"); awaitingDurability.removeAll() }
    }
}
