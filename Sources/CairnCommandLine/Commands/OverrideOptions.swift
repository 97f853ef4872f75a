import ArgumentParser
import CairnCore
import CairnRun

/// `--set NAME=VALUE` and `--max-trials N`: change axes and params from the command line.
struct OverrideOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Override an axis or a param: VALUE is YAML — a list gives an axis those values (--set 'lr=[1e-3, 1e-4]'), a scalar one value, a mapping any axis form (--set 'x={range: [0, 100]}'). Repeatable. Stored with the run: a later `cairn resume` keeps it.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(help: ArgumentHelp("Run a seeded random subset of this many trials (the sample count).", valueName: "N"))
    var maxTrials: Int?

    /// The overrides, or a one-line usage error (exit 2) naming the flag.
    func overrides() throws(RunError) -> Overrides? {
        do {
            let o = try Overrides.parse(settings, maxTrials: maxTrials)
            return o.isEmpty ? nil : o
        } catch { throw .pipeline(error) }
    }
}
