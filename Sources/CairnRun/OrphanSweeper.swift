import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

/// Kills what an earlier controller left running. A controller killed with SIGKILL takes its
/// units' shells with it (parent-death signal), but their children live on in the units'
/// process groups. Before anything else runs, every process in the group of an attempt that
/// started and never ended, on this host and this boot, is killed: a member of such a group
/// started no earlier than the group's leader, which tells it apart from a process that
/// merely reuses the pid later.
enum OrphanSweeper {
    /// What was found and killed.
    struct Outcome {
        var attempts = 0
        var killed = 0
        var leftAlive = 0
    }

    static func sweep(_ state: JournalState, host: HostIdentity, wait: Double = 5) -> Outcome {
        var outcome = Outcome()
        let open = state.openAttempts.values.filter { $0.writer.host == host.host && $0.writer.bootID == host.bootID }
        guard !open.isEmpty else { return outcome }
        outcome.attempts = open.count
        var targets: [Int32] = []
        let table = ProcessTable.all()
        var byGroup: [Int32: [ProcessTable.Entry]] = [:]
        for entry in table { byGroup[entry.group, default: []].append(entry) }
        // An attempt whose leader's start time is unknown (0) is skipped: without it a member
        // cannot be told apart from an unrelated process that reuses the group id.
        for attempt in open.map(\.attempt) where attempt.startTicks > 0 {
            for member in byGroup[attempt.pid] ?? [] where member.startTicks >= attempt.startTicks && member.pid != getpid() {
                targets.append(member.pid)
            }
        }
        for pid in targets { kill(pid, SIGKILL) }
        outcome.killed = targets.count
        let deadline = Date().addingTimeInterval(wait)
        var alive = targets
        while !alive.isEmpty && Date() < deadline {
            alive = alive.filter { ProcessTable.isAlive($0) }
            if !alive.isEmpty { usleep(10_000) }
        }
        outcome.leftAlive = alive.count
        return outcome
    }
}
