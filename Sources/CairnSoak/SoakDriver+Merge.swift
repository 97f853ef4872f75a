import CairnRun
import Foundation

extension SoakDriver {
    /// A second machine: a fresh copy of the project beside the cycle's folder runs shard 2/2
    /// of the stored item set to the end, then `cairn merge` folds it in — interrupted at random
    /// moments like any session (half of them) and merged again until a merge ends on its own, which must exit
    /// 0 (the pipeline is deterministic: no unit may differ). Checked after every merge session.
    static func mergeShard(watch: inout SoakWatch, config: SoakConfig, estimate: Double, rng: inout SplitMix, report: inout SoakReport) throws {
        let other = "\(watch.dir)-other"
        try? FileManager.default.removeItem(atPath: other)
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(watch.dir)/p.yaml", toPath: "\(other)/p.yaml")
        let set = watch.setArguments(more: try watch.storedMore())
        let shard = try launch(config.cairn, ["run", "p.yaml", "-j", "2", "--shard", "2/2", "-q"] + set, in: other)
        guard waitForExit(shard, timeout: 300), shard.wait() == 0 else {
            shard.signal(SIGKILL)
            throw SoakError("cycle \(watch.cycle): the shard run in \(other) failed")
        }
        defer { try? FileManager.default.removeItem(atPath: other) }
        while true {
            let (status, interrupted) = try session(["merge", other], watch: &watch, config: config, estimate: estimate / 3, interruptChance: 0.5, rng: &rng, report: &report)
            report.merges += 1
            if interrupted { continue }
            if status != 0 {
                report.badFinishes += 1
                report.problems.append("cycle \(watch.cycle): cairn merge exited \(status) without being interrupted")
            }
            return
        }
    }
}
