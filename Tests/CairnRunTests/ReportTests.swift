@testable import CairnRun
import CairnCore
import CairnTestSupport
import Foundation
import Testing

/// `cairn report`: one self-contained HTML file, rendered by a real Chromium in these tests.
@Suite struct ReportTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static let pipeline = """
        name: rep
        items: {sample: {range: [0, 16]}, shape: [circle, "squäre"]}
        steps:
          - name: render
            run: echo {sample} >> starts.log; sleep 0.2; echo {sample} > {out.img}
            outputs: {img: 'out/{shape}/{sample}.txt'}
          - name: check
            run: test {sample} -ne 13 || { echo "sample 13 is broken <script>alert(1)</script>"; exit 7; }; cp {in.img} {out.ok}
            inputs: {img: {from: render.img}}
            outputs: {ok: 'out/ok/{shape}-{sample}.txt'}
        """

    @Test(.enabled(if: chromium != nil, "chromium is not installed (scripts/test installs it)"))
    func theReportOfAKilledAndResumedRunRendersInChromium() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", Self.pipeline)
        let first = try CairnBinary.start(["run", "p.yaml", "-j", "3", "-m", "first try"], in: dir.path)
        #expect(CairnBinary.waitFor(timeout: 60) { dir.lines("starts.log").count >= 6 })
        first.signal(SIGKILL)
        _ = first.wait()
        let resumed = try CairnBinary.run(["resume", "-j", "3"], in: dir.path)
        #expect(resumed.status == 1, "one unit fails: \(resumed.stdout)\(resumed.stderr)")
        let report = try CairnBinary.run(["report", "-o", "report.html"], in: dir.path)
        #expect(report.status == 0 && report.stdout.contains("report: "), "\(report.stdout)\(report.stderr)")
        let html = try #require(dir.read("report.html"))
        let fetchable = html.replacingOccurrences(of: "'http://www.w3.org/2000/svg'", with: "")  // a namespace name, not fetched
        #expect(!fetchable.contains("http://") && !fetchable.contains("https://") && !fetchable.contains("src=") && !fetchable.contains("url("), "nothing is fetched")
        #expect(!html.contains("<script>alert"), "a log line is data, never markup")

        // Rendered by a real browser: the script ran to its end without errors, and the page shows the run.
        let chromium = try #require(Self.chromium)
        let dom = Tool.output("/usr/bin/env", ["timeout", "90", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://\(dir.path)/report.html"])
        #expect(dom.contains("data-rendered=\"yes\"") && dom.contains("data-errors=\"0\""), "\(dom.prefix(600))")
        for text in ["render", "check", "check[sample=13,shape=circle]", "exited with code 7", "killed (no end journaled)", "first try", "sample 13 is broken &lt;script&gt;"] {
            #expect(dom.contains(text), "the page shows \(text)")
        }
        let shot = "\(dir.path)/report.png"
        _ = Tool.output("/usr/bin/env", ["timeout", "90", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                         "--window-size=1400,1600", "--screenshot=\(shot)", "file://\(dir.path)/report.html"])
        let png = try #require(FileManager.default.contents(atPath: shot))
        #expect(png.count > 20_000 && png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]), "a screenshot was taken (\(png.count) bytes)")
    }

    @Test func jsonAndBadOutputPaths() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        dir.write("p.yaml", "name: rep\nitems: {i: [1, 2]}\nsteps:\n  - name: a\n    run: 'true'\n")
        #expect(try CairnBinary.run(["run", "p.yaml"], in: dir.path).status == 0)
        let json = try CairnBinary.run(["report", "--json"], in: dir.path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(object["pipeline"] as? String == "rep" && object["next"] as? String == "nothing: every unit is committed", "\(json.stdout)")
        let written = try CairnBinary.run(["report"], in: dir.path)
        #expect(written.status == 0 && dir.exists(".cairn/runs/rep/report.html"), "\(written.stderr)")
        for path in ["no/such/folder/r.html", "."] {
            let bad = try CairnBinary.run(["report", "-o", path], in: dir.path)
            #expect(bad.status == 2 && bad.stderr.split(separator: "\n").count == 1, "\(path): \(bad.stderr)")
        }
    }

    /// Beyond the bar limit the timeline counts attempts per lane and time slice: its size no
    /// longer grows with the attempts.
    @Test func manyAttemptsAreAggregatedNotDrawnOneByOne() {
        let n = 1_000_000
        var spans: [ReportBuilder.Span] = []
        spans.reserveCapacity(n)
        for i in 0..<n {
            let start = Int64(i) * 10
            spans.append(ReportBuilder.Span(start: start, end: start + 40, group: Int32(i % 2), status: i % 1000 == 0 ? 1 : 0, step: 0, name: -1))
        }
        let t = ReportBuilder.timeline(spans, names: [], groups: ["session 1 · a", "session 1 · b"], sessions: [])
        #expect(t.aggregated && t.bars.isEmpty && t.buckets.count == 2 && t.buckets[0].count == ReportBuilder.buckets)
        #expect(t.buckets.flatMap { $0 }.reduce(0) { $0 + $1.reduce(0, +) } == n)
        #expect(t.buckets.flatMap { $0 }.reduce(0) { $0 + $1[1] } == n / 1000)
        let small = ReportBuilder.timeline(Array(spans.prefix(100)), names: [], groups: ["session 1 · a", "session 1 · b"], sessions: [])
        #expect(!small.aggregated && small.bars.count == 100 && small.lanes.count == 4, "overlapping attempts take a slot lane each: \(small.lanes)")
    }
}
