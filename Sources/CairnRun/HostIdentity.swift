import Foundation

/// This machine's name and boot id, recorded with every journal segment so a later session
/// can tell whether a recorded process could still be alive.
public struct HostIdentity: Sendable, Equatable {
    public var host: String
    public var bootID: String

    public init(host: String, bootID: String) {
        self.host = host
        self.bootID = bootID
    }

    /// The current machine.
    public static let current: HostIdentity = {
        let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        return HostIdentity(host: ProcessInfo.processInfo.hostName, bootID: boot)
    }()
}
