import CairnCore
import CairnRun
import Foundation

/// What an output stream is: a terminal or not, and whether to colour it.
struct Terminal {
    let fd: Int32
    let isTTY: Bool
    let color: Bool

    init(fd: Int32) {
        self.fd = fd
        isTTY = isatty(fd) == 1
        let env = ProcessInfo.processInfo.environment
        color = isTTY && env["NO_COLOR"].map(\.isEmpty) ?? true && env["TERM"] != "dumb"
    }

    static let standardOutput = Terminal(fd: 1)
    static let standardError = Terminal(fd: 2)

    /// Writes everything, ignoring failures (a full disk must not crash the runner). Bytes of
    /// item values that are not UTF-8 are shown as `\xNN`.
    func write(_ text: String) {
        writeExactly(RawBytes.display(text))
    }

    /// ``write(_:)`` with a newline after `text`.
    func line(_ text: String) {
        write(text + "\n")
    }

    /// Writes `text` as it is (JSON: its strings keep escaped bytes as they are).
    func writeExactly(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes bytes as they are (a unit's log).
    func write(bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    /// Terminal width, or 100 when unknown.
    var width: Int {
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 100
    }

    /// `path` relative to the current folder when it is below it.
    static func relative(_ path: String) -> String { DisplayPath.relative(path) }

    /// Left-aligned columns with two spaces between them.
    static func table(_ rows: [[String]], indent: String = "") -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        // Widths in characters (a table may have a million rows: the widths and the lines are
        // worked out on every core, a block of rows at a time, each cell counted as it is met).
        let block = 8192, blocks = (rows.count + block - 1) / block
        let blockWidths = ParallelMap.map(blocks, threshold: 3) { b in
            var widths = [Int](repeating: 0, count: columns)
            for r in (b * block)..<min(rows.count, (b + 1) * block) {
                for (i, cell) in rows[r].enumerated() { widths[i] = max(widths[i], characters(cell)) }
            }
            return widths
        }
        var widths = [Int](repeating: 0, count: columns)
        for w in blockWidths { for i in 0..<columns { widths[i] = max(widths[i], w[i]) } }
        let lines = ParallelMap.map(blocks, threshold: 3) { b in
            var out = ""
            for r in (b * block)..<min(rows.count, (b + 1) * block) {
                let row = rows[r]
                var line = indent
                for (i, cell) in row.enumerated() {
                    line += cell
                    if i < row.count - 1 { line += String(repeating: " ", count: widths[i] + 2 - characters(cell)) }
                }
                out += line.trimmingTrailingSpaces()
                out += "\n"
            }
            return out
        }
        return lines.joined()
    }

    /// The characters of `text` (its UTF-8 length when that is all ASCII, as most cells are).
    static func characters(_ text: String) -> Int {
        text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.count : text.count
    }
}

/// ANSI styles, applied only when colour is on.
struct Style {
    let on: Bool
    func bold(_ s: String) -> String { on ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    func green(_ s: String) -> String { on ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
    func red(_ s: String) -> String { on ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
    func yellow(_ s: String) -> String { on ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
    func dim(_ s: String) -> String { on ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}

/// Human durations: 45s, 3m12s, 2h05m.
func humanDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if seconds < 10 { return String(format: "%.1fs", seconds) }
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
    return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
}
