import CairnCore
import CairnJournal
import Dispatch
import Foundation

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
        // Serial: which units to look at (dictionary lookups). Parallel: the lstat calls, relative
        // to the pipeline folder, touching only each unit's own strings — shared objects (the
        // root path, the journal's dictionary) would have their reference counts bounced
        // between cores on every call.
        let candidates = units.indices.filter { !units[$0].outputs.isEmpty && state.units[units[$0].key]?.committed == true }
        guard !candidates.isEmpty else { return Findings() }
        // Per step, where its outputs' temp flags start in one flat array (no shared inner arrays).
        let tempFlags = plan.pipeline.steps.flatMap { $0.outputs.map(\.temp) }
        let counts = plan.pipeline.steps.map(\.outputs.count)
        let tempStart = counts.indices.map { counts[..<$0].reduce(0, +) }
        let rootFD = RawPath.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if rootFD >= 0 { close(rootFD) } }
        let chunks = max(1, min(64, candidates.count / 2048))
        var parts = [Findings](repeating: Findings(), count: chunks)
        units.withUnsafeBufferPointer { unitPointer in
            candidates.withUnsafeBufferPointer { indexPointer in
                parts.withUnsafeMutableBufferPointer { outPointer in
                    // Each chunk reads the two buffers and writes only its own slot of `out`,
                    // and concurrentPerform returns after every chunk: sharing them is safe.
                    let unitBuffer = Shared(unitPointer), indexBuffer = Shared(indexPointer), out = Shared(outPointer)
                    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                        let unitBuffer = unitBuffer.value, indexBuffer = indexBuffer.value, out = out.value
                        var local = Findings()
                        var info = stat()
                        for k in stride(from: chunk, to: indexBuffer.count, by: chunks) {
                            let i = indexBuffer[k]
                            let outputs = unitBuffer[i].outputs
                            let first = tempStart[unitBuffer[i].step]
                            for (n, path) in outputs.enumerated() {
                                let temp = tempFlags[first + n]
                                let missing = RawBytes.withCString(path) { fstatat(rootFD, $0, &info, AT_SYMLINK_NOFOLLOW) } != 0
                                if missing {
                                    if temp { local.missingTemp.insert(i); continue }
                                    local.damaged[i] = RunReason(.outputDeleted, detail: RawBytes.display(path))
                                    break
                                }
                                if verify, !temp, modified(unitBuffer[i].key, output: n, path: path, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR,
                                                              state: state, root: root) {
                                    local.damaged[i] = RunReason(.outputModified, detail: RawBytes.display(path))
                                    break
                                }
                            }
                        }
                        out[chunk] = local
                    }
                }
            }
        }
        var found = Findings()
        for part in parts {
            found.missingTemp.formUnion(part.missingTemp)
            found.damaged.merge(part.damaged) { a, _ in a }
        }
        return found
    }

    /// Whether output `n` of the unit committed as `key` now has other bytes than its commit journaled.
    static func modified(_ key: Digest, output n: Int, path: String, isDirectory: Bool, state: JournalState, root: String) -> Bool {
        guard let recorded = state.commitOutputs[key], n < recorded.count else { return false }
        let full = path.hasPrefix("/") ? path : "\(root)/\(path)"
        guard let now = try? Staging(root: root).digest(full, isDirectory: isDirectory) else { return true }
        return now != recorded[n]
    }
}

/// A value handed to concurrently running closures that use it without racing (see the call site).
private struct Shared<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
