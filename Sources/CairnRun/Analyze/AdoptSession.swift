import CairnCore
import CairnJournal
import Foundation

/// `cairn adopt`: journals outputs already on disk (a dataset made before Cairn, or elsewhere)
/// as committed under the pipeline's current keys, with their digests, so they are not made
/// again. Only with `confirm`; without it, says what it would adopt and writes nothing.
///
/// A unit is adopted when every output it declares exists and every unit it needs is committed
/// or adopted too. Outputs stay where they are; each is read (SHA-256) and fsynced before its
/// commit is journaled. Interrupted, it adopts the rest when run again.
public enum AdoptSession {
    /// What adopt did (or would do).
    public struct Report: Sendable, Encodable {
        public var runFolder: String
        public var confirmed: Bool
        public var steps: [Step] = []
        public var adopted: Int { steps.reduce(0) { $0 + $1.adopt } }

        public struct Step: Sendable, Encodable {
            public var step: String
            /// Units adopted (or to adopt).
            public var adopt = 0
            /// Committed already.
            public var committed = 0
            /// Outputs not all on disk.
            public var missing = 0
            /// Outputs on disk, but a unit it needs is neither committed nor adoptable.
            public var blocked = 0
            /// Not selected.
            public var notSelected = 0
        }
    }

    /// Adopts the selected units of `snapshot` whose outputs exist into `folder` (created with
    /// the snapshot if needed); only counts them unless `confirm`.
    public static func execute(
        snapshot given: Snapshot, folder: RunFolder, selection: RunSelection, confirm: Bool, host: HostIdentity = .current, observer: any RunObserver
    ) throws(RunError) -> Report {
        let (plan, snapshot) = try RunSession.prepare(given, options: { var o = RunOptions(jobs: 1); o.selection = selection; return o }())
        let existing: JournalState
        do { existing = folder.exists ? try JournalState(directory: folder.journal, repair: false) : JournalState() } catch { throw .journal(error) }
        let chosen = choose(plan, selection: selection, state: existing, root: snapshot.root)
        var report = Report(runFolder: folder.path, confirmed: confirm)
        report.steps = plan.stepOrder.map { Report.Step(step: plan.pipeline.steps[$0].name) }
        var slot = [Int](repeating: 0, count: plan.pipeline.steps.count)
        for (i, s) in plan.stepOrder.enumerated() { slot[s] = i }
        for u in plan.units {
            switch chosen[u.index] {
            case .adopt: report.steps[slot[u.step]].adopt += 1
            case .committed: report.steps[slot[u.step]].committed += 1
            case .missing: report.steps[slot[u.step]].missing += 1
            case .blocked: report.steps[slot[u.step]].blocked += 1
            case .notSelected: report.steps[slot[u.step]].notSelected += 1
            }
        }
        guard confirm, report.adopted > 0 else { return report }

        try folder.create()
        let (lock, state) = try RunSession.takeOver(folder, host: host, lock: nil, observer: observer)
        defer { withExtendedLifetime(lock) {} }
        try snapshot.write(to: folder)
        let info = SegmentInfo(host: host.host, bootID: host.bootID, pid: getpid(), time: MergeSession.now())
        let writer = try SessionJournal.open(folder: folder, info: info, snapshot: snapshot, state: state, plan: plan, invalidate: [], closeOpen: true)
        let staging = Staging(root: snapshot.root)
        var summary = RunSummary()
        try SessionJournal.run(writer) {
            for u in plan.units where chosen[u.index] == .adopt && state.units[u.key]?.committed != true {
                var outputs: [OutputDigest] = []
                for path in u.outputs {
                    var st = stat()
                    guard RawPath.lstat("\(snapshot.root)/\(path)", &st) == 0 else { throw RunError("\(path) disappeared while adopting; run `cairn adopt` again") }
                    do throws(Staging.Failure) {
                        outputs.append(try staging.digest("\(snapshot.root)/\(path)", isDirectory: (st.st_mode & S_IFMT) == S_IFDIR))
                    } catch {
                        throw RunError(error.reason, machineFault: error.fatal)
                    }
                }
                let attempt = (state.units[u.key]?.attempts ?? 0) + 1
                try writer.append(.committed(UnitCommit(key: u.key, attempt: attempt, exitCode: 0, durationMs: 0, time: MergeSession.now(), outputs: outputs)))
                summary.committed += 1
                if summary.committed % 4096 == 0 { try writer.flush() }
            }
            try writer.flush()
        }
        try SessionJournal.close(writer, summary)
        return report
    }

    enum Choice: Equatable { case adopt, committed, missing, blocked, notSelected }

    /// Per unit: adopt it, or why not. Pure given `present`.
    static func choose(_ plan: Plan, selection: RunSelection, state: JournalState, root: String) -> [Choice] {
        let selected = PlanExplainer(plan: plan, previous: nil, history: state.units, selection: selection).selectedUnits()
        let present = DiskSurvey.presentUnits(plan, root: root)
        var out = [Choice](repeating: .missing, count: plan.units.count)
        for u in plan.units {
            if state.units[u.key]?.committed == true { out[u.index] = .committed; continue }
            if !selected[u.index] { out[u.index] = .notSelected; continue }
            guard present[u.index] else { out[u.index] = .missing; continue }
            out[u.index] = u.needs.allSatisfy { out[$0] == .adopt || out[$0] == .committed } ? .adopt : .blocked
        }
        return out
    }
}
