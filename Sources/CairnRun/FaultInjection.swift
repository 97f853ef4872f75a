import Foundation

/// Deliberate crashes at chosen points, for the fault-injection tests (never set in normal use).
///
/// - `CAIRN_FAULT=crash-after-rename=N`: SIGKILL the controller right after the Nth unit's
///   outputs are renamed into place and before its commit record is written — the window in
///   which a crash leaves final outputs that the journal does not know about. Records appended
///   before it are made durable first, so no other unit's commit is lost with it.
/// - `CAIRN_FAULT=crash-after-spawn=N:MS`: SIGKILL the controller MS milliseconds after the Nth
///   unit is spawned and before its attempt-start record is written — the window in which a
///   crash leaves processes that the journal does not know about.
struct FaultInjection {
    var crashAfterRename: Int?
    var crashAfterSpawn: (count: Int, milliseconds: Int)?
    private var renames = 0
    private var spawns = 0

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let spec = environment["CAIRN_FAULT"] else { return }
        if spec.hasPrefix("crash-after-rename="), let n = Int(spec.dropFirst("crash-after-rename=".count)), n > 0 {
            crashAfterRename = n
        }
        if spec.hasPrefix("crash-after-spawn=") {
            let parts = spec.dropFirst("crash-after-spawn=".count).split(separator: ":")
            if let n = parts.first.flatMap({ Int($0) }), n > 0 {
                crashAfterSpawn = (n, parts.count > 1 ? Int(parts[1]) ?? 0 : 0)
            }
        }
    }

    /// Called after a unit's outputs are in place, before its commit is journaled. Before the
    /// crash, `settle` makes the records already appended durable, so the crash hits exactly
    /// this one unit's window.
    mutating func outputsRenamed(settle: () -> Void) {
        guard let limit = crashAfterRename else { return }
        renames += 1
        guard renames == limit else { return }
        settle()
        kill(getpid(), SIGKILL)
    }

    /// Called after a unit is spawned, before its attempt is journaled.
    mutating func unitSpawned() {
        guard let (limit, pause) = crashAfterSpawn else { return }
        spawns += 1
        guard spawns == limit else { return }
        usleep(useconds_t(pause * 1000))
        kill(getpid(), SIGKILL)
    }
}
