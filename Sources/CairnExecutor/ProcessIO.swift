import CairnCore
import Foundation

/// Resource figures of an exited process: `/proc/PID/io` (read before it is reaped) and the
/// `rusage` that `wait4` returns for it.
enum ProcessIO {
    /// `rchar`, `wchar`, `read_bytes`, `write_bytes` of process `pid`; nil where `/proc` does
    /// not say. Read with plain system calls into a stack buffer: this runs once per attempt,
    /// on the runner's thread.
    static func read(_ pid: Int32) -> (rchar: Int64, wchar: Int64, readBytes: Int64, writeBytes: Int64)? {
        let fd = "/proc/\(pid)/io".withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buffer -> (Int64, Int64, Int64, Int64)? in
            let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            guard n > 0 else { return nil }
            var values: [Int64] = []  // in the file's order: rchar, wchar, syscr, syscw, read_bytes, write_bytes, …
            var current: Int64 = 0, inNumber = false
            for i in 0..<n {
                let c = buffer[i]
                if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") && inNumber {
                    current = current &* 10 &+ Int64(c - UInt8(ascii: "0"))
                } else if c == UInt8(ascii: ":") {
                    inNumber = true
                    current = 0
                } else if c == UInt8(ascii: "\n") {
                    if inNumber { values.append(current) }
                    inNumber = false
                }
            }
            guard values.count >= 6 else { return nil }
            return (values[0], values[1], values[4], values[5])
        }
    }

    static func usage(_ r: rusage, io: (rchar: Int64, wchar: Int64, readBytes: Int64, writeBytes: Int64)?) -> ResourceUsage {
        func ms(_ t: timeval) -> Int64 { Int64(t.tv_sec) * 1000 + Int64(t.tv_usec) / 1000 }
        return ResourceUsage(userMs: ms(r.ru_utime), systemMs: ms(r.ru_stime), peakRSSKB: Int64(r.ru_maxrss),
                             rchar: io?.rchar ?? -1, wchar: io?.wchar ?? -1, readBytes: io?.readBytes ?? -1, writeBytes: io?.writeBytes ?? -1)
    }
}
