import CairnTestSupport
import Foundation
import Testing

/// `scripts/install`: the binary, completions for three shells and a man page, idempotently.
@Suite(.serialized) struct InstallTests {
    /// The repository (this file is Tests/CairnRunTests/InstallTests.swift).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func install(_ arguments: [String]) throws -> CairnBinary.Result {
        try CairnBinary.run(arguments, in: Self.repository, executable: "\(Self.repository)/scripts/install")
    }

    @Test func installsTheToolCompletionsAndManPageAndAgainWithTheSameFiles() throws {
        let binDir = (CairnBinary.path as NSString).deletingLastPathComponent
        try #require(FileManager.default.isExecutableFile(atPath: "\(binDir)/generate-manual"), "scripts/test builds generate-manual before the tests")
        let prefix = TemporaryFolder()
        defer { prefix.remove() }
        let first = try install(["--prefix", prefix.path, "--from", binDir])
        #expect(first.status == 0, "\(first.stderr)")
        let files = ["bin/cairn", "share/man/man1/cairn.1", "share/bash-completion/completions/cairn", "share/zsh/site-functions/_cairn",
                     "share/fish/vendor_completions.d/cairn.fish"]
        for file in files { #expect(first.stdout.contains("installed \(prefix.path)/\(file)"), "\(first.stdout)") }
        #expect(first.stdout.contains("cairn \(CairnVersionText.expected)"), "\(first.stdout)")

        let version = try CairnBinary.run(["--version"], in: prefix.path, executable: "\(prefix.path)/bin/cairn")
        #expect(version.status == 0 && version.stdout.contains("journal format 1"), "\(version.stdout)")
        let man = prefix.read("share/man/man1/cairn.1") ?? ""
        #expect(man.contains(".Dt CAIRN 1") && man.contains("resume") && man.contains("time-limit"), "the man page documents the commands")
        #expect((prefix.read("share/zsh/site-functions/_cairn") ?? "").hasPrefix("#compdef cairn"))
        #expect((prefix.read("share/fish/vendor_completions.d/cairn.fish") ?? "").contains("complete -c 'cairn' -n"))
        // The bash completion completes subcommands and flags.
        let script = """
            source '\(prefix.path)/share/bash-completion/completions/cairn'
            COMP_WORDS=(cairn re); COMP_CWORD=1; COMP_LINE='cairn re'; COMP_POINT=8; _cairn cairn re cairn; echo "${COMPREPLY[*]}"
            COMPREPLY=(); COMP_WORDS=(cairn run --ti); COMP_CWORD=2; COMP_LINE='cairn run --ti'; COMP_POINT=14; _cairn cairn --ti run; echo "${COMPREPLY[*]}"
            """
        let completed = try CairnBinary.run(["-c", script], in: prefix.path, environment: ["PATH": "\(prefix.path)/bin:/usr/bin:/bin"], executable: "/bin/bash")
        #expect(completed.stdout == "resume report\n--time-limit\n", "\(completed.stdout) \(completed.stderr)")

        let contents = { files.map { FileManager.default.contents(atPath: "\(prefix.path)/\($0)") } }
        let before = contents()
        let second = try install(["--prefix", prefix.path, "--from", binDir])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(contents() == before, "installing again gives the same files")
        let left = FileManager.default.enumerator(atPath: prefix.path)?.allObjects.compactMap { $0 as? String }.filter { $0.contains(".installing.") } ?? []
        #expect(left.isEmpty, "\(left)")
    }

    @Test func badArgumentsExitTwoWithOneLine() throws {
        for arguments in [["--bogus"], ["--prefix"], ["--configuration", "fast"], ["--from", "/nonexistent"]] {
            let result = try install(arguments)
            #expect(result.status == 2, "\(arguments): \(result.status)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix("scripts/install: "), "\(arguments): \(result.stderr)")
        }
    }
}

/// What `cairn --version` says, as the tests expect it.
enum CairnVersionText {
    static let expected = "0.1.0 (journal format 1, state checkpoint format 1)"
}
