import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

/// Kills what an earlier controller left running. A controller killed with SIGKILL takes its
/// units' shells with it (parent-death signal), but their children live on in the units'
/// process groups. Before anything else runs, every process that belongs to an attempt that
/// started and never ended, on this host and this boot, is killed. Belonging is positive
/// identification, because pids (and so group ids) are reused — within minutes where
/// `pid_max` is 32768: the process is in the attempt's process group, started no earlier than
/// its leader, and carries the unit's `CAIRN_UNIT_KEY` (a SHA-256) in its environment.
/// A child that scrubs its environment is not found.
enum OrphanSweeper {
    /// What was found and killed.
    struct Outcome {
        var attempts = 0
        var killed = 0
        var leftAlive = 0
    }

    static func sweep(_ state: JournalState, host: HostIdentity, wait: Double = 5) -> Outcome {
        var outcome = Outcome()
        let open = state.openAttempts.filter { $0.value.writer.host == host.host && $0.value.writer.bootID == host.bootID }
        guard !open.isEmpty else { return outcome }
        outcome.attempts = open.count
        var targets: [Int32] = []
        let table = ProcessTable.all()
        var byGroup: [Int32: [ProcessTable.Entry]] = [:]
        for entry in table { byGroup[entry.group, default: []].append(entry) }
        for (key, open) in open {
            let marker = "CAIRN_UNIT_KEY=\(key.hex)"
            for member in byGroup[open.attempt.pid] ?? []
            where member.startTicks >= open.attempt.startTicks && member.pid != getpid()
                && ProcessTable.environment(of: member.pid, contains: marker)
            {
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
