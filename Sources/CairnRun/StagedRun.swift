import CairnCore
import CairnJournal

/// `cairn run --stage`: a run folder and its snapshot, marked staged, and nothing run. A later
/// session (`cairn resume`, `cairn resume --all`) runs it like any unfinished run.
public enum StagedRun {
    /// Plans (an invalid pipeline writes nothing), creates the folder under its lock, and
    /// writes the snapshot marked staged; returns what a run would do.
    public static func create(snapshot given: Snapshot, folder: RunFolder, host: HostIdentity = .current) throws(RunError) -> Explanation {
        let (plan, planned) = try RunSession.prepare(given, options: RunOptions(jobs: 1))
        let stored = folder.exists ? try? Snapshot.read(folder) : nil
        try folder.create()
        let lock = try RunLock(folder: folder, host: host)
        defer { withExtendedLifetime(lock) {} }
        let state: JournalState
        do { state = try JournalState(directory: folder.journal, repair: false) } catch { throw .journal(error) }
        var snapshot = planned
        snapshot.staged = true
        try snapshot.write(to: folder)
        return SessionExplainer.explain(plan: plan, snapshot: snapshot, stored: stored, state: state, selection: RunSelection(), verify: false)
    }
}
