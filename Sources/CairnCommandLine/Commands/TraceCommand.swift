import ArgumentParser
import CairnCore
import CairnRun
import Foundation

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "One row per attempt of every unit, every session: how it ended and what it used.",
        discussion: """
            Read from the journal alone, streaming: works on a live run, a finished, partial, merged or SLURM run.

            Fields: \(TraceTable.Field.allCases.map(\.rawValue).joined(separator: ", ")).

            Times are UTC (ISO 8601); realtime, cpu_user and cpu_sys are milliseconds; peak_rss, rchar, wchar, read_bytes and write_bytes are bytes, from the kernel, for attempts that ran as processes.

            Status: committed, failed, timed out, interrupted, running, reused (adopted from another run), merged (carried in by `cairn merge`).
            """)

    @Argument(help: ArgumentHelp("The run (a run folder, a pipeline file or a run name); default: the most recent run.", valueName: "RUN"))
    var target: String?

    @Option(help: ArgumentHelp("tsv (default), csv, or json (one object per line).", valueName: "FORMAT"))
    var format: String?

    @Flag(help: "The same as --format json.")
    var json = false

    @Option(help: ArgumentHelp("The columns, comma-separated, in order (default: all).", valueName: "LIST"))
    var fields: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write to this file (replaced when complete) instead of standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        let chosen: TraceTable.Format
        if json {
            if let format, format != "json" { throw RunError.usage("--json and --format \(format) disagree; give one of them") }
            chosen = .json
        } else if let format {
            guard let f = TraceTable.Format(rawValue: format) else { throw RunError.usage("--format \(format): choose tsv, csv or json") }
            chosen = f
        } else {
            chosen = .tsv
        }
        let table = try TraceTable(fields: fields, format: chosen)
        let folder = try RunTarget.resolve(target, preferUnfinished: false)
        // The plan names the units; the journal is read once, by the trace itself (an
        // optimizer's trials come from the journal, so its plan needs a replay first).
        let snapshot = try Snapshot.read(folder)
        let plan: Plan
        if snapshot.pipeline.optimizer != nil {
            plan = try RunInspector(folder: folder, snapshot: snapshot).plan
        } else {
            do { plan = try snapshot.plan(reading: nil).plan } catch { throw RunError.pipeline(error) }
        }
        let sink = try TraceSink(path: output)
        if let header = table.header { sink.line(header) }
        try TraceReader(folder: folder, plan: plan).read(live: RunLock.isLive(folder)) { sink.line(table.line($0)) }
        try sink.finish()
    }
}

/// Where trace lines go: standard output, or a file written aside and renamed into place.
final class TraceSink {
    let fd: Int32
    let path: String?
    let staging: String?
    var buffer: [UInt8] = []

    init(path: String?) throws(RunError) {
        self.path = path
        guard let path else {
            fd = 1
            staging = nil
            return
        }
        let staging = "\(path).cairn-\(getpid()).tmp"
        let fd = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunError.usage("cannot write \(path) (\(String(cString: strerror(errno)))); choose another -o path") }
        self.fd = fd
        self.staging = staging
    }

    func line(_ text: String) {
        buffer.append(contentsOf: RawBytes.display(text).utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; break }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws(RunError) {
        flush()
        guard let path, let staging else { return }
        fsync(fd)
        close(fd)
        guard rename(staging, path) == 0 else {
            unlink(staging)
            throw RunError("cannot move the trace into \(path) (\(String(cString: strerror(errno))))")
        }
    }
}
