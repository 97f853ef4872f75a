import ArgumentParser
import CairnCore
import CairnRun
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's report: one self-contained HTML file (summary, steps, timeline, failures, trials, history).",
        discussion: "From the journal alone; works on a live, finished, partial, merged or SLURM run. Nothing is fetched when it opens (styles, script and data are inline). Beyond \(ReportBuilder.barLimit) attempts the timeline shows counts per time slice instead of one bar per attempt.")

    @Argument(help: ArgumentHelp("The run (a run folder, a pipeline file or a run name); default: the most recent run.", valueName: "RUN"))
    var target: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Where to write it (default: report.html in the run folder); replaced only when complete.", valueName: "FILE"))
    var output: String?

    @Flag(help: "Print the report's data as JSON instead of writing the page.")
    var json = false

    func run() throws {
        let folder = try RunTarget.resolve(target, preferUnfinished: false)
        let inspector = try RunInspector(folder: folder)
        let data = try ReportBuilder.build(folder: folder, inspector: inspector)
        if json {
            try JSONOutput.print(data)
            return
        }
        let path = output ?? "\(folder.path)/report.html"
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw RunError.usage("-o \(path) is a folder; give a file name such as report.html")
        }
        let parent = (RunFolder.absolute(path) as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: parent) else {
            throw RunError.usage("-o \(path): folder \(parent) does not exist; create it or choose another path")
        }
        try AtomicFile.write(try ReportPage.html(data), to: path)
        Terminal.standardOutput.line("report: \(Terminal.relative(RunFolder.absolute(path))) (\(data.timeline.attempts) attempt(s), \(data.sessions.count) session(s))")
    }
}
