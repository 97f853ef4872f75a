import CairnCore
import CairnJournal

/// A failure of the run layer: what went wrong, in one line that says what to do, and its
/// ``Code`` — which the command line maps to its exit code (`cairn`: 1 failed, 2 usage, 3 busy).
public struct RunError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is. Compare with the static members (`error.code == .usage`);
    /// the set may grow.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case failed, usage, busy
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The run could not start or had to stop: a unit, the journal, the machine.
        public static let failed = Code(.failed)
        /// Bad usage or a bad pipeline (file, line and key named).
        public static let usage = Code(.usage)
        /// The run folder is in use by another live run.
        public static let busy = Code(.busy)

        public var description: String {
            switch kind {
            case .failed: "failed"
            case .usage: "usage"
            case .busy: "busy"
            }
        }
    }

    public let description: String
    public let code: Code
    /// The machine is at fault (disk full, read-only or failing file system), not the unit:
    /// a run stops instead of failing the unit.
    public var isMachineFault = false

    /// A failure (code ``Code/failed``).
    public init(_ description: String, machineFault: Bool = false) {
        self.init(description, code: .failed, machineFault: machineFault)
    }

    public init(_ description: String, code: Code, machineFault: Bool = false) {
        self.description = description
        self.code = code
        self.isMachineFault = machineFault
    }

    /// A pipeline file problem (``Code/usage``).
    public static func pipeline(_ error: PipelineError) -> RunError { RunError(error.description, code: .usage) }

    /// A usage problem.
    public static func usage(_ message: String) -> RunError { RunError(message, code: .usage) }

    /// The run folder is held by another live run.
    public static func busy(_ message: String) -> RunError { RunError(message, code: .busy) }

    /// A journal problem (``Code/failed``; ``Code/usage`` for records of a newer Cairn).
    public static func journal(_ error: JournalError) -> RunError {
        error.isNewerFormat ? .usage(error.description) : RunError(error.description)
    }
}
