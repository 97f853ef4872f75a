import CairnCore
import CairnJournal

/// Plans a pipeline and replays its journal at the same time (see ``BackgroundReplay``). Used by
/// the read-only views; a run plans before it touches the run folder.
enum PlanAndReplay {
    static func run(_ snapshot: Snapshot, digester: FileDigester?, journal: String) throws(RunError) -> (Plan, Snapshot, JournalState) {
        let replay = BackgroundReplay(journal: journal)
        let planned: Result<(plan: Plan, snapshot: Snapshot), PipelineError>
        do throws(PipelineError) { planned = .success(try snapshot.plan(reading: digester)) } catch { planned = .failure(error) }
        let state = replay.result()
        switch (planned, state) {
        case (.failure(let error), _): throw .pipeline(error)
        case (_, .failure(let error)): throw .journal(error)
        case (.success(let planned), .success(let state)): return (planned.plan, planned.snapshot, state)
        }
    }
}
