import CairnCore
import CairnJournal
import CairnRun
import Foundation

/// For `resume`: whether the pipeline file (or the code and input files it names) changed
/// since the run's snapshot was taken, and what the current file would run differently.
struct PipelineChange {
    let file: String
    /// The current file as a snapshot, planned (with its file digests).
    let snapshot: Snapshot
    let explanation: Explanation

    /// nil when the current file plans exactly what the snapshot plans, or cannot be read
    /// (then the stored snapshot is all there is; a note says so).
    static func check(stored: Snapshot, folder: RunFolder, verify: Bool) throws -> PipelineChange? {
        let file = stored.pipelineFile
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let spec: PipelineSpec
        do { spec = try PipelineLoader().load(file: file, overrides: stored.overrides) } catch {
            Terminal.standardError.line("cairn: note: \(Terminal.relative(file)) does not load now (\(error)); resuming the stored snapshot")
            return nil
        }
        let digester = FileDigester(root: stored.root, verify: verify)
        var fresh = Snapshot(file: file, pipeline: spec)
        fresh.overrides = stored.overrides
        // The same pipeline reads the same files: when their digests match the stored ones,
        // nothing changed, and planning (seconds at a million units) is not needed to say so.
        if fresh.pipeline == stored.pipeline, let files = stored.files,
            files.allSatisfy({ path, hex in (digester.digest(of: path)?.hex ?? "") == hex })
        {
            digester.save()
            return nil
        }
        let (plan, current) = try fresh.plan(reading: digester)
        digester.save()
        if current.pipeline == stored.pipeline && current.files == stored.files { return nil }
        let state = try JournalState(directory: folder.journal, repair: false)
        let previous = try stored.plan(reading: nil).plan
        let explanation = PlanExplainer(plan: plan, previous: previous, history: state.units).explain()
        return PipelineChange(file: file, snapshot: current, explanation: explanation)
    }

    /// What changed, and which version runs.
    func report(using current: Bool) -> String {
        var out = "cairn: \(Terminal.relative(file)) (or a file it names) changed since this run started; "
        out += current ? "running the current version (--use-current).\n" : "resuming the stored snapshot; add --use-current to run the current version.\n"
        let counts = explanation.counts
        out += "  with the current version: \(counts.run) unit(s) would run, \(counts.done) already committed\n"
        for g in explanation.groups.prefix(8) {
            out += "    \(g.heading): \(g.count)\(g.examples.first.map { " (e.g. \($0.split(separator: "\n").joined(separator: " / ")))" } ?? "")\n"
        }
        return out
    }
}
