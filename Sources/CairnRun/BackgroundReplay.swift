import CairnJournal
import Dispatch
import Synchronization

/// A journal folder read (read-only) on another thread while the caller plans: the two are
/// independent, and on large runs each takes a good part of a session's start.
final class BackgroundReplay: Sendable {
    private let replayed = Mutex<Result<JournalState, JournalError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts reading `journal` (without repairing it: no lock is needed).
    init(journal: String) {
        DispatchQueue.global().async { @Sendable [self] in
            let result: Result<JournalState, JournalError>
            do throws(JournalError) { result = .success(try JournalState(directory: journal, repair: false)) } catch { result = .failure(error) }
            replayed.withLock { $0 = result }
            done.signal()
        }
    }

    /// A read already made (see ``RunOptions/inspected``).
    init(ready state: JournalState) {
        replayed.withLock { $0 = .success(state) }
        done.signal()
    }

    /// Waits for the read to finish; any number of calls (the shared-output check before the
    /// run folder is touched, then the take-over) get the same result.
    func result() -> Result<JournalState, JournalError> {
        done.wait()
        defer { done.signal() }  // the next caller does not wait
        return replayed.withLock { $0! }
    }
}
