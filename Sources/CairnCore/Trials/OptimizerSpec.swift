/// Ask/tell search (`optimizer: {run, trials, batch}`): the trial set grows as results arrive.
///
/// Cairn runs `run` with the trial table (JSON, metrics included) on standard input and reads
/// up to `batch` new trials (JSON objects with a value for every axis under `items`) from its
/// standard output; the axes' own values only describe the search space to the optimizer.
/// Every batch is journaled before its trials start, so an interrupted search resumes with the
/// same proposals and never asks again for a batch it has.
public struct OptimizerSpec: Sendable, Codable, Equatable {
    /// The command (`/bin/sh -c`, in the pipeline folder).
    public var run: String
    /// How many trials in all.
    public var trials: Int
    /// How many trials to ask for at a time.
    public var batch: Int

    public init(run: String, trials: Int, batch: Int) {
        self.run = run
        self.trials = trials
        self.batch = batch
    }

    /// The axis group the proposals form.
    public static let group = "optimizer"

    /// `spec` with its declared axes replaced by the proposals (in order; a proposal equal to
    /// an earlier one is left out: it is the same trial).
    public static func apply(_ proposals: [[ItemValue]], to spec: PipelineSpec) -> PipelineSpec {
        var out = spec
        var seen = Set<[ItemValue]>()
        let rows = proposals.filter { $0.count == spec.axes.count && seen.insert($0).inserted }
        for (a, axis) in spec.axes.enumerated() {
            out.axes[a] = AxisSpec(name: axis.name, source: .column(group: group, values: rows.map { $0[a] }))
        }
        return out
    }

    /// Reads an optimizer's answer — a JSON array of objects, or one JSON object per line —
    /// into trials with a value for each of `axes`, in that order. Throws a message naming the
    /// trial and the axis.
    public static func parse(_ text: String, axes: [String]) throws(PipelineError) -> [[ItemValue]] {
        let trimmed = text.drop { $0.isWhitespace }
        guard !trimmed.isEmpty else { return [] }
        var nodes: [ConfigNode] = []
        let source = "the optimizer's output"
        if trimmed.first == "[" {
            let root = try YAMLReader.read(String(trimmed), file: source)
            guard let items = root.items else { throw PipelineError(file: source, line: nil, key: "", message: "expected a JSON array of trials") }
            nodes = items
        } else {
            for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() where !line.allSatisfy(\.isWhitespace) {
                var node = try YAMLReader.read(String(line), file: source)
                node.line = n + 1
                nodes.append(node)
            }
        }
        let decoder = PipelineDecoder(file: source)
        var out: [[ItemValue]] = []
        for (n, node) in nodes.enumerated() {
            guard let entries = node.entries else {
                throw PipelineError(file: source, line: nil, key: "", message: "trial \(n + 1) is not a JSON object of axis values")
            }
            if let extra = entries.first(where: { !axes.contains($0.key) }) {
                throw PipelineError(file: source, line: nil, key: "", message: "trial \(n + 1) sets '\(extra.key)', which is not an axis under items (\(axes.joined(separator: ", ")))")
            }
            var row: [ItemValue] = []
            for axis in axes {
                guard let e = entries.first(where: { $0.key == axis }) else {
                    throw PipelineError(file: source, line: nil, key: "", message: "trial \(n + 1) has no value for '\(axis)'; give every axis under items")
                }
                row.append(try decoder.value(e.value, at: axis))
            }
            out.append(row)
        }
        return out
    }
}
