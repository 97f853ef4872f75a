/// What the kernel says an attempt used: CPU time, peak memory and I/O of its process tree.
///
/// Read when the attempt's leader process exits: CPU time and peak RSS from `wait4`'s
/// `rusage` (the leader and every descendant it waited for), I/O from `/proc/PID/io` of the
/// exited leader, read before it is reaped (it too counts waited-for descendants). Field names
/// follow Nextflow's trace where they mean the same.
public struct ResourceUsage: Sendable, Equatable {
    /// User CPU time, milliseconds.
    public var userMs: Int64
    /// System CPU time, milliseconds.
    public var systemMs: Int64
    /// Peak resident set size of the largest process, KiB (`peak_rss`).
    public var peakRSSKB: Int64
    /// Bytes read and written through system calls, cache and pipes included (`rchar`,
    /// `wchar`); -1 when the kernel did not say.
    public var rchar: Int64
    public var wchar: Int64
    /// Bytes fetched from and sent to storage (`read_bytes`, `write_bytes`); -1 when unknown.
    public var readBytes: Int64
    public var writeBytes: Int64

    public init(userMs: Int64, systemMs: Int64, peakRSSKB: Int64, rchar: Int64 = -1, wchar: Int64 = -1, readBytes: Int64 = -1, writeBytes: Int64 = -1) {
        self.userMs = userMs
        self.systemMs = systemMs
        self.peakRSSKB = peakRSSKB
        self.rchar = rchar
        self.wchar = wchar
        self.readBytes = readBytes
        self.writeBytes = writeBytes
    }
}
