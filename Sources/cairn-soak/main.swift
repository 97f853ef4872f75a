import CairnSoak
import Foundation

// cairn-soak: interrupts real cairn runs at random moments and counts what Cairn's promise
// forbids. Usage: cairn-soak --kills N [--seed S] [--items M] [--cairn PATH] [--work DIR]
/// Writes a line straight to standard output (unbuffered, so a log file follows progress).
func say(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(1, $0, strlen($0)) }
}

var kills = 200
var seed = UInt64(Date().timeIntervalSince1970 * 1000) & 0xFFFF_FFFF
var items = 150
var cairn = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/cairn"
var work = NSTemporaryDirectory() + "/cairn-soak-\(getpid())"
var args = CommandLine.arguments.dropFirst()
while let flag = args.popFirst() {
    guard let value = args.popFirst() else { FileHandle.standardError.write(Data("cairn-soak: \(flag) needs a value\n".utf8)); exit(2) }
    switch flag {
    case "--kills": kills = Int(value) ?? kills
    case "--seed": seed = UInt64(value) ?? seed
    case "--items": items = Int(value) ?? items
    case "--cairn": cairn = value
    case "--work": work = value
    default:
        FileHandle.standardError.write(Data("usage: cairn-soak --kills N [--seed S] [--items M] [--cairn PATH] [--work DIR]\n".utf8))
        exit(2)
    }
}
var config = SoakConfig(kills: kills, seed: seed, items: items, cairn: cairn, workDirectory: work)
config.log = { say($0) }
say("cairn-soak: seed \(seed) (replay with --seed \(seed)), \(kills) interruptions, \(items) items, work folder \(work)")
do {
    let report = try SoakDriver.run(config)
    say(report.description)
    try? FileManager.default.removeItem(atPath: work)
    exit(report.isClean ? 0 : 1)
} catch {
    say("cairn-soak: \(error)")
    exit(2)
}
