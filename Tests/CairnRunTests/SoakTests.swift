import CairnSoak
import CairnTestSupport
import Foundation
import Testing

/// The fault-injection suite: at least 200 random interruptions (SIGKILL mostly, SIGINT and
/// SIGTERM mixed in, sometimes a unit SIGKILLed too) of real runs, each followed by a resume,
/// with Cairn's promise checked after every one. `scripts/soak` runs any number.
@Suite struct SoakTests {
    @Test func twoHundredRandomInterruptionsBreakNothing() throws {
        let work = TemporaryFolder("cairn-soak")
        defer { work.remove() }
        let seed = UInt64(ProcessInfo.processInfo.environment["CAIRN_SOAK_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970) % 1_000_000
        var config = SoakConfig(kills: 200, seed: seed, items: 150, cairn: CairnBinary.path, workDirectory: work.path)
        config.log = { print($0) }
        let report = try SoakDriver.run(config)
        print(report)
        #expect(report.kills >= 200)
        #expect(report.cycles >= 2)
        #expect(report.isClean, "\(report) — replay with CAIRN_SOAK_SEED=\(seed)")
    }
}
