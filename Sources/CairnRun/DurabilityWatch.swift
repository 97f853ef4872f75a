import CairnExecutor
import Synchronization

/// Wakes the runner's loop when the journal makes a record durable that the runner is
/// waiting for, and not otherwise: most commits need no prompt wake-up (nothing depends on
/// them yet, and the loop settles them on its next turn anyway).
final class DurabilityWatch: Sendable {
    /// The sequence number the runner waits for; 0 when it waits for none.
    let wanted = Atomic<UInt64>(0)
    let waker: Waker

    init(waker: Waker) { self.waker = waker }

    /// Called by the journal's writer thread with the new durable sequence number.
    func madeDurable(_ sequence: UInt64) {
        let w = wanted.load(ordering: .acquiring)
        if w != 0 && sequence >= w { waker.wake() }
    }
}
