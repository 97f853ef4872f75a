import CairnCore
import CairnJournal

/// A failure of the run layer, with the exit code the command line uses for it.
///
/// Exit codes: 0 every unit committed; 1 some units failed; 2 bad usage or pipeline file;
/// 3 the run folder is held by another live run; 129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM.
public struct RunError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32
    /// The machine is at fault (disk full, read-only or failing file system), not the unit:
    /// a run stops instead of failing the unit.
    public var isMachineFault = false

    public init(_ description: String, exitCode: Int32 = 1, machineFault: Bool = false) {
        self.description = description
        self.exitCode = exitCode
        self.isMachineFault = machineFault
    }

    /// A pipeline file problem (exit 2).
    public static func pipeline(_ error: PipelineError) -> RunError { RunError(error.description, exitCode: 2) }

    /// A usage problem (exit 2).
    public static func usage(_ message: String) -> RunError { RunError(message, exitCode: 2) }

    /// A journal problem (exit 1).
    public static func journal(_ error: JournalError) -> RunError { RunError(error.description, exitCode: 1) }
}
