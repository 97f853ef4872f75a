import CairnCore
import CairnExecutor
import CairnJournal
import Dispatch
import Foundation
import Synchronization

/// The state of one merge session: what this run has (its journal as replayed, plus what the
/// merge took so far) and the batch being placed.
struct Merge {
    let plan: Plan
    let state: JournalState
    let staging: Staging
    let own: SegmentInfo
    /// This session's segment, once opened (see ``journal()``).
    var writer: SegmentWriter?
    let open: () throws(RunError) -> SegmentWriter
    var faults = FaultInjection()
    /// Outputs of units taken in this merge, and the host that made them (a later source is
    /// compared with them).
    var taken: [Digest: (outputs: [OutputDigest], host: String)] = [:]
    /// Writers recorded here (``SegmentInfo/identity``): this run's own, those imported before,
    /// and those imported by this merge.
    var known: Set<String>
    /// Imported writers whose session end is still to be journaled.
    var endings: [(SegmentInfo, WriterActivity)] = []
    /// The batch: commits by origin writer, folders to sync.
    var batch: [(origin: SegmentInfo, activity: WriterActivity, commit: UnitCommit)] = []
    /// Places outputs for the whole session (one staging folder per output folder).
    let batchStaging: Staging.Batch

    /// Told of progress every ``MergeSession/progressInterval`` seconds.
    let observer: any RunObserver

    init(plan: Plan, state: JournalState, staging: Staging, own: SegmentInfo, observer: any RunObserver, open: @escaping () throws(RunError) -> SegmentWriter) {
        self.observer = observer
        self.plan = plan
        self.state = state
        self.staging = staging
        self.own = own
        self.open = open
        batchStaging = Staging.Batch(staging: staging, attempt: "merge-\(own.pid)-\(own.time)")
        known = state.importedWriters.union(state.writers.map(\.identity))
    }

    /// The session's segment, opened on first use.
    mutating func journal() throws(RunError) -> SegmentWriter {
        if let writer { return writer }
        let opened = try open()
        writer = opened
        return opened
    }


    /// Takes what `source` committed and this run lacks.
    mutating func fold(_ source: MergeSource) throws -> MergeReport.Source {
        var result = MergeReport.Source(source: source.argument, runFolder: source.folder.path)
        var hosts: [String] = []
        let introducedBefore = endings.count
        var pending: [Pending] = []
        for unit in plan.units {
            guard let there = source.state.units[unit.key], there.done else { continue }
            let digests = source.state.outputs(of: unit.key).map(Array.init) ?? []
            guard digests.count == unit.outputs.count else { continue }
            let origin = source.state.writers[max(0, Int(there.commitWriter))]
            let here = state.units[unit.key]
            if here?.committed == true || taken[unit.key] != nil {
                let mine = taken[unit.key]?.outputs ?? state.outputs(of: unit.key).map(Array.init) ?? []
                if let i = zip(mine, digests).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                    let hereHost = taken[unit.key]?.host ?? here.map { state.writers[max(0, Int($0.commitWriter))].host } ?? ""
                    result.nondeterministic.append(MergeReport.Nondeterminism(
                        unit: plan.label(of: unit), output: unit.outputs[i], here: mine[i].digest.hex, hereHost: hereHost,
                        there: digests[i].digest.hex, thereHost: origin.host))
                } else {
                    result.agreed += 1
                }
                continue
            }
            if here?.forced == true {
                result.forcedHere += 1
                continue
            }
            pending.append(Pending(unit: unit.index, digests: digests, there: there, origin: origin))
        }
        // Batches: the next one's sources are hashed while this one is linked and journaled.
        let batches = stride(from: 0, to: pending.count, by: MergeSession.batchSize).map { $0..<min($0 + MergeSession.batchSize, pending.count) }
        let plan = self.plan
        let check = { [pending] (range: Range<Int>) in
            SourceCheck(pending[range].map { job in
                let unit = plan.units[job.unit]
                return SourceCheck.Job(paths: Array(unit.outputs), names: plan.pipeline.steps[unit.step].outputs.map(\.name), expected: job.digests)
            }, root: source.root)
        }
        var next = batches.first.map(check)
        var lastNotice = MonotonicClock.now()
        for (i, range) in batches.enumerated() {
            if MonotonicClock.now() - lastNotice >= MergeSession.progressInterval {
                observer.notice("merging \(source.argument): \(range.lowerBound)/\(pending.count) units taken so far")
                lastNotice = MonotonicClock.now()
            }
            let checks = next!.wait()
            next = i + 1 < batches.count ? check(batches[i + 1]) : nil
            try place(Array(pending[range]), checks: checks, from: source, into: &result, hosts: &hosts)
        }
        try flush()
        // The source's other sessions (that committed nothing taken here) join the history too.
        for (i, info) in source.state.writers.enumerated() where !info.host.isEmpty && !known.contains(info.identity) {
            try introduce(info, source.state.activity[i])
        }
        result.sessionsImported = endings.count - introducedBefore
        result.hosts = hosts
        return result
    }

    /// A unit to take from a source.
    struct Pending {
        let unit: Int
        let digests: [OutputDigest]
        let there: UnitHistory
        let origin: SegmentInfo
    }

    /// Places the outputs of `pending` (checked in `checks`), then, in plan order, queues the
    /// commits of those placed and reports the others.
    mutating func place(_ pending: [Pending], checks: [Result<Bool, Staging.Failure>], from source: MergeSource, into result: inout MergeReport.Source, hosts: inout [String]) throws {
        let plan = self.plan, root = source.root
        let names = plan.pipeline.steps.map { $0.outputs.map(\.name) }
        let outcomes = zip(pending, checks).map { job, check -> Result<[OutputDigest], Staging.Failure> in
            check.flatMap { verified in
                Result { () throws(Staging.Failure) in
                    let outputs = plan.units[job.unit].outputs
                    return try batchStaging.place(from: root, paths: Array(outputs), into: Array(outputs), names: names[plan.units[job.unit].step],
                                                  expected: job.digests, verified: verified)
                }
            }
        }
        for (job, outcome) in zip(pending, outcomes) {
            let unit = plan.units[job.unit]
            if case .failure(let error) = outcome {
                if error.fatal { throw RunError(error.reason, machineFault: true) }
                let refused = MergeReport.Refused(unit: plan.label(of: unit), reason: error.reason)
                if error.modified { result.modified.append(refused) } else { result.missing.append(refused) }
                continue
            }
            faults.outputsRenamed {}  // the batch is journaled after its renames
            let there = job.there
            let commit = UnitCommit(key: unit.key, attempt: max(1, there.attempts), exitCode: 0, durationMs: there.durationMs ?? 0,
                                    time: there.commitTime ?? 0, outputs: job.digests, metrics: source.state.commitMetrics[unit.key] ?? [])
            batch.append((job.origin, source.state.activity[max(0, Int(there.commitWriter))], commit))
            taken[unit.key] = (job.digests, job.origin.host)
            if !hosts.contains(job.origin.host) { hosts.append(job.origin.host) }
            result.taken += 1
        }
        try flush()
    }

    /// Syncs the folders of the batch's outputs, then journals its commits under their writers.
    mutating func flush() throws {
        guard !batch.isEmpty else { return }
        let writer = try journal()
        batchStaging.sync()
        var current: SegmentInfo?
        for entry in batch {
            if current != entry.origin {
                if known.contains(entry.origin.identity) { try writer.append(.imported(entry.origin)) } else { try introduce(entry.origin, entry.activity) }
                current = entry.origin
            }
            try writer.append(.committed(entry.commit))
        }
        try writer.append(.imported(own))
        batch = []
    }

    /// Records a writer of another copy: who it was and when its session started.
    mutating func introduce(_ info: SegmentInfo, _ activity: WriterActivity) throws {
        let writer = try journal()
        try writer.append(.imported(info))
        if let started = activity.started { try writer.append(.runStarted(time: started, snapshot: Digest(of: ""))) }
        if let command = activity.command { try writer.append(.command(command)) }
        if let provenance = activity.provenance { try writer.append(.provenance(provenance)) }
        known.insert(info.identity)
        endings.append((info, activity))
    }

    /// Journals how the imported sessions ended, and makes everything durable.
    mutating func finish() throws {
        batchStaging.finish()
        guard let writer else { return }
        for (info, activity) in endings {
            guard let ended = activity.ended else { continue }
            try writer.append(.imported(info))
            if let outcome = activity.outcome { try writer.append(.outcome(outcome)) }
            try writer.append(.runEnded(time: ended, committed: activity.endedCommitted, failed: activity.endedFailed))
        }
        if !endings.isEmpty { try writer.append(.imported(own)) }
        try writer.flush()
    }
}
