import CairnRun
import CairnTestSupport
import Foundation
import Testing

/// File names and list lines that are not UTF-8 reach units, their environment and their
/// output paths byte for byte, quoted, and never run as code.
@Suite(.serialized) struct RawByteValueTests {
    /// Names with invalid UTF-8 and shell metacharacters.
    static let names: [[UInt8]] = [
        Array("a".utf8) + [0xFF] + Array("$(touch pwned1)".utf8) + [0xFE],
        Array("b".utf8) + [0x80] + Array("';touch pwned2;'".utf8),
        Array("c ".utf8) + [0xC3, 0x28] + Array("`touch pwned3`".utf8),
        Array("d-plain".utf8),
    ]

    func write(_ path: [UInt8], _ contents: [UInt8]) {
        let fd = (path + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        precondition(fd >= 0, "cannot create test file: \(String(cString: strerror(errno)))")
        _ = contents.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func read(_ path: [UInt8]) -> [UInt8]? {
        let fd = (path + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY) }
        }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    @Test func globNamesThatAreNotUTF8AreCopiedExactly() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: "\(dir.path)/in", withIntermediateDirectories: true)
        let root = Array(dir.path.utf8)
        for (i, name) in Self.names.enumerated() { write(root + Array("/in/".utf8) + name, Array("content \(i)\n".utf8)) }
        dir.write("p.yaml", """
            name: raw
            items:
              f: {glob: "in/*"}
            steps:
              - name: copy
                run: cat {f} > {out.copy}; printf '%s|%s' {f} "$CAIRN_ITEM_F" > {out.name}
                outputs:
                  copy: out/{f}
                  name: names/{f}.txt
            """)
        let result = try CairnBinary.run(["run", "p.yaml", "-j", "2"], in: dir.path)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for p in ["pwned1", "pwned2", "pwned3"] { #expect(!dir.exists(p), "\(p) was created: a value ran as code") }
        for (i, name) in Self.names.enumerated() {
            let value = Array("in/".utf8) + name
            #expect(read(root + Array("/out/".utf8) + value) == Array("content \(i)\n".utf8), "output of \(name)")
            #expect(read(root + Array("/names/".utf8) + value + Array(".txt".utf8)) == value + Array("|".utf8) + value)
        }
        // Keys are stable across processes: nothing runs again, and the plan shows the bytes escaped.
        let again = try CairnBinary.run(["run", "p.yaml"], in: dir.path)
        #expect(again.status == 0)
        #expect(again.stdout.contains("(0 in this session, 4 already done)"), "\(again.stdout)")
        let plan = try CairnBinary.run(["plan", "p.yaml", "--list"], in: dir.path)
        #expect(plan.stdout.contains("\\xFF$(touch pwned1)\\xFE"), "\(plan.stdout)")
    }

    @Test func fileAxisLinesThatAreNotUTF8ReachTheUnitExactly() throws {
        let dir = TemporaryFolder()
        defer { dir.remove() }
        let lines = Self.names
        write(Array("\(dir.path)/ids.txt".utf8), lines.flatMap { $0 + [0x0A] })
        dir.write("p.yaml", """
            name: rawlist
            items:
              id: {file: ids.txt}
            steps:
              - name: echo
                run: printf '%s\\n' {id} >> seen.txt
            """)
        let result = try CairnBinary.run(["run", "p.yaml", "-j", "1"], in: dir.path)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for p in ["pwned1", "pwned2", "pwned3"] { #expect(!dir.exists(p)) }
        let seen = read(Array("\(dir.path)/seen.txt".utf8)) ?? []
        let seenLines = seen.split(separator: 0x0A).map(Array.init).sorted { $0.lexicographicallyPrecedes($1) }
        #expect(seenLines == lines.sorted { $0.lexicographicallyPrecedes($1) })
    }
}
