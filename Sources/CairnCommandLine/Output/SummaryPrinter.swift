import CairnRun
import Foundation

/// The final lines of `run` and `resume`.
struct SummaryPrinter {
    let summary: RunSummary
    let folder: RunFolder
    let color: Bool

    func text() -> String {
        let calls = summary.slurmCalls.map { "\nslurm: \($0.sbatch) sbatch, \($0.squeue) squeue, \($0.scontrol) scontrol call(s)." } ?? ""
        return body() + calls
    }

    func body() -> String {
        let style = Style(on: color)
        var out = ""
        let done = summary.committed + summary.alreadyDone
        if let signal = summary.interruptedBy {
            out += style.yellow("interrupted by \(signalName(signal))") + ": \(done)/\(summary.total) units committed (\(summary.committed) in this session), \(summary.interruptedAttempts) attempt(s) stopped.\n"
            out += "resume with: \(DeclaredProgram.resumeCommand(folder))"
            return out
        }
        if let scratch = summary.scratch, summary.interruptedBy == nil {
            let ok = summary.failures.isEmpty && summary.skipped == 0 && summary.notStarted == 0
            var text = (ok ? style.green("trial done") : style.red("trial: \(summary.failures.count) unit(s) failed, \(summary.skipped) skipped"))
            text += ": \(summary.committed) unit(s) ran; outputs in \(Terminal.relative(scratch)); the run itself was not changed."
            for failure in summary.failures.prefix(20) { text += "\n  \(failure.unit): \(failure.reason)\n    log: \(Terminal.relative(failure.log))" }
            return text
        }
        if summary.timeLimited && summary.interruptedBy == nil {
            let failed = summary.failures.isEmpty ? "" : ", \(summary.failures.count) failed, \(summary.skipped) skipped because what they need failed"
            out = style.yellow("stopped at the time limit") + ": \(done)/\(summary.total) units committed (\(summary.committed) in this session)\(failed), \(summary.interruptedAttempts) attempt(s) paused, \(summary.notStarted) not started.\n"
            out += failureLines(style)
            return out + "resume with: \(DeclaredProgram.resumeCommand(folder))"
        }
        let reused = summary.reused > 0 ? ", \(summary.reused) of them reused from other runs" : ""
        var unselected = summary.notSelected > 0 ? " \(summary.notSelected) unit(s) not selected." : ""
        if let items = summary.itemsSelected, items.selected < items.total {
            unselected += "\npartial: \(items.selected)/\(items.total) items selected"
            if summary.waiting > 0 { unselected += "; \(summary.waiting) unit(s) (aggregates) wait for the other items (merge the other shards with `cairn merge`, or run them here)" }
            unselected += "."
        }
        if summary.failures.isEmpty && summary.skipped == 0 && summary.notStarted == 0 {
            return style.green("done") + ": \(done)/\(summary.total) units committed (\(summary.committed) in this session\(reused), \(summary.alreadyDone) already done).\(unselected)"
        }
        out += style.red("\(summary.failures.count) unit(s) failed") + ", \(summary.skipped) skipped because what they need failed"
        if summary.notStarted > 0 { out += ", \(summary.notStarted) not started" }
        out += "; \(done)/\(summary.total) committed.\n"
        out += failureLines(style)
        out += "fix the cause, then `\(DeclaredProgram.resumeCommand(folder))` re-runs what did not commit."
        return out
    }

    /// The failed units (the first 20), one line each with the log below.
    func failureLines(_ style: Style) -> String {
        var out = ""
        for failure in summary.failures.prefix(20) {
            out += "  \(failure.unit): \(failure.reason)\n    log: \(Terminal.relative(failure.log))\n"
        }
        if summary.failures.count > 20 { out += "  … and \(summary.failures.count - 20) more (cairn status \(Terminal.relative(folder.path)))\n" }
        return out
    }
}
