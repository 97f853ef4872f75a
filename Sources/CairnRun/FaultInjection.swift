import Foundation

/// Deliberate crashes at chosen points, for the fault-injection tests (never set in normal use).
///
/// `CAIRN_FAULT=crash-after-rename=N`: SIGKILL the controller right after the Nth unit's outputs
/// are renamed into place and before its commit record is written — the window in which a
/// crash leaves final outputs that the journal does not know about.
struct FaultInjection {
    var crashAfterRename: Int?
    private var renames = 0

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let spec = environment["CAIRN_FAULT"], spec.hasPrefix("crash-after-rename="),
            let n = Int(spec.dropFirst("crash-after-rename=".count)), n > 0
        {
            crashAfterRename = n
        }
    }

    /// Called after a unit's outputs are in place, before its commit is journaled.
    mutating func outputsRenamed() {
        guard let limit = crashAfterRename else { return }
        renames += 1
        if renames == limit { kill(getpid(), SIGKILL) }
    }
}
