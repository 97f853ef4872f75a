import CairnCore
import CairnJournal
import Dispatch
import Synchronization

/// Plans a pipeline and replays its journal at the same time, on two threads: the two are
/// independent, and on large runs each takes about half of `cairn plan`'s time. Used by the
/// read-only views; a run plans before it touches the run folder.
enum PlanAndReplay {
    static func run(_ snapshot: Snapshot, digester: FileDigester?, journal: String, repair: Bool) throws(RunError) -> (Plan, Snapshot, JournalState) {
        let replayed = Mutex<Result<JournalState, JournalError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { @Sendable in
            let result: Result<JournalState, JournalError>
            do throws(JournalError) { result = .success(try JournalState(directory: journal, repair: repair)) } catch { result = .failure(error) }
            replayed.withLock { $0 = result }
            done.signal()
        }
        let planned: Result<(plan: Plan, snapshot: Snapshot), PipelineError>
        do throws(PipelineError) { planned = .success(try snapshot.plan(reading: digester)) } catch { planned = .failure(error) }
        done.wait()
        let state = replayed.withLock { $0! }
        switch (planned, state) {
        case (.failure(let error), _): throw .pipeline(error)
        case (_, .failure(let error)): throw .journal(error)
        case (.success(let planned), .success(let state)): return (planned.plan, planned.snapshot, state)
        }
    }
}
