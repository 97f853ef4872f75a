import CairnCore
import CairnJournal
import Dispatch
import Foundation
import Synchronization

/// Looks at the outputs of committed units before a run: a declared output that is gone makes
/// its unit run again ("output deleted"), and with `verify`, so does one whose bytes differ from
/// the SHA-256 its commit journaled ("output modified since commit"). Temp outputs are
/// deleted on purpose; their absence is reported apart (they are made again only when needed).
///
/// One `lstat` per output of every committed unit, on every core; `verify` reads every byte.
public enum OutputCheck {
    /// What the check found, by unit index.
    public struct Findings: Sendable {
        /// Committed units whose temp outputs are gone.
        public var missingTemp: Set<Int> = []
        /// Committed units to make again, with the reason.
        public var damaged: [Int: RunReason] = [:]
    }

    /// Checks every committed unit of `plan` against the files under `root`.
    public static func check(_ plan: Plan, state: JournalState, root: String, verify: Bool) -> Findings {
        let units = plan.units
        let steps = plan.pipeline.steps
        let chunks = max(1, min(64, units.count / 2048))
        let found = Mutex<Findings>(Findings())
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var local = Findings()
            var info = stat()
            for i in stride(from: chunk, to: units.count, by: chunks) {
                let u = units[i]
                guard !u.outputs.isEmpty, state.units[u.key]?.committed == true else { continue }
                let declared = steps[u.step].outputs
                for (n, path) in u.outputs.enumerated() {
                    let full = "\(root)/\(path)"
                    if RawPath.lstat(full, &info) != 0 {
                        if declared[n].temp { local.missingTemp.insert(i) } else {
                            local.damaged[i] = RunReason(.outputDeleted, detail: RawBytes.display(path))
                            break
                        }
                    } else if verify, !declared[n].temp, let recorded = state.commitOutputs[u.key], n < recorded.count,
                        let now = try? Staging(root: root).digest(full, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR),
                        now != recorded[n]
                    {
                        local.damaged[i] = RunReason(.outputModified, detail: RawBytes.display(path))
                        break
                    }
                }
            }
            found.withLock {
                $0.missingTemp.formUnion(local.missingTemp)
                $0.damaged.merge(local.damaged) { a, _ in a }
            }
        }
        return found.withLock { $0 }
    }
}
