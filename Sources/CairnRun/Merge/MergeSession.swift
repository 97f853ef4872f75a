import CairnCore
import CairnExecutor
import CairnJournal
import Dispatch
import Foundation
import Synchronization

/// `cairn merge`: folds other copies of the same run (shards made on machines that share no
/// disk) into this run folder.
///
/// Every source is read only. Its snapshot must plan exactly this run's unit keys. For each
/// unit committed there and not here, its outputs are hard-linked (or copied) into staging,
/// checked against the SHA-256 the source journaled, fsynced and renamed into place, their
/// folders fsynced once per batch, and only then is the commit journaled here — in this
/// session's own segment, under an `imported` record naming the writer (host, session) that
/// made it, with its attempt, duration, time and metrics. A crash at any point leaves either
/// no file or a complete verified file at a final path, and a unit committed once: the next
/// merge takes what was not journaled again. A unit committed in both with different
/// outputs is reported as non-determinism and this run's outputs are kept.
public enum MergeSession {
    /// Units placed before their files and folders are synced (one `syncfs`) and their commits
    /// journaled; a crash redoes at most this many.
    static let batchSize = 32768
    /// Seconds between progress notices of a long merge.
    static let progressInterval = 5.0

    /// Merges `sources` into `folder`. With `create` (a pipeline file whose run folder does
    /// not exist yet), the run folder is made with that snapshot first.
    public static func execute(
        sources arguments: [String], into folder: RunFolder, create: Snapshot? = nil, host: HostIdentity = .current, observer: any RunObserver
    ) throws(RunError) -> MergeReport {
        var snapshot: Snapshot
        if let create, !folder.exists { snapshot = create } else { snapshot = try Snapshot.read(folder) }
        // The sources' journals are read while the destination is planned (both take a while).
        let reads = Mutex<[Result<MergeSource.Read, RunError>]>([])
        let readDone = DispatchSemaphore(value: 0)
        let name = snapshot.pipeline.name
        DispatchQueue.global().async { @Sendable in
            for argument in arguments {
                let result: Result<MergeSource.Read, RunError>
                do throws(RunError) { result = .success(try MergeSource.read(argument, name: name, destination: folder)) } catch { result = .failure(error) }
                reads.withLock { $0.append(result) }
            }
            readDone.signal()
        }
        let digester = FileDigester(root: snapshot.root, verify: false)
        let plan: Plan
        do { (plan, snapshot) = try snapshot.plan(reading: digester) } catch {
            readDone.wait()
            throw .pipeline(error)
        }
        digester.save()
        readDone.wait()
        var sources: [MergeSource] = []
        for (argument, read) in zip(arguments, reads.withLock { $0 }) {
            let source = try MergeSource.open(try read.get(), snapshot: snapshot, plan: plan)
            if let difference = PlanDifference.first(here: plan, there: source.plan) {
                throw RunError.usage("cannot merge \(argument): it is not the same pipeline as \(folder.path) (\(difference)); merge only copies run with the same file, --set values and code")
            }
            sources.append(source)
        }

        try folder.create()
        let (lock, state) = try RunSession.takeOver(folder, host: host, lock: nil, observer: observer)
        defer { withExtendedLifetime(lock) {} }
        var report = MergeReport(destination: folder.path)
        if let scope = snapshot.scope {
            report.scopeCleared = scope.description
            snapshot.scope = nil
        }
        snapshot.staged = nil
        try snapshot.write(to: folder)
        let staging = Staging(root: snapshot.root)
        let debris = staging.cleanDebris(outputs: plan.units.lazy.flatMap(\.outputs))
        if debris > 0 { observer.notice("removed staging debris of \(debris) interrupted attempt(s)") }

        let info = SegmentInfo(host: host.host, bootID: host.bootID, pid: getpid(), time: now())
        // The segment is opened only when there is something to journal: merging twice adds nothing.
        var merge = Merge(plan: plan, state: state, staging: staging, own: info, observer: observer) { () throws(RunError) in
            try SessionJournal.open(folder: folder, info: info, snapshot: snapshot, state: state, plan: plan, invalidate: [], closeOpen: true)
        }
        if !state.openAttempts.isEmpty { _ = try merge.journal() }  // a dead controller's attempts are closed
        do {
            for source in sources { report.sources.append(try merge.fold(source)) }
            try merge.finish()
        } catch {
            if let writer = merge.writer { try? writer.close() }
            switch error {
            case let error as RunError: throw error
            case let error as JournalError: throw .journal(error)
            default: throw RunError("\(error)")
            }
        }
        staging.removeEmptyStagingFolders(outputs: plan.units.lazy.flatMap(\.outputs))
        report.units = plan.units.count
        // Taken units were not committed here before, so the two counts add up.
        report.committed = plan.units.count { state.units[$0.key]?.committed == true } + merge.taken.count
        if let writer = merge.writer {
            var summary = RunSummary()
            summary.committed = report.taken
            try SessionJournal.close(writer, summary)
        }
        return report
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
