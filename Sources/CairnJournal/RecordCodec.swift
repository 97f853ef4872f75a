import CairnCore

/// Binary encoding of ``JournalRecord``s.
///
/// A frame is `length: UInt32 LE`, `crc32(payload): UInt32 LE`, then `payload`: a type byte and
/// the fields, integers as LEB128 varints (signed ones zig-zag), strings as length + UTF-8,
/// digests as 32 raw bytes. A unit costs about 110 bytes (start + commit, no outputs).
///
/// Compatibility: a record kind keeps its type number and its fields, new fields go after the
/// old ones (readers ignore bytes after those they know), and a new kind gets a new type — at
/// 64 or above when readers that do not know it may skip it, below 64 when they must refuse
/// the run folder rather than misread it (``JournalError`` says a newer Cairn wrote it).
public enum RecordCodec {
    static let headerSize = 8
    /// The largest payload accepted on replay; anything larger is damage.
    static let maxPayload = 1 << 20

    /// Appends the framed record to `out`.
    public static func encode(_ record: JournalRecord, into out: inout [UInt8]) {
        var p: [UInt8] = []
        p.reserveCapacity(64)
        switch record {
        case .segmentOpened(let info) where info.job.isEmpty:
            p.append(1); put(info.host, &p); put(info.bootID, &p); put(Int64(info.pid), &p); put(info.time, &p)
        case .segmentOpened(let info):
            p.append(9); put(info, &p)
        case .runStarted(let time, let snapshot):
            p.append(2); put(time, &p); snapshot.append(to: &p)
        case .attemptStarted(let key, let attempt, let pid, let startTicks, let time):
            p.append(3); key.append(to: &p); put(Int64(attempt), &p); put(Int64(pid), &p); put(startTicks, &p); put(time, &p)
        case .committed(let c):
            // Type 13 is type 4 followed by the metrics (name, IEEE-754 bits); a commit without
            // metrics keeps the older, shorter form.
            p.append(c.metrics.isEmpty ? 4 : 13); c.key.append(to: &p); put(Int64(c.attempt), &p); put(Int64(c.exitCode), &p)
            put(c.durationMs, &p); put(c.time, &p); put(Int64(c.outputs.count), &p)
            for o in c.outputs { put(o.size, &p); o.digest.append(to: &p) }
            if !c.metrics.isEmpty {
                put(Int64(c.metrics.count), &p)
                for m in c.metrics { put(m.name, &p); put(Int64(bitPattern: m.value.bitPattern), &p) }
            }
        case .failed(let f):
            p.append(5); f.key.append(to: &p); put(Int64(f.attempt), &p); put(Int64(f.exitCode), &p)
            put(f.durationMs, &p); put(f.time, &p); put(f.reason, &p)
        case .interrupted(let key, let attempt, let time):
            p.append(6); key.append(to: &p); put(Int64(attempt), &p); put(time, &p)
        case .runEnded(let time, let committed, let failed):
            p.append(7); put(time, &p); put(Int64(committed), &p); put(Int64(failed), &p)
        case .invalidated(let key, let time):
            p.append(8); key.append(to: &p); put(time, &p)
        case .slurmSubmitting(let name, let keys, let time):
            p.append(10); put(name, &p); put(time, &p); put(Int64(keys.count), &p)
            for k in keys { k.append(to: &p) }
        case .slurmSubmitted(let name, let jobID, let time):
            p.append(11); put(name, &p); put(jobID, &p); put(time, &p)
        case .slurmEnded(let name, let state, let time):
            p.append(12); put(name, &p); put(state, &p); put(time, &p)
        case .imported(let info):
            p.append(15); put(info, &p)
        case .partial(let key, let step, let items, let total):
            p.append(16); key.append(to: &p); put(step, &p); put(Int64(items), &p); put(Int64(total), &p)
        case .command(let line):
            p.append(17); put(line, &p)
        case .usage(let key, let attempt, let u):
            p.append(18); key.append(to: &p); put(Int64(attempt), &p)
            for n in [u.userMs, u.systemMs, u.peakRSSKB, u.rchar, u.wchar, u.readBytes, u.writeBytes] { put(n, &p) }
        case .provenance(let v):
            p.append(19); put(v.version, &p); put(v.user, &p); put(v.gitCommit, &p); put(Int64(v.gitDirty ? 1 : 0), &p)
            put(v.diff, &p); put(v.message, &p)
        case .outcome(let text):
            p.append(20); put(text, &p)
        case .proposed(let batch, let trials, let time):
            p.append(14); put(Int64(batch), &p); put(time, &p); put(Int64(trials.count), &p)
            for t in trials { put(t, &p) }
        }
        let crc = p.withUnsafeBytes { CRC32.checksum($0) }
        let n = UInt32(p.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: n >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        out += p
    }

    /// The record types this Cairn knows.
    static let knownTypes: ClosedRange<UInt8> = 1...20
    /// Types from here on are informational: a reader that does not know one skips it. A newer
    /// Cairn gives a new kind of record a type below this only when folding it matters.
    static let firstSkippableType: UInt8 = 64

    /// Result of reading one frame at an offset.
    enum Frame {
        case record(JournalRecord, next: Int)
        /// An intact frame of an informational kind this Cairn does not know (a newer one wrote it).
        case skipped(next: Int)
        /// An intact frame of a kind this Cairn does not know and must not skip.
        case unknown(type: UInt8)
        /// Not enough bytes for the frame, or its checksum does not match.
        case invalid
    }

    /// Decodes the frame starting at `offset`.
    static func frame(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Frame {
        guard bytes.count - offset >= headerSize else { return .invalid }
        let n = Int(u32(bytes, offset))
        let crc = u32(bytes, offset + 4)
        let start = offset + headerSize
        guard n > 0, n <= maxPayload, bytes.count - start >= n else { return .invalid }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + n)])
        guard CRC32.checksum(payload) == crc else { return .invalid }
        let type = payload[0]
        guard knownTypes.contains(type) else { return type >= firstSkippableType ? .skipped(next: start + n) : .unknown(type: type) }
        // Fields are only ever appended to a record: bytes after the ones this Cairn reads were
        // written by a newer one, and are ignored.
        var reader = Reader(bytes: payload)
        guard let record = reader.record(), reader.offset <= n else { return .invalid }
        return .record(record, next: start + n)
    }

    static func u32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }

    /// Appends `v` as a zig-zag LEB128 varint.
    public static func put(_ v: Int64, _ out: inout [UInt8]) {
        var z = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while z >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: z) | 0x80)
            z >>= 7
        }
        out.append(UInt8(z))
    }

    /// A writer with its job (types 9 and 15).
    static func put(_ info: SegmentInfo, _ out: inout [UInt8]) {
        put(info.host, &out); put(info.bootID, &out); put(Int64(info.pid), &out); put(info.time, &out); put(info.job, &out)
    }

    /// Appends `s` as its UTF-8 length (a varint) and bytes.
    public static func put(_ s: String, _ out: inout [UInt8]) {
        let utf8 = Array(s.utf8)
        put(Int64(utf8.count), &out)
        out += utf8
    }

    /// Reads records, and the varints, strings and digests they are made of, from `bytes`.
    public struct Reader {
        let bytes: UnsafeRawBufferPointer
        /// Where the next read starts.
        public private(set) var offset = 0

        public init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func record() -> JournalRecord? {
            guard let type = byte() else { return nil }
            switch type {
            case 1:
                guard let host = string(), let boot = string(), let pid = int(), let time = int() else { return nil }
                return .segmentOpened(SegmentInfo(host: host, bootID: boot, pid: Int32(truncatingIfNeeded: pid), time: time))
            case 2:
                guard let time = int(), let d = digest() else { return nil }
                return .runStarted(time: time, snapshot: d)
            case 3:
                guard let k = digest(), let a = int(), let pid = int(), let s = int(), let t = int() else { return nil }
                return .attemptStarted(key: k, attempt: Int(a), pid: Int32(truncatingIfNeeded: pid), startTicks: s, time: t)
            case 4, 13:
                guard let k = digest(), let a = int(), let e = int(), let d = int(), let t = int(), let n = int(),
                    n >= 0, n < 100_000
                else { return nil }
                var outputs: [OutputDigest] = []
                for _ in 0..<n {
                    guard let size = int(), let digest = digest() else { return nil }
                    outputs.append(OutputDigest(size: size, digest: digest))
                }
                var metrics: [Metric] = []
                if type == 13 {
                    guard let m = int(), m > 0, m < 100_000 else { return nil }
                    for _ in 0..<m {
                        guard let name = string(), let bits = int() else { return nil }
                        metrics.append(Metric(name: name, value: Double(bitPattern: UInt64(bitPattern: bits))))
                    }
                }
                return .committed(UnitCommit(key: k, attempt: Int(a), exitCode: Int(e), durationMs: d, time: t, outputs: outputs, metrics: metrics))
            case 5:
                guard let k = digest(), let a = int(), let e = int(), let d = int(), let t = int(), let r = string() else { return nil }
                return .failed(UnitFailure(key: k, attempt: Int(a), exitCode: Int(e), durationMs: d, time: t, reason: r))
            case 6:
                guard let k = digest(), let a = int(), let t = int() else { return nil }
                return .interrupted(key: k, attempt: Int(a), time: t)
            case 7:
                guard let t = int(), let c = int(), let f = int() else { return nil }
                return .runEnded(time: t, committed: Int(c), failed: Int(f))
            case 8:
                guard let k = digest(), let t = int() else { return nil }
                return .invalidated(key: k, time: t)
            case 9:
                return segmentInfo().map { .segmentOpened($0) }
            case 10:
                guard let name = string(), let t = int(), let n = int(), n >= 0, n <= 30_000 else { return nil }
                var keys: [Digest] = []
                for _ in 0..<n {
                    guard let k = digest() else { return nil }
                    keys.append(k)
                }
                return .slurmSubmitting(name: name, keys: keys, time: t)
            case 11:
                guard let name = string(), let job = string(), let t = int() else { return nil }
                return .slurmSubmitted(name: name, jobID: job, time: t)
            case 12:
                guard let name = string(), let state = string(), let t = int() else { return nil }
                return .slurmEnded(name: name, state: state, time: t)
            case 14:
                guard let b = int(), let t = int(), let n = int(), n >= 0, n <= 100_000 else { return nil }
                var trials: [String] = []
                for _ in 0..<n {
                    guard let trial = string() else { return nil }
                    trials.append(trial)
                }
                return .proposed(batch: Int(b), trials: trials, time: t)
            case 15:
                return segmentInfo().map { .imported($0) }
            case 17:
                guard let line = string() else { return nil }
                return .command(line)
            case 19:
                guard let v = string(), let u = string(), let c = string(), let d = int(), let diff = string(), let m = string() else { return nil }
                return .provenance(SessionProvenance(version: v, user: u, gitCommit: c, gitDirty: d != 0, diff: diff, message: m))
            case 20:
                guard let text = string() else { return nil }
                return .outcome(text)
            case 18:
                guard let k = digest(), let a = int(), let user = int(), let sys = int(), let rss = int(), let rc = int(), let wc = int(),
                    let rb = int(), let wb = int()
                else { return nil }
                return .usage(key: k, attempt: Int(a), usage: ResourceUsage(userMs: user, systemMs: sys, peakRSSKB: rss, rchar: rc, wchar: wc, readBytes: rb, writeBytes: wb))
            case 16:
                guard let k = digest(), let step = string(), let items = int(), let total = int() else { return nil }
                return .partial(key: k, step: step, items: Int(items), total: Int(total))
            default:
                return nil
            }
        }

        /// A writer with its job, as `put(_ info:_:)` wrote it.
        mutating func segmentInfo() -> SegmentInfo? {
            guard let host = string(), let boot = string(), let pid = int(), let time = int(), let job = string() else { return nil }
            return SegmentInfo(host: host, bootID: boot, pid: Int32(truncatingIfNeeded: pid), time: time, job: job)
        }

        public mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        public mutating func int() -> Int64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while let b = byte() {
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1) }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }

        public mutating func string() -> String? {
            guard let n = int(), n >= 0, offset + Int(n) <= bytes.count else { return nil }
            defer { offset += Int(n) }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(n))]), as: UTF8.self)
        }

        public mutating func digest() -> Digest? {
            guard offset + 32 <= bytes.count else { return nil }
            defer { offset += 32 }
            return Digest(raw: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 32)]))
        }
    }
}
