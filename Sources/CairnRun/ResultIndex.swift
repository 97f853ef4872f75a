import CairnCore
import CairnJournal
import Foundation

/// What a run folder has committed, by unit key: each unit's output paths, their digests and
/// its metrics — the part of a run the other runs of its workspace look up (``ResultCache``:
/// results to reuse, output paths other pipeline files own). Reading it replaces planning that
/// run and replaying its journal.
///
/// The file, `results.index` in the run folder, is a cache like the state checkpoint, never a
/// source of truth: a writing session rewrites it after its journal is closed, naming the
/// snapshot it was planned from (a digest of `snapshot.json`) and the journal it folded (every
/// segment, to its end). A reader uses it only when both are exactly what the folder holds
/// now; after a killed session, a restart that rewrote the snapshot, a merge, or a damaged
/// file, readers plan and replay as before.
///
/// Layout: a ``FramedFile`` `CAIRNIDX` whose payload is the snapshot digest, the journal
/// coverage, the steps (name and output names) and the entries in plan order.
struct ResultIndex: Equatable {
    /// A step of the plan: its name and its outputs' names, in declaration order.
    struct Step: Equatable {
        var name: String
        var outputs: [String]
    }

    /// A committed unit with outputs.
    struct Entry: Equatable {
        var key: Digest
        /// Index into ``steps``.
        var step: Int
        /// As planned: relative to the run's root unless absolute.
        var outputs: [String]
        var digests: [OutputDigest]
        var metrics: [Metric]
    }

    static let fileName = "results.index"
    static let formatVersion: UInt32 = 1
    static let framing = FramedFile(magic: "CAIRNIDX", version: formatVersion)

    var snapshot: Digest
    var coverage: [JournalCheckpoint.Coverage]
    var steps: [Step]
    var entries: [Entry]

    /// The committed units of `plan` with outputs, as `state` (folded from the whole journal
    /// now) says, in plan order.
    static func entries(of plan: Plan, state: JournalState, _ body: (Entry) -> Void) {
        for unit in plan.units where !unit.outputs.isEmpty {
            guard let slot = state.units.slot(of: unit.key), state.units[historyAt: slot].committed, let digests = state.outputs(slot: slot), digests.count == unit.outputs.count else { continue }
            body(Entry(key: unit.key, step: unit.step, outputs: Array(unit.outputs), digests: Array(digests), metrics: state.commitMetrics[unit.key] ?? []))
        }
    }

    /// The steps of `plan`, as the index names them.
    static func steps(of plan: Plan) -> [Step] {
        plan.pipeline.steps.map { Step(name: $0.name, outputs: $0.outputs.map(\.name)) }
    }

    init(snapshot: Digest, coverage: [JournalCheckpoint.Coverage], steps: [Step], entries: [Entry]) {
        self.snapshot = snapshot
        self.coverage = coverage
        self.steps = steps
        self.entries = entries
    }

    static func path(in folder: RunFolder) -> String { "\(folder.path)/\(fileName)" }

    /// The digest a snapshot file's bytes are named by.
    static func digest(ofSnapshot data: Data) -> Digest {
        Digest(ofBytes: [UInt8](data))
    }

    /// Writes the index of `folder` after a session: `plan` is the session's, `state` the
    /// journal folded to its end. Skipped (and any old index removed) when the state does not
    /// cover the whole journal; a failure only costs the next reader time.
    static func write(plan: Plan, state: JournalState, in folder: RunFolder) {
        let path = path(in: folder)
        guard !state.coverage.isEmpty, let data = FileManager.default.contents(atPath: folder.snapshot) else {
            unlink(path)
            return
        }
        var count = 0
        entries(of: plan, state: state) { _ in count += 1 }
        let bytes = file(snapshot: digest(ofSnapshot: data), coverage: state.coverage, steps: steps(of: plan), count: count) { add in
            entries(of: plan, state: state, add)
        }
        // Only the lock holder writes it: a temporary file left here is a killed session's.
        for name in RawPath.entries(of: folder.path) ?? [] where name.hasPrefix(".\(fileName).") && name.hasSuffix(".tmp") {
            unlink("\(folder.path)/\(name)")
        }
        do { try FramedFile.write(bytes, to: path, temporary: "\(folder.path)/.\(fileName).\(getpid()).tmp", what: "result index") } catch {
            unlink(path)
        }
    }

    /// The index of `folder` when it describes `snapshotData` (the bytes of its `snapshot.json`)
    /// and the whole journal as it is now; nil otherwise.
    static func load(_ folder: RunFolder, snapshotData: Data) -> ResultIndex? {
        guard let bytes = FileManager.default.contents(atPath: path(in: folder)) else { return nil }
        let decoded = bytes.withUnsafeBytes { raw in framing.payload(of: raw).flatMap(decode) }
        guard let index = decoded, index.snapshot == digest(ofSnapshot: snapshotData),
            JournalCheckpoint.coversWhole(index.coverage, directory: folder.journal)
        else { return nil }
        return index
    }

    /// The framed file of an index whose `count` entries `each` hands over one by one (so that
    /// a million of them are never held as values at once).
    static func file(snapshot: Digest, coverage: [JournalCheckpoint.Coverage], steps: [Step], count: Int,
                     entries each: ((Entry) -> Void) -> Void) -> [UInt8] {
        var p = framing.start(reserving: 64 + count * 96)
        func int(_ v: Int) { RecordCodec.put(Int64(v), &p) }
        func string(_ s: String) { RecordCodec.put(s, &p) }
        snapshot.append(to: &p)
        int(coverage.count)
        for c in coverage { string(c.name); int(c.offset); int(Int(c.boundaryCRC)) }
        int(steps.count)
        for s in steps {
            string(s.name)
            int(s.outputs.count)
            for o in s.outputs { string(o) }
        }
        int(count)
        var written = 0
        each { e in
            written += 1
            e.key.append(to: &p)
            int(e.step)
            int(e.outputs.count)
            for (path, digest) in zip(e.outputs, e.digests) {
                string(path)
                RecordCodec.put(digest.size, &p)
                digest.digest.append(to: &p)
            }
            int(e.metrics.count)
            for m in e.metrics {
                string(m.name)
                RecordCodec.put(Int64(bitPattern: m.value.bitPattern), &p)
            }
        }
        precondition(written == count, "the index's entries changed while it was written")
        framing.finish(&p)
        return p
    }

    /// The index a payload holds; nil when it is malformed.
    static func decode(_ payload: UnsafeRawBufferPointer) -> ResultIndex? {
        var r = RecordCodec.Reader(bytes: payload)
        let most = payload.count  // no count can exceed the bytes left
        func count() -> Int? {
            guard let n = r.int(), n >= 0, n <= most else { return nil }
            return Int(n)
        }
        guard let snapshot = r.digest(), let coverageCount = count() else { return nil }
        var coverage: [JournalCheckpoint.Coverage] = []
        for _ in 0..<coverageCount {
            guard let name = r.string(), let offset = r.int(), let crc = r.int() else { return nil }
            coverage.append(JournalCheckpoint.Coverage(name: name, offset: Int(offset), boundaryCRC: UInt32(truncatingIfNeeded: crc)))
        }
        guard let stepCount = count() else { return nil }
        var steps: [Step] = []
        for _ in 0..<stepCount {
            guard let name = r.string(), let n = count() else { return nil }
            var outputs: [String] = []
            for _ in 0..<n {
                guard let o = r.string() else { return nil }
                outputs.append(o)
            }
            steps.append(Step(name: name, outputs: outputs))
        }
        guard let entryCount = count() else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(entryCount)
        for _ in 0..<entryCount {
            guard let key = r.digest(), let step = count(), step < steps.count, let n = count(), n == steps[step].outputs.count else { return nil }
            var outputs: [String] = [], digests: [OutputDigest] = []
            outputs.reserveCapacity(n)
            digests.reserveCapacity(n)
            for _ in 0..<n {
                guard let path = r.string(), let size = r.int(), let digest = r.digest() else { return nil }
                outputs.append(path)
                digests.append(OutputDigest(size: size, digest: digest))
            }
            guard let m = count() else { return nil }
            var metrics: [Metric] = []
            for _ in 0..<m {
                guard let name = r.string(), let bits = r.int() else { return nil }
                metrics.append(Metric(name: name, value: Double(bitPattern: UInt64(bitPattern: bits))))
            }
            entries.append(Entry(key: key, step: step, outputs: outputs, digests: digests, metrics: metrics))
        }
        guard r.offset == payload.count else { return nil }
        return ResultIndex(snapshot: snapshot, coverage: coverage, steps: steps, entries: entries)
    }
}
