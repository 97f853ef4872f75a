import CairnCore
import Foundation

/// Resource figures of an exited process: `/proc/PID/io` (read before it is reaped) and the
/// `rusage` that `wait4` returns for it.
enum ProcessIO {
    /// `rchar`, `wchar`, `read_bytes`, `write_bytes` of process `pid`; nil where `/proc` does not say.
    static func read(_ pid: Int32) -> [String: Int64]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return nil }
        var out: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":")
            guard parts.count == 2, let n = Int64(parts[1].trimmingCharacters(in: .whitespaces)) else { continue }
            out[String(parts[0])] = n
        }
        return out
    }

    static func usage(_ r: rusage, io: [String: Int64]?) -> ResourceUsage {
        func ms(_ t: timeval) -> Int64 { Int64(t.tv_sec) * 1000 + Int64(t.tv_usec) / 1000 }
        return ResourceUsage(userMs: ms(r.ru_utime), systemMs: ms(r.ru_stime), peakRSSKB: Int64(r.ru_maxrss),
                             rchar: io?["rchar"] ?? -1, wchar: io?["wchar"] ?? -1,
                             readBytes: io?["read_bytes"] ?? -1, writeBytes: io?["write_bytes"] ?? -1)
    }
}
