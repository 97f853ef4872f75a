import Foundation

/// The `--json` output of every command: pretty-printed, keys sorted, slashes as they are.
enum JSONOutput {
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        Terminal.standardOutput.writeExactly(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
    }
}
