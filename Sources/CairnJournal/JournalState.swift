import CairnCore

#if canImport(Glibc)
import Glibc
#endif

/// What the journal says, folded over all segments: per unit key, its history (one table entry
/// per unit, updated in place per record), the writers, and recent activity.
public struct JournalState: Sendable {
    /// Per unit key.
    public internal(set) var units = UnitTable()
    /// The writers, one per segment and one per writer a merge imported, in replay order
    /// (``UnitHistory/OpenAttempt/writer`` and ``UnitHistory/commitWriter`` index it).
    public var writers: [SegmentInfo] = []
    /// What each writer did, by the same index.
    public var activity: [WriterActivity] = []
    /// The outputs recorded by each key's commit, by slot in `units` (see ``outputs(of:)``).
    var commitOutputs = CommitOutputs()
    /// The metrics recorded by each key's last commit (only keys with metrics).
    public var commitMetrics: [Digest: [Metric]] = [:]
    /// Torn tails found: segment path and offset.
    public var tornTails: [(path: String, offset: Int)] = []
    /// Total journal bytes.
    public var bytes = 0
    /// Number of commit records.
    public var commitRecords = 0
    /// Whether the last session ended with a `runEnded` record.
    public var lastSessionEnded = false
    /// Time of the last record (ms since the epoch).
    public var lastTime: Int64 = 0
    /// SLURM submissions by job name, and their names in journal order.
    public var submissions: [String: SlurmSubmission] = [:]
    public var submissionOrder: [String] = []
    /// An optimizer's proposals by batch number (the first record of each batch).
    public var proposals: [Int: [String]] = [:]
    /// Writers of other copies of the run whose records `cairn merge` carried over, by
    /// ``SegmentInfo/identity`` (a merge imports each writer's sessions once).
    public var importedWriters: Set<String> = []
    /// Partial aggregates (`--aggregate-only`) by step name: the latest one journaled.
    public var partialAggregates: [String: PartialAggregate] = [:]
    /// How far this state covers each segment of the folder it was read from (empty when it was
    /// not read from a folder); what ``JournalCheckpoint/write(_:directory:)`` records.
    public internal(set) var coverage: [JournalCheckpoint.Coverage] = []
    /// Journal bytes read from the segments to build this state: all of them after a full
    /// replay, only those after the checkpoint when one was used.
    public internal(set) var replayedBytes = 0
    /// The segments this state was read from, in replay order, and their sizes as read.
    var readNames: [String] = []
    var readSizes: [Int] = []
    /// The writer records are attributed to now (the segment's own, or an imported one).
    var currentWriter = -1
    /// The writer of the segment being folded.
    var segmentWriter: Int?

    /// Every proposed trial, batch by batch (stopping at the first missing batch number).
    public var proposedTrials: [String] {
        var out: [String] = []
        var batch = 0
        while let trials = proposals[batch] {
            out += trials
            batch += 1
        }
        return out
    }

    public init() {}

    /// The outputs the commit of `key` recorded; nil when it recorded none (or never committed).
    public func outputs(of key: Digest) -> OutputList? {
        units.slot(of: key).flatMap { commitOutputs.outputs(slot: $0) }
    }

    /// The outputs the commit of the unit in `slot` of ``units`` recorded (see ``outputs(of:)``).
    public func outputs(slot: Int) -> OutputList? { commitOutputs.outputs(slot: slot) }

    /// Folds segments in order.
    public init(segments: [SegmentContents]) {
        for segment in segments {
            bytes += segment.size
            if let torn = segment.tornAt { tornTails.append((segment.path, torn)) }
            writers.append(SegmentInfo(host: "", bootID: "", pid: 0, time: 0))
            activity.append(WriterActivity())
            segmentWriter = writers.count - 1
            currentWriter = writers.count - 1
            for record in segment.records { apply(record) }
        }
    }

    /// Attempts started and not ended, with the writer that started them.
    public var openAttempts: [Digest: (attempt: UnitHistory.OpenAttempt, writer: SegmentInfo)] {
        var out: [Digest: (attempt: UnitHistory.OpenAttempt, writer: SegmentInfo)] = [:]
        for (key, history) in units {
            if let open = history.open { out[key] = (open, writers[open.writer]) }
        }
        return out
    }

    mutating func apply(_ record: JournalRecord) {
        switch record {
        case .segmentOpened(let info):
            writers[writers.count - 1] = info
            currentWriter = writers.count - 1
            lastSessionEnded = false
        case .imported(let info):
            if let own = segmentWriter { activity[own].merged = true }
            if let own = segmentWriter, writers[own] == info {
                currentWriter = own
            } else if let known = writers.lastIndex(of: info) {
                currentWriter = known  // imported again (a later merge of a source that went on)
            } else {
                writers.append(info)
                activity.append(WriterActivity(imported: true))
                currentWriter = writers.count - 1
                importedWriters.insert(info.identity)
            }
        case .runStarted(let time, _):
            activity[currentWriter].started = time
            lastTime = max(lastTime, time)
        case .attemptStarted(let key, let attempt, let pid, let startTicks, let time):
            let writer = currentWriter
            units[key, default: UnitHistory()].started(attempt: attempt, pid: pid, startTicks: startTicks, writer: writer, time: time)
            activity[writer].attempts += 1
            activity[writer].lastTime = max(activity[writer].lastTime, time)
            lastTime = max(lastTime, time)
        case .committed(let c):
            let slot = units.slot(insertingIfMissing: c.key)
            let wasCommitted = units[historyAt: slot].committed
            units[historyAt: slot].commit(attempt: c.attempt, time: c.time)
            units[historyAt: slot].durationMs = c.durationMs
            units[historyAt: slot].commitWriter = Int32(currentWriter)
            if !wasCommitted { commitRecords += 1 }
            activity[currentWriter].commits += 1
            activity[currentWriter].lastTime = max(activity[currentWriter].lastTime, c.time)
            if !c.outputs.isEmpty { commitOutputs.set(slot: slot, c.outputs) }
            if !c.metrics.isEmpty { commitMetrics[c.key] = c.metrics } else if commitMetrics[c.key] != nil { commitMetrics[c.key] = nil }
            lastTime = max(lastTime, c.time)
        case .failed(let f):
            let slot = units.slot(insertingIfMissing: f.key)
            units[historyAt: slot].fail(reason: f.reason)
            if units[historyAt: slot].lastFailure != nil { units[historyAt: slot].failureWriter = Int32(currentWriter) }
            activity[currentWriter].failures += 1
            activity[currentWriter].lastTime = max(activity[currentWriter].lastTime, f.time)
            lastTime = max(lastTime, f.time)
        case .interrupted(let key, _, let time):
            units[key, default: UnitHistory()].interrupt()
            activity[currentWriter].interruptions += 1
            lastTime = max(lastTime, time)
        case .runEnded(let time, let committed, let failed):
            activity[currentWriter].ended = time
            activity[currentWriter].endedCommitted = committed
            activity[currentWriter].endedFailed = failed
            activity[currentWriter].lastTime = max(activity[currentWriter].lastTime, time)
            lastSessionEnded = true
            lastTime = max(lastTime, time)
        case .invalidated(let key, let time):
            units[key, default: UnitHistory()].invalidate()
            lastTime = max(lastTime, time)
        case .slurmSubmitting(let name, let keys, let time):
            submissions[name] = SlurmSubmission(name: name, keys: keys, jobID: nil, endState: nil)
            submissionOrder.append(name)
            lastTime = max(lastTime, time)
        case .slurmSubmitted(let name, let jobID, let time):
            submissions[name]?.jobID = jobID
            lastTime = max(lastTime, time)
        case .slurmEnded(let name, let state, let time):
            submissions[name]?.endState = state
            lastTime = max(lastTime, time)
        case .command(let line):
            activity[currentWriter].command = line
        case .provenance(let p):
            activity[currentWriter].provenance = p
        case .outcome(let text):
            activity[currentWriter].outcome = text
        case .usage:
            break  // read by `cairn trace`, not needed to decide what runs
        case .partial(let key, let step, let items, let total):
            partialAggregates[step] = PartialAggregate(key: key, items: items, total: total)
        case .proposed(let batch, let trials, let time):
            if proposals[batch] == nil { proposals[batch] = trials }
            lastTime = max(lastTime, time)
        }
    }
}

extension SegmentInfo {
    /// Who wrote a segment, as one string: host, boot, pid and opening time.
    public var identity: String { "\(host)\u{1}\(bootID)\u{1}\(pid)\u{1}\(time)\u{1}\(job)" }
}

/// An aggregate committed over part of the items (`cairn run --aggregate-only`).
public struct PartialAggregate: Sendable, Equatable {
    /// The key of that partial unit (it covers exactly the items it saw).
    public var key: Digest
    public var items: Int
    public var total: Int

    public init(key: Digest, items: Int, total: Int) {
        self.key = key
        self.items = items
        self.total = total
    }
}

/// A SLURM job the controller submitted: its units, its id once known, its end once seen.
public struct SlurmSubmission: Sendable, Equatable {
    public var name: String
    public var keys: [Digest]
    public var jobID: String?
    public var endState: String?

    /// Submitted and not yet seen to end.
    public var active: Bool { endState == nil }

    public init(name: String, keys: [Digest], jobID: String? = nil, endState: String? = nil) {
        self.name = name
        self.keys = keys
        self.jobID = jobID
        self.endState = endState
    }
}

extension UnitHistory {
    mutating func started(attempt: Int, pid: Int32, startTicks: Int64, writer: Int, time: Int64) {
        attempts = max(attempts, attempt)
        if !committed { interrupted = true } else { remaking = true }
        open = OpenAttempt(attempt: attempt, pid: pid, startTicks: startTicks, writer: writer, time: time)
    }

    mutating func commit(attempt: Int, time: Int64) {
        committed = true
        forced = false
        interrupted = false
        lastFailure = nil
        failureWriter = -1
        attempts = max(attempts, attempt)
        commitTime = time
        open = nil
        remaking = false
    }

    mutating func fail(reason: String) {
        if !committed {
            lastFailure = reason
            interrupted = false
        }
        open = nil
    }

    mutating func invalidate() {
        if committed { commitTime = nil }
        commitWriter = -1
        committed = false
        forced = true
    }

    mutating func interrupt() {
        if !committed { interrupted = true }
        interruptions += 1
        open = nil
    }
}
