import CairnCore
import CairnJournal
import CairnRun
import Foundation

/// What one soak cycle knows and checks after every session: the exact content each output may
/// hold (over both item sets a restart switches between; the aggregate over any number of
/// items, as `--aggregate-only` makes it), the units committed so far (never lost, never
/// committed twice, never run again) and how much of `side.log` it has read.
struct SoakWatch {
    let cycle: Int
    let dir: String
    let pipeline: SoakPipeline
    /// The two item counts a restart switches between.
    let items: [Int]
    var journalDir: String { "\(dir)/.cairn/runs/soak/journal" }
    /// Content per output path of the item steps (the same in both item sets).
    private(set) var contents: [String: String] = [:]
    private(set) var aggregatePath = ""
    private(set) var committed = Set<Digest>()
    private var duplicated = Set<Digest>()
    private var sideLines = 0
    /// The item units' keys in every plan the cycle may run (both item sets): the keys that
    /// are not aggregates (whole or partial).
    private var itemKeys = Set<Digest>()
    /// Invalidations already counted.
    private var invalidated = Set<Digest>()

    init(cycle: Int, dir: String, pipeline: SoakPipeline, items: [Int]) {
        self.cycle = cycle
        self.dir = dir
        self.pipeline = pipeline
        self.items = items
    }

    /// Adds the outputs of `plan` to what may be found.
    mutating func expect(_ plan: Plan) throws {
        for unit in plan.units where unit.item != nil { itemKeys.insert(unit.key) }
        for (path, content) in pipeline.expected(plan) {
            if path.hasSuffix("total.txt") { aggregatePath = path; continue }
            if let known = contents[path], known != content { throw SoakError("\(path): two item sets expect different content") }
            contents[path] = content
        }
    }

    /// The exact outputs of a finished run of `plan`.
    func exact(_ plan: Plan) -> [(path: String, content: String)] { pipeline.expected(plan) }

    /// `--set i=[…]` for the larger item set (`more`) or the file's own.
    func setArguments(more: Bool) -> [String] {
        ["--set", "i=[\((0..<items[more ? 1 : 0]).map(String.init).joined(separator: ", "))]"]
    }

    func overrides(more: Bool) throws -> Overrides {
        try Overrides.parse([setArguments(more: more)[1]], maxTrials: nil)
    }

    /// Whether the stored snapshot runs the larger item set.
    func storedMore() throws -> Bool {
        let plan = try Snapshot.read(RunFolder(path: "\(dir)/.cairn/runs/soak")).plan(reading: nil).plan
        return plan.items.count == items[1]
    }

    /// The checks after every session: no output holds anything but a content it may have,
    /// nothing committed is lost or committed twice, no committed unit started again.
    mutating func check(report: inout SoakReport) throws {
        for (path, content) in contents {
            guard let data = FileManager.default.contents(atPath: "\(dir)/\(path)") else { continue }
            if String(decoding: data, as: UTF8.self) != content { partial(path, data.count, &report) }
        }
        if let data = FileManager.default.contents(atPath: "\(dir)/\(aggregatePath)") {
            let text = String(decoding: data, as: UTF8.self)
            let n = Int(text.trimmingCharacters(in: .newlines)) ?? -1
            if !(text.hasSuffix("\n") && (0...(items.max() ?? 0)).contains(n)) { partial(aggregatePath, data.count, &report) }
        }
        let (counts, invalidatedNow) = try SoakDriver.commitCounts(journalDir)
        // An aggregate whose output another version replaced is invalidated, then made again.
        for key in invalidatedNow.subtracting(invalidated) {
            invalidated.insert(key)
            if itemKeys.contains(key) {
                report.unjustifiedInvalidations += 1
                report.problems.append("cycle \(cycle): item unit \(key.short) was invalidated (nothing replaces an item unit's output)")
            } else {
                report.replacedAggregates += 1
            }
        }
        committed.subtract(invalidatedNow)
        let now = Set(counts.keys)
        let missing = committed.subtracting(now)
        if !missing.isEmpty {
            report.lost += missing.count
            report.problems.append("cycle \(cycle): \(missing.count) committed unit(s) no longer committed")
        }
        for (key, n) in counts where n > 1 && !duplicated.contains(key) {
            duplicated.insert(key)
            report.duplicatedCommits += 1
            report.problems.append("cycle \(cycle): unit \(key.short) has \(n) commit records")
        }
        let lines = (try? String(contentsOfFile: "\(dir)/side.log", encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        for line in lines.dropFirst(sideLines) {
            if let key = Digest(hex: line), committed.contains(key), !invalidatedNow.contains(key) {
                report.reExecutedCommitted += 1
                report.problems.append("cycle \(cycle): committed unit \(key.short) ran again")
            }
        }
        sideLines = lines.count
        committed.formUnion(now)
    }

    private func partial(_ path: String, _ bytes: Int, _ report: inout SoakReport) {
        report.partialFilesSeen += 1
        report.problems.append("cycle \(cycle): \(path) holds \(bytes) bytes that are not its expected content")
    }
}
