import CairnCore
import CairnJournal
import Dispatch
import Foundation

/// Looks at the outputs of committed units before a run: a declared output that is gone makes
/// its unit run again ("output deleted"), and with `verify`, so does one whose bytes differ from
/// the SHA-256 its commit journaled ("output modified since commit"). Temp outputs are
/// deleted on purpose; their absence is reported apart (they are made again only when needed).
/// After a change of plan, ``replaced(_:previous:state:root:resolved:skipping:)`` compares the
/// outputs another version of a unit may have overwritten.
///
/// One `lstat` per output of every committed unit, on every core — except in output folders
/// that have not changed since they were last found complete (`OutputFolderCache`), and in
/// folders that should hold 1,024 outputs or more, which are read once instead (the names in
/// them looked up); `verify` reads every byte.
public enum OutputCheck {
    /// What the check found, by unit index.
    public struct Findings: Sendable {
        /// Committed units whose temp outputs are gone.
        public var missingTemp: Set<Int> = []
        /// Committed units to make again, with the reason.
        public var damaged: [Int: RunReason] = [:]
    }

    /// Checks every committed unit of `plan` against the files under `root`.
    /// A folder unchanged since it was last found complete is not looked into again (see
    /// `OutputFolderCache`); with `remember`, the folders found complete now are saved there
    /// (`cairn analyze` passes false: it only reads). `resolved` is `state.units` resolved for
    /// `plan`, when the caller holds it (see ``PlanHistory``).
    public static func check(_ plan: Plan, state: JournalState, root: String, verify: Bool, remember: Bool = true, resolved: PlanHistory? = nil) -> Findings {
        let units = plan.units
        // Which units to look at: a million dictionary lookups, on every core (as the explainer
        // does). Then the lstat calls, relative to the pipeline folder, touching only each
        // unit's own strings — a shared root path would have its reference count bounced
        // between cores on every call.
        let looked = ParallelMap.map(units.count) { i in
            !units[i].outputs.isEmpty && (resolved.map { $0.facts(i).committed } ?? (state.units[units[i].key]?.committed == true))
        }
        let committed = units.indices.filter { looked[$0] }
        guard !committed.isEmpty else { return Findings() }
        // Per step, where its outputs' temp flags start in one flat array (no shared inner arrays).
        let tempFlags = plan.pipeline.steps.flatMap { $0.outputs.map(\.temp) }
        let counts = plan.pipeline.steps.map(\.outputs.count)
        let tempStart = counts.indices.map { counts[..<$0].reduce(0, +) }
        let rootFD = RawPath.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if rootFD >= 0 { close(rootFD) } }
        let folders = !verify ? Folders(plan, candidates: committed, root: root, rootFD: rootFD) : nil
        let candidates = folders.map { f in committed.indices.filter { !f.skip[$0] }.map { committed[$0] } } ?? committed
        // Folders with many outputs to look for are read once instead (see `Folders.listings`).
        let listings = folders?.listings(root: root) ?? [:]
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
                                let missing: Bool
                                if !listings.isEmpty, case let (folder, name) = RawPath.split(path), let names = listings[folder.isEmpty ? "." : folder] {
                                    missing = !names.contains(name)
                                } else {
                                    missing = RawBytes.withCString(path) { fstatat(rootFD, $0, &info, AT_SYMLINK_NOFOLLOW) } != 0
                                }
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
        if remember { folders?.remember(incomplete: Set(found.damaged.keys).union(found.missingTemp)) }
        return found
    }

    /// The output folders of the committed units, and which of them `OutputFolderCache` vouches for.
    final class Folders {
        let cache: OutputFolderCache
        var names: [String] = []
        var ids: [String: Int] = [:]
        var fingerprints: [UInt64] = []
        /// Per folder, how many committed outputs it should hold.
        var expected: [Int] = []
        /// The candidate units (ascending unit indices), and the folders of their outputs: those
        /// of candidate `k` are `outputFolders[start[k]..<start[k + 1]]` (flat arrays: a million
        /// small arrays would cost more than the lookups they save).
        let candidates: [Int]
        var start: [Int] = []
        var outputFolders: [Int32] = []
        var seen: [stat?] = []
        var trusted: [Bool] = []
        /// Per candidate (in the caller's order): every output is in a folder vouched for.
        var skip: [Bool] = []

        /// Nil when outputs are spread over so many folders that checking folders saves little.
        init?(_ plan: Plan, candidates: [Int], root: String, rootFD: Int32) {
            cache = OutputFolderCache(root: root)
            self.candidates = candidates
            start.reserveCapacity(candidates.count + 1)
            outputFolders.reserveCapacity(candidates.count)
            // Outputs of consecutive units are mostly in the same folder: compared with the
            // last one (byte for byte) before a dictionary lookup.
            var last: (folder: Substring, id: Int)?
            for i in candidates {
                start.append(outputFolders.count)
                for path in plan.units[i].outputs {
                    let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
                    let folder = slash.map { path[..<$0] } ?? "."
                    let name = slash.map { path[path.utf8.index(after: $0)...] } ?? Substring(path)
                    let id: Int
                    if let last, last.folder.utf8.elementsEqual(folder.utf8) { id = last.id } else if let known = ids[String(folder)] { id = known } else {
                        id = names.count
                        ids[String(folder)] = id
                        names.append(String(folder))
                        fingerprints.append(0)
                        expected.append(0)
                    }
                    last = (folder, id)
                    fingerprints[id] &+= OutputFolderCache.fingerprint(name)
                    expected[id] += 1
                    outputFolders.append(Int32(id))
                }
            }
            start.append(outputFolders.count)
            guard names.count * 8 <= outputFolders.count else { return nil }
            var info = stat()
            for (id, folder) in names.enumerated() {
                guard RawBytes.withCString(folder, { fstatat(rootFD, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0 else {
                    seen.append(nil)
                    trusted.append(false)
                    continue
                }
                seen.append(info)
                let now = OutputFolderCache.Entry(device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
                                                  mtime: OutputFolderCache.mtime(info),
                                                  names: fingerprints[id])
                trusted.append(cache.entries[folder] == now)
            }
            skip = candidates.indices.map { k in (start[k]..<start[k + 1]).allSatisfy { trusted[Int(outputFolders[$0])] } }
        }

        /// The folders of candidate unit `unit`'s outputs.
        func folders(of unit: Int) -> ArraySlice<Int32> {
            var low = 0, high = candidates.count
            while low < high {
                let mid = (low + high) / 2
                if candidates[mid] < unit { low = mid + 1 } else { high = mid }
            }
            guard low < candidates.count, candidates[low] == unit else { return [] }
            return outputFolders[start[low]..<start[low + 1]]
        }

        /// The fewest outputs to look for in one folder for which reading the folder's names
        /// once beats one `lstat` per output.
        static let listingThreshold = 1024

        /// For each folder not vouched for that holds at least ``listingThreshold`` committed
        /// outputs: the names in it. An output is present exactly when its
        /// name is there — what `lstat` would say, for a fraction of the system calls (a
        /// million-file folder is read in a few tenths of a second). Folders that cannot be
        /// read are left out (their outputs get `lstat`).
        func listings(root: String) -> [String: Set<String>] {
            var out: [String: Set<String>] = [:]
            for id in names.indices where !trusted[id] && expected[id] >= Self.listingThreshold && !names[id].isEmpty {
                let folder = names[id]
                let path = folder == "." ? root : folder.hasPrefix("/") ? folder : "\(root)/\(folder)"
                if let entries = RawPath.entries(of: path) { out[folder] = Set(entries) }
            }
            return out
        }

        /// Remembers the folders found complete (none of whose units is in `incomplete`), and saves.
        func remember(incomplete: Set<Int>) {
            var bad = [Bool](repeating: false, count: names.count)
            for unit in incomplete { for id in folders(of: unit) { bad[Int(id)] = true } }
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
            for id in names.indices where !trusted[id] && !bad[id] {
                guard let info = seen[id], let entry = OutputFolderCache.entry(info, names: fingerprints[id], now: now) else { continue }
                cache.entries[names[id]] = entry
                cache.dirty = true
            }
            cache.save()
        }
    }

    /// Committed units whose output another version of them (the previous plan's, with other
    /// values) may have written since: each such output is compared with the SHA-256 the unit's
    /// commit journaled, and one that differs makes the unit run again ("output replaced by
    /// another version"). Only these units' outputs are read, and only when the plan changed.
    public static func replaced(_ plan: Plan, previous: Plan, state: JournalState, root: String, resolved: PlanHistory?, skipping known: [Int: RunReason]) -> [Int: RunReason] {
        var out: [Int: RunReason] = [:]
        for i in PlanExplainer.otherVersionsSharingOutputs(plan, previous: previous) where known[i] == nil {
            let unit = plan.units[i]
            guard resolved.map({ $0.facts(i).committed }) ?? (state.units[unit.key]?.committed == true) else { continue }
            let temps = plan.pipeline.steps[unit.step].outputs.map(\.temp)
            for (n, path) in unit.outputs.enumerated() where !temps[n] {
                var info = stat()
                let full = path.hasPrefix("/") ? path : "\(root)/\(path)"
                guard RawPath.lstat(full, &info) == 0 else { continue }  // a deleted one is the output check's
                if modified(unit.key, output: n, path: path, isDirectory: (info.st_mode & S_IFMT) == S_IFDIR, state: state, root: root) {
                    out[i] = RunReason(.outputReplaced, detail: RawBytes.display(path))
                    break
                }
            }
        }
        return out
    }

    /// Whether output `n` of the unit committed as `key` now has other bytes than its commit journaled.
    static func modified(_ key: Digest, output n: Int, path: String, isDirectory: Bool, state: JournalState, root: String) -> Bool {
        guard let recorded = state.outputs(of: key), n < recorded.count else { return false }
        let full = path.hasPrefix("/") ? path : "\(root)/\(path)"
        guard let now = try? Staging(root: root).digest(full, isDirectory: isDirectory) else { return true }
        return now != recorded[n]
    }
}

/// A value handed to concurrently running closures that use it without racing (see the call site).
