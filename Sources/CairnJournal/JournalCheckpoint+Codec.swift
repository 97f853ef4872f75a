import CairnCore

/// The payload of a checkpoint: the coverage, then every field of ``JournalState`` that replay
/// builds, in a canonical order (units in the order the journal first named them, which is their
/// order in ``UnitTable`` and the same for every fold of the same journal; maps by key), so that
/// two states folded from the same records encode to equal bytes, and a state read back keeps the
/// order (units a run made one after another stay next to each other). Integers are varints and
/// strings length-prefixed, as in ``RecordCodec``.
extension JournalCheckpoint {
    /// Unit flags (one varint per unit).
    private enum Flag {
        static let committed = 1, interrupted = 2, forced = 4, remaking = 8
        static let failure = 16, commitTime = 32, duration = 64, open = 128, outputs = 256, metrics = 512
    }

    /// Writer-activity flags.
    private enum Has {
        static let started = 1, ended = 2, command = 4, provenance = 8, outcome = 16, imported = 32, merged = 64
    }

    /// The canonical bytes of `state` and `coverage`.
    static func encode(_ state: JournalState, coverage: [Coverage]) -> [UInt8] {
        var p: [UInt8] = []
        p.reserveCapacity(64 + state.units.count * 56)
        func int(_ v: Int64) { RecordCodec.put(v, &p) }
        func int(_ v: Int) { RecordCodec.put(Int64(v), &p) }
        func string(_ s: String) { RecordCodec.put(s, &p) }

        int(coverage.count)
        for c in coverage { string(c.name); int(c.offset); int(Int64(c.boundaryCRC)) }
        int(state.commitRecords); int(state.lastSessionEnded ? 1 : 0); int(state.lastTime)
        int(state.currentWriter); int(state.segmentWriter ?? -1)

        int(state.writers.count)
        for w in state.writers { RecordCodec.put(w, &p) }
        int(state.activity.count)
        for a in state.activity {
            var has = 0
            if a.started != nil { has |= Has.started }
            if a.ended != nil { has |= Has.ended }
            if a.command != nil { has |= Has.command }
            if a.provenance != nil { has |= Has.provenance }
            if a.outcome != nil { has |= Has.outcome }
            if a.imported { has |= Has.imported }
            if a.merged { has |= Has.merged }
            int(has)
            if let started = a.started { int(started) }
            if let ended = a.ended { int(ended) }
            int(a.endedCommitted); int(a.endedFailed); int(a.commits); int(a.failures); int(a.interruptions); int(a.attempts); int(a.lastTime)
            if let command = a.command { string(command) }
            if let v = a.provenance {
                string(v.version); string(v.user); string(v.gitCommit); int(v.gitDirty ? 1 : 0); string(v.diff); string(v.message)
            }
            if let outcome = a.outcome { string(outcome) }
        }

        int(state.units.count)
        for slot in 0..<state.units.count {
            let key = state.units[slot: slot].key, u = state.units[slot: slot].history
            let outputs = state.outputs(slot: slot), metrics = state.commitMetrics[key]
            var flags = 0
            if u.committed { flags |= Flag.committed }
            if u.interrupted { flags |= Flag.interrupted }
            if u.forced { flags |= Flag.forced }
            if u.remaking { flags |= Flag.remaking }
            if u.lastFailure != nil { flags |= Flag.failure }
            if u.commitTime != nil { flags |= Flag.commitTime }
            if u.durationMs != nil { flags |= Flag.duration }
            if u.open != nil { flags |= Flag.open }
            if outputs != nil { flags |= Flag.outputs }
            if metrics != nil { flags |= Flag.metrics }
            key.append(to: &p)
            int(flags); int(u.attempts); int(u.interruptions); int(Int64(u.commitWriter)); int(Int64(u.failureWriter))
            if let failure = u.lastFailure { string(failure) }
            if let time = u.commitTime { int(time) }
            if let duration = u.durationMs { int(duration) }
            if let o = u.open { int(o.attempt); int(Int64(o.pid)); int(o.startTicks); int(o.writer); int(o.time) }
            if let outputs {
                int(outputs.count)
                for o in outputs { int(o.size); o.digest.append(to: &p) }
            }
            if let metrics {
                int(metrics.count)
                for m in metrics { string(m.name); int(Int64(bitPattern: m.value.bitPattern)) }
            }
        }
        // Keys of outputs and metrics whose unit has no history cannot occur (a commit creates it).

        int(state.submissions.count)
        for name in state.submissions.keys.sorted() {
            let s = state.submissions[name]!
            string(s.name); string(s.jobID ?? ""); int(s.jobID == nil ? 0 : 1); string(s.endState ?? ""); int(s.endState == nil ? 0 : 1)
            int(s.keys.count)
            for k in s.keys { k.append(to: &p) }
        }
        int(state.submissionOrder.count)
        for name in state.submissionOrder { string(name) }
        int(state.proposals.count)
        for batch in state.proposals.keys.sorted() {
            let trials = state.proposals[batch]!
            int(batch); int(trials.count)
            for t in trials { string(t) }
        }
        int(state.importedWriters.count)
        for w in state.importedWriters.sorted() { string(w) }
        int(state.partialAggregates.count)
        for step in state.partialAggregates.keys.sorted() {
            let a = state.partialAggregates[step]!
            string(step); a.key.append(to: &p); int(a.items); int(a.total)
        }
        return p
    }

    /// The state and coverage `encode` wrote; nil when the bytes do not decode exactly.
    static func decode(_ payload: UnsafeRawBufferPointer, reserve: Int = 0) -> (state: JournalState, coverage: [Coverage])? {
        var r = RecordCodec.Reader(bytes: payload)
        func count(_ limit: Int) -> Int? {
            guard let n = r.int(), n >= 0, n <= limit else { return nil }
            return Int(n)
        }
        let most = payload.count  // no count can exceed the bytes left
        /// A count, then that many elements read by `element`; nil when any fails.
        func list<T>(_ limit: Int, _ element: () -> T?) -> [T]? {
            guard let n = count(limit) else { return nil }
            var out: [T] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                guard let e = element() else { return nil }
                out.append(e)
            }
            return out
        }
        var state = JournalState()
        let coverage = list(most) { () -> Coverage? in
            guard let name = r.string(), let offset = r.int(), let crc = r.int() else { return nil }
            return Coverage(name: name, offset: Int(offset), boundaryCRC: UInt32(truncatingIfNeeded: crc))
        }
        guard let coverage else { return nil }
        guard let commits = r.int(), let ended = r.int(), let lastTime = r.int(), let current = r.int(), let segment = r.int() else { return nil }
        state.commitRecords = Int(commits)
        state.lastSessionEnded = ended != 0
        state.lastTime = lastTime
        state.currentWriter = Int(current)
        state.segmentWriter = segment < 0 ? nil : Int(segment)

        guard let writers = list(most, { r.segmentInfo() }), let activity = list(most, { decodeActivity(&r) }) else { return nil }
        state.writers = writers
        state.activity = activity
        guard state.activity.count == state.writers.count, state.currentWriter < state.writers.count else { return nil }

        guard let unitCount = count(most / 33) else { return nil }
        state.units.reserveCapacity(max(unitCount, reserve))
        for decoded in 0..<unitCount {
            guard decodeUnit(&r, into: &state, remaining: unitCount - decoded) else { return nil }
        }

        let submissions = list(most) { () -> SlurmSubmission? in
            guard let name = r.string(), let job = r.string(), let hasJob = r.int(), let end = r.string(), let hasEnd = r.int(),
                let keys = list(most / 32, { r.digest() })
            else { return nil }
            return SlurmSubmission(name: name, keys: keys, jobID: hasJob != 0 ? job : nil, endState: hasEnd != 0 ? end : nil)
        }
        guard let submissions, let order = list(most, { r.string() }) else { return nil }
        for s in submissions { state.submissions[s.name] = s }
        state.submissionOrder = order
        let batches = list(most) { () -> (Int64, [String])? in
            guard let batch = r.int(), let trials = list(most, { r.string() }) else { return nil }
            return (batch, trials)
        }
        guard let batches, let imported = list(most, { r.string() }) else { return nil }
        for (batch, trials) in batches { state.proposals[Int(batch)] = trials }
        state.importedWriters = Set(imported)
        let partials = list(most) { () -> (String, PartialAggregate)? in
            guard let step = r.string(), let key = r.digest(), let items = r.int(), let total = r.int() else { return nil }
            return (step, PartialAggregate(key: key, items: Int(items), total: Int(total)))
        }
        guard let partials else { return nil }
        for (step, partial) in partials { state.partialAggregates[step] = partial }
        guard r.offset == payload.count else { return nil }
        return (state, coverage)
    }

    private static func decodeActivity(_ r: inout RecordCodec.Reader) -> WriterActivity? {
        guard let has = r.int() else { return nil }
        var a = WriterActivity(imported: has & Int64(Has.imported) != 0)
        a.merged = has & Int64(Has.merged) != 0
        if has & Int64(Has.started) != 0 { guard let v = r.int() else { return nil }; a.started = v }
        if has & Int64(Has.ended) != 0 { guard let v = r.int() else { return nil }; a.ended = v }
        guard let ec = r.int(), let ef = r.int(), let c = r.int(), let f = r.int(), let i = r.int(), let at = r.int(), let lt = r.int() else { return nil }
        a.endedCommitted = Int(ec); a.endedFailed = Int(ef); a.commits = Int(c); a.failures = Int(f)
        a.interruptions = Int(i); a.attempts = Int(at); a.lastTime = lt
        if has & Int64(Has.command) != 0 { guard let v = r.string() else { return nil }; a.command = v }
        if has & Int64(Has.provenance) != 0 {
            guard let v = r.string(), let u = r.string(), let c = r.string(), let d = r.int(), let diff = r.string(), let m = r.string() else { return nil }
            a.provenance = SessionProvenance(version: v, user: u, gitCommit: c, gitDirty: d != 0, diff: diff, message: m)
        }
        if has & Int64(Has.outcome) != 0 { guard let v = r.string() else { return nil }; a.outcome = v }
        return a
    }

    /// Decodes one unit; `remaining` (this one included) sizes the outputs and metrics tables
    /// when the first unit with some arrives, so that a million entries are not rehashed.
    private static func decodeUnit(_ r: inout RecordCodec.Reader, into state: inout JournalState, remaining: Int) -> Bool {
        guard let key = r.digest(), let f = r.int(), let attempts = r.int(), let interruptions = r.int(),
            let commitWriter = r.int(), let failureWriter = r.int()
        else { return false }
        let flags = Int(f)
        var u = UnitHistory(committed: flags & Flag.committed != 0, attempts: Int(attempts), interrupted: flags & Flag.interrupted != 0)
        u.forced = flags & Flag.forced != 0
        u.remaking = flags & Flag.remaking != 0
        u.interruptions = Int(interruptions)
        u.commitWriter = Int32(truncatingIfNeeded: commitWriter)
        u.failureWriter = Int32(truncatingIfNeeded: failureWriter)
        if flags & Flag.failure != 0 { guard let v = r.string() else { return false }; u.lastFailure = v }
        if flags & Flag.commitTime != 0 { guard let v = r.int() else { return false }; u.commitTime = v }
        if flags & Flag.duration != 0 { guard let v = r.int() else { return false }; u.durationMs = v }
        if flags & Flag.open != 0 {
            guard let a = r.int(), let pid = r.int(), let ticks = r.int(), let writer = r.int(), let time = r.int(),
                writer >= 0, writer < state.writers.count
            else { return false }
            u.open = UnitHistory.OpenAttempt(attempt: Int(a), pid: Int32(truncatingIfNeeded: pid), startTicks: ticks, writer: Int(writer), time: time)
        }
        var outputs: [OutputDigest] = []
        if flags & Flag.outputs != 0 {
            guard let n = r.int(), n >= 0, n < 100_000 else { return false }
            outputs.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let size = r.int(), let digest = r.digest() else { return false }
                outputs.append(OutputDigest(size: size, digest: digest))
            }
            if state.commitOutputs.count == 0 { state.commitOutputs.reserveCapacity(units: state.units.count + remaining, outputs: remaining * outputs.count) }
        }
        if flags & Flag.metrics != 0 {
            guard let n = r.int(), n >= 0, n < 100_000 else { return false }
            var metrics: [Metric] = []
            for _ in 0..<n {
                guard let name = r.string(), let bits = r.int() else { return false }
                metrics.append(Metric(name: name, value: Double(bitPattern: UInt64(bitPattern: bits))))
            }
            if state.commitMetrics.isEmpty { state.commitMetrics.reserveCapacity(remaining) }
            state.commitMetrics[key] = metrics
        }
        let before = state.units.count
        let slot = state.units.slot(insertingIfMissing: key, u)
        guard state.units.count > before else { return false }  // each key once
        if !outputs.isEmpty { state.commitOutputs.set(slot: slot, outputs) }
        return true
    }
}
