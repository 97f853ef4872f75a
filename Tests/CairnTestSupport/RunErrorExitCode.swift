import CairnCommandLine
import CairnRun

extension RunError {
    /// The exit code `cairn` gives this error (the command line's mapping, not a second one).
    public var exitCode: Int32 { CommandLineMain.exitCode(for: self) }
}
