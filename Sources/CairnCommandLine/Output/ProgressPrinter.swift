import CairnRun
import Foundation

/// Shows a run's progress on standard error: on a terminal, one line per step redrawn in
/// place; otherwise a plain line every `CAIRN_PROGRESS_INTERVAL` seconds (default 10).
final class ProgressPrinter: RunObserver {
    let terminal: Terminal
    let quiet: Bool
    let style: Style
    let interval: Double
    /// On a terminal the first draw is immediate; plain output waits one interval.
    lazy var lastDraw: Double = terminal.isTTY ? -Double.infinity : 0
    var drawnLines = 0

    init(terminal: Terminal, quiet: Bool) {
        self.terminal = terminal
        self.quiet = quiet
        self.style = Style(on: terminal.color)
        let configured = ProcessInfo.processInfo.environment["CAIRN_PROGRESS_INTERVAL"].flatMap(Double.init)
        interval = terminal.isTTY ? 0.1 : (configured ?? 10)
    }

    var refreshInterval: Double? { quiet ? nil : interval }

    func progress(_ progress: RunProgress, final: Bool) {
        guard !quiet else { return }
        guard final || progress.elapsed - lastDraw >= interval else { return }
        lastDraw = progress.elapsed
        if terminal.isTTY {
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)F" : ""
            var lines = progress.steps.map { stepLine($0, elapsed: progress.elapsed) }
            if !final, let slowest = progress.slowest {
                let running = progress.steps.reduce(0) { $0 + $1.running }
                lines.append(style.dim("  \(running) running · slowest: ") + "\(slowest.unit) " + style.dim(humanDuration(slowest.seconds)))
            }
            for line in lines { text += "\u{1B}[2K" + line + "\n" }
            if drawnLines > lines.count { text += "\u{1B}[J" }  // the block shrank: clear what is left below
            drawnLines = lines.count
            terminal.write(text)
            if final { drawnLines = 0 }
        } else if !final {
            let done = progress.steps.reduce(0) { $0 + $1.committed + $1.alreadyDone }
            let total = progress.steps.reduce(0) { $0 + $1.total }
            let running = progress.steps.reduce(0) { $0 + $1.running }
            let failed = progress.steps.reduce(0) { $0 + $1.failed }
            terminal.write("progress: \(done)/\(total) committed, \(running) running, \(failed) failed, \(humanDuration(progress.elapsed)) elapsed\n")
        }
    }

    func stepLine(_ s: StepProgress, elapsed: Double) -> String {
        let done = s.committed + s.alreadyDone
        let width = 24
        let filled = s.total == 0 ? width : done * width / s.total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        var line = "  \(s.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(style.green(bar)) \(done)/\(s.total)"
        if s.running > 0 { line += "  \(s.running) running" }
        if s.failed > 0 { line += "  " + style.red("\(s.failed) failed") }
        if s.skipped > 0 { line += "  " + style.yellow("\(s.skipped) skipped") }
        if s.committed > 0, elapsed > 0, s.pending + s.running > 0 {
            let rate = Double(s.committed) / elapsed
            line += style.dim(String(format: "  %.1f/s, ETA %@", rate, humanDuration(Double(s.pending + s.running) / rate)))
        }
        return line
    }

    func unitFailed(_ report: UnitFailureReport, retrying: Bool) {
        guard !quiet || !retrying else { return }
        clear()
        let what = retrying ? style.yellow("retrying") : style.red("failed")
        terminal.write("\(what) \(report.unit): \(report.reason) (log: \(Terminal.relative(report.log)))\n")
    }

    func notice(_ message: String) {
        clear()
        terminal.write("\(DeclaredProgram.name): \(message)\n")
    }

    func statusRequested(running: [(unit: String, seconds: Double)], progress: RunProgress) {
        clear()
        var text = "\(DeclaredProgram.name): \(running.count) running after \(humanDuration(progress.elapsed)):\n"
        for (unit, seconds) in running.prefix(40) { text += "  \(unit)  \(humanDuration(seconds))\n" }
        if running.count > 40 { text += "  … and \(running.count - 40) more\n" }
        for s in progress.steps { text += "  \(s.name): \(s.committed + s.alreadyDone)/\(s.total) committed, \(s.failed) failed\n" }
        terminal.write(text)
    }

    /// Forgets the drawn block so the next draw starts below what was just printed.
    private func clear() {
        drawnLines = 0
    }
}
