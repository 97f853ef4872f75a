import CairnCore
import Foundation

/// The trial table as text, CSV or JSON (`cairn trials`, `cairn plan --trials`).
struct TrialsPrinter {
    let rows: [TrialRow]
    /// Axis columns, in order (the union over rows: orphans may come from other axes).
    let axes: [String]
    /// Param columns (`plan --trials`): the same value in every row.
    var params: [PipelineSpec.Param] = []
    /// Whether to show status, time and metrics (`trials`), or only the values (`plan --trials`).
    var results = true
    let metricNames: [String]

    init(rows: [TrialRow], params: [PipelineSpec.Param] = [], results: Bool = true) {
        self.rows = rows
        var axes: [String] = []
        for row in rows { for v in row.values where !axes.contains(v.name) { axes.append(v.name) } }
        self.axes = axes
        self.params = params
        self.results = results
        metricNames = results ? TrialTable.metricNames(rows) : []
    }

    var header: [String] {
        // A metric named like an axis is told apart in the header.
        ["#"] + axes + params.map(\.name) + (results ? ["status", "time"] + metricNames.map { axes.contains($0) ? "metric:\($0)" : $0 } : [])
    }

    /// One row's cells; `exact` writes numbers in full (CSV), otherwise 6 significant digits.
    func cells(_ row: TrialRow, exact: Bool, duration: (Int64) -> String = { humanDuration(Double($0) / 1000) }) -> [String] {
        var out: [String] = []
        out.reserveCapacity(1 + axes.count + params.count + (results ? 2 + metricNames.count : 0))
        out.append(row.number.map(String.init) ?? "-")
        out += axes.map { name in row.value(name).map { exact ? $0.description : RawBytes.display($0.description) } ?? "" }
        out += params.map { $0.value.description }
        if results {
            out.append(row.status.rawValue)
            out.append(row.durationMs.map { exact ? CanonicalJSON.format(Double($0) / 1000) : duration($0) } ?? "")
            out += metricNames.map { name in row.metrics[name].map { exact ? CanonicalJSON.format($0) : Self.compact($0) } ?? "" }
        }
        return out
    }

    func table() -> String {
        // Many rows share a duration (milliseconds): format each once (`String(format:)` was a
        // sixth of `cairn trials` on a 100,000-trial run), then the rows' cells on every core.
        var durations: [Int64: String] = [:]
        for row in rows { if let ms = row.durationMs, durations[ms] == nil { durations[ms] = humanDuration(Double(ms) / 1000) } }
        let cells = ParallelMap.map(rows.count + 1, threshold: 20_000) { n in
            n == 0 ? header : self.cells(rows[n - 1], exact: false, duration: { durations[$0]! })
        }
        return Terminal.table(cells)
    }

    func csv() -> String {
        ([header] + rows.map { cells($0, exact: true) }).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// `{"trials": [...]}` (plus `best` when given), one trial per line; values keep their type.
    func json(best: TrialRow?) -> String {
        var lines = rows.map { $0.json(params: params, results: results).text }
        if lines.isEmpty { lines = [] }
        var out = "{\"trials\":[\n" + lines.joined(separator: ",\n") + "\n]"
        if let best { out += ",\n\"best\":" + best.json(params: params, results: results).text }
        return out + "}\n"
    }

    /// A metric in at most about 9 characters: whole numbers without `.0`, short reprs as they
    /// are, the rest to 6 significant digits.
    static func compact(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        let text = CanonicalJSON.format(d)
        return text.utf8.count <= 9 ? text : String(format: "%.6g", d)
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// "best: #3 — acc=0.95 (x=1.0, y=2)".
    static func bestLine(_ row: TrialRow, key: String) -> String {
        let name = key.hasPrefix("-") || key.hasPrefix("+") ? String(key.dropFirst()) : key
        let measure = row.metrics[name].map { "\(name)=\(CanonicalJSON.format($0))" } ?? "\(name)=\(row.value(name)?.description ?? "?")"
        let values = row.values.map { "\($0.name)=\(RawBytes.display($0.value.description))" }.joined(separator: ", ")
        return "best: \(row.number.map { "#\($0)" } ?? "orphaned trial") — \(measure) (\(values))"
    }
}
