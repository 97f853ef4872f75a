import CairnCore

/// What the journal says, folded over all segments: per unit key, its history; plus the
/// attempts still open and recent commit times.
public struct JournalState: Sendable {
    /// Per unit key.
    public var units: [Digest: UnitHistory] = [:]
    /// Attempts started and not ended, with the writer that started them.
    public var openAttempts: [Digest: OpenAttempt] = [:]
    /// Commit time (ms since the epoch) per committed key.
    public var commitTimes: [Digest: Int64] = [:]
    /// The outputs recorded by each key's commit.
    public var commitOutputs: [Digest: [OutputDigest]] = [:]
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

    /// An attempt that started and has no end record.
    public struct OpenAttempt: Sendable, Equatable {
        public var attempt: Int
        public var pid: Int32
        public var host: String
        public var bootID: String
        public var time: Int64
    }

    public init() {}

    /// Folds segments in order.
    public init(segments: [SegmentContents]) {
        for segment in segments {
            bytes += segment.size
            if let torn = segment.tornAt { tornTails.append((segment.path, torn)) }
            var writer = SegmentInfo(host: "", bootID: "", pid: 0, time: 0)
            for record in segment.records { apply(record, writer: &writer) }
        }
    }

    mutating func apply(_ record: JournalRecord, writer: inout SegmentInfo) {
        switch record {
        case .segmentOpened(let info):
            writer = info
            lastSessionEnded = false
        case .runStarted(let time, _):
            lastTime = max(lastTime, time)
        case .attemptStarted(let key, let attempt, let pid, let time):
            var h = units[key] ?? UnitHistory()
            h.attempts = max(h.attempts, attempt)
            if !h.committed { h.interrupted = true }
            units[key] = h
            openAttempts[key] = OpenAttempt(attempt: attempt, pid: pid, host: writer.host, bootID: writer.bootID, time: time)
            lastTime = max(lastTime, time)
        case .committed(let c):
            var h = units[c.key] ?? UnitHistory()
            if !h.committed { commitRecords += 1 }
            h.committed = true
            h.interrupted = false
            h.lastFailure = nil
            h.attempts = max(h.attempts, c.attempt)
            units[c.key] = h
            openAttempts[c.key] = nil
            commitTimes[c.key] = c.time
            commitOutputs[c.key] = c.outputs
            lastTime = max(lastTime, c.time)
        case .failed(let f):
            var h = units[f.key] ?? UnitHistory()
            if !h.committed {
                h.lastFailure = f.reason
                h.interrupted = false
            }
            units[f.key] = h
            openAttempts[f.key] = nil
            lastTime = max(lastTime, f.time)
        case .interrupted(let key, _, let time):
            var h = units[key] ?? UnitHistory()
            if !h.committed { h.interrupted = true }
            units[key] = h
            openAttempts[key] = nil
            lastTime = max(lastTime, time)
        case .runEnded(let time, _, _):
            lastSessionEnded = true
            lastTime = max(lastTime, time)
        }
    }
}
