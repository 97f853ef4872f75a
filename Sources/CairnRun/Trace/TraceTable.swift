import CairnCore
import Foundation

/// The columns and text formats of `cairn trace`. Names follow Nextflow's trace fields where
/// they mean the same (`hash`, `name`, `status`, `exit`, `start`, `complete`, `realtime`,
/// `%cpu`, `peak_rss`, `rchar`, `wchar`, `read_bytes`, `write_bytes`, `native_id`).
public struct TraceTable: Sendable {
    /// A column.
    public enum Field: String, CaseIterable, Sendable {
        case name, hash, step, item, attempt, session, host, status, exit, signal, submit, start, complete
        case realtime, cpuUser = "cpu_user", cpuSys = "cpu_sys", cpuPercent = "%cpu", peakRSS = "peak_rss"
        case rchar, wchar, readBytes = "read_bytes", writeBytes = "write_bytes", nativeID = "native_id", log, reason
    }

    /// A text format.
    public enum Format: String, CaseIterable, Sendable {
        /// Tab-separated, a header line first.
        case tsv
        /// RFC 4180 comma-separated, a header line first.
        case csv
        /// One JSON object per line (JSON Lines), values typed, null when unknown.
        case json
    }

    public let fields: [Field]
    public let format: Format

    /// Parses `--fields a,b,c`; nil means every field.
    public init(fields text: String?, format: Format) throws(RunError) {
        self.format = format
        guard let text else {
            fields = Field.allCases
            return
        }
        var out: [Field] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let f = Field(rawValue: name) else {
                throw RunError.usage("--fields: no field '\(name)'; choose from \(Field.allCases.map(\.rawValue).joined(separator: ","))")
            }
            out.append(f)
        }
        guard !out.isEmpty else { throw RunError.usage("--fields is empty; name at least one field, e.g. --fields name,status,realtime") }
        fields = out
    }

    /// The header line (none for JSON Lines).
    public var header: String? {
        switch format {
        case .tsv: fields.map(\.rawValue).joined(separator: "\t")
        case .csv: fields.map { Self.csv($0.rawValue) }.joined(separator: ",")
        case .json: nil
        }
    }

    /// One row as a line (no newline).
    public func line(_ row: TraceRow) -> String {
        switch format {
        case .tsv:
            return fields.map { text(of: $0, row).map(Self.tsv) ?? "-" }.joined(separator: "\t")
        case .csv:
            return fields.map { text(of: $0, row).map(Self.csv) ?? "" }.joined(separator: ",")
        case .json:
            var members: [String: CanonicalJSON] = [:]
            for f in fields { members[f.rawValue] = json(of: f, row) }
            return CanonicalJSON.object(members).text
        }
    }

    func json(of field: Field, _ row: TraceRow) -> CanonicalJSON {
        switch field {
        case .attempt: .int(row.attempt)
        case .session: .int(row.session)
        case .exit: row.exit.map { .int($0) } ?? .null
        case .signal: row.signal.map { .int($0) } ?? .null
        case .submit: row.submit.map { .string(Self.time($0)) } ?? .null
        case .start: row.start.map { .string(Self.time($0)) } ?? .null
        case .complete: row.complete.map { .string(Self.time($0)) } ?? .null
        case .realtime: row.realtimeMs.map { .int(Int($0)) } ?? .null
        case .cpuUser: row.usage.map { .int(Int($0.userMs)) } ?? .null
        case .cpuSys: row.usage.map { .int(Int($0.systemMs)) } ?? .null
        case .cpuPercent: row.cpuPercent.map { .double(($0 * 10).rounded() / 10) } ?? .null
        case .peakRSS: row.usage.map { .int(Int($0.peakRSSKB) * 1024) } ?? .null
        case .rchar: Self.known(row.usage?.rchar)
        case .wchar: Self.known(row.usage?.wchar)
        case .readBytes: Self.known(row.usage?.readBytes)
        case .writeBytes: Self.known(row.usage?.writeBytes)
        default: text(of: field, row).map { .string($0) } ?? .null
        }
    }

    /// A field as text; nil when unknown.
    func text(of field: Field, _ row: TraceRow) -> String? {
        switch field {
        case .name: row.name
        case .hash: String(row.key.hex.prefix(12))
        case .step: row.step.isEmpty ? nil : row.step
        case .item: row.item.isEmpty ? nil : row.item
        case .host: row.host.isEmpty ? nil : row.host
        case .status: row.status.rawValue
        case .nativeID: row.slurmJob.isEmpty ? nil : row.slurmJob
        case .log: row.log.isEmpty ? nil : row.log
        case .reason: row.reason.isEmpty ? nil : row.reason
        case .cpuPercent: row.cpuPercent.map(Self.oneDecimal)
        case .attempt: String(row.attempt)
        case .session: String(row.session)
        case .exit: row.exit.map(String.init)
        case .signal: row.signal.map(String.init)
        case .submit: row.submit.map(Self.time)
        case .start: row.start.map(Self.time)
        case .complete: row.complete.map(Self.time)
        case .realtime: row.realtimeMs.map(String.init)
        default:
            switch json(of: field, row) {
            case .int(let n): String(n)
            case .string(let s): s
            default: nil
            }
        }
    }

    static func known(_ n: Int64?) -> CanonicalJSON {
        guard let n, n >= 0 else { return .null }
        return .int(Int(n))
    }

    /// ISO 8601 in UTC with milliseconds (written by hand: `String(format:)` was most of
    /// the time of a trace of a million attempts).
    static func time(_ ms: Int64) -> String {
        var t = time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        let milli = Int((ms % 1000 + 1000) % 1000)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ n: Int, _ width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var v = n
            for i in stride(from: width - 1, through: 0, by: -1) { digits[i] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
            out += digits
        }
        put(Int(parts.tm_year) + 1900, 4); out.append(UInt8(ascii: "-")); put(Int(parts.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        put(Int(parts.tm_mday), 2); out.append(UInt8(ascii: "T")); put(Int(parts.tm_hour), 2); out.append(UInt8(ascii: ":"))
        put(Int(parts.tm_min), 2); out.append(UInt8(ascii: ":")); put(Int(parts.tm_sec), 2); out.append(UInt8(ascii: "."))
        put(milli, 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// One decimal, without `String(format:)`.
    static func oneDecimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    static func tsv(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 }) else { return s }
        return String(s.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    static func csv(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
