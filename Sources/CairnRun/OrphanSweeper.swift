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
///
/// Then every other process on this host whose environment says it belongs to this run folder
/// (`CAIRN_RUN_DIR`) is killed too: the caller holds the run lock and has started nothing, so
/// such a process was left by an earlier controller — one that died after spawning a unit but
/// before its attempt record was durable, or a child that left its unit's process group
/// (`setsid`). A child that scrubs its environment is not found. Units of SLURM workers
/// (`CAIRN_SLURM_JOB` in their environment, their segment naming the job) are left to SLURM.
enum OrphanSweeper {
    /// What was found and killed.
    struct Outcome {
        var attempts = 0
        var killed = 0
        /// Of `killed`, those found only by their run folder (no journaled attempt, or outside its group).
        var strays = 0
        var leftAlive = 0
    }

    static func sweep(_ state: JournalState, host: HostIdentity, runDirectory: String, wait: Double = 5) -> Outcome {
        var outcome = Outcome()
        // A SLURM worker's attempts are SLURM's: its job may still be running them.
        let open = state.openAttempts.filter { $0.value.writer.host == host.host && $0.value.writer.bootID == host.bootID && $0.value.writer.job.isEmpty }
        outcome.attempts = open.count
        var targets: [Int32] = []
        let table = ProcessTable.all()
        var byGroup: [Int32: [ProcessTable.Entry]] = [:]
        for entry in table { byGroup[entry.group, default: []].append(entry) }
        for (key, open) in open where open.attempt.pid > 0 {  // 0: an in-process attempt, no process
            let marker = "CAIRN_UNIT_KEY=\(key.hex)"
            for member in byGroup[open.attempt.pid] ?? []
            where member.startTicks >= open.attempt.startTicks && member.pid != getpid()
                && ProcessTable.environment(of: member.pid, contains: marker)
            {
                targets.append(member.pid)
            }
        }
        var found = Set(targets)
        let me = getpid()
        for entry in table where entry.pid != me && !found.contains(entry.pid)
            && ProcessTable.environmentValue(of: entry.pid, name: "CAIRN_RUN_DIR") == runDirectory
            && ProcessTable.environmentValue(of: entry.pid, name: "CAIRN_SLURM_JOB") == nil
        {
            targets.append(entry.pid)
            found.insert(entry.pid)
            outcome.strays += 1
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
