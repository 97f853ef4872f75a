import CairnCore
import Foundation

/// Reads Linux's process table (`/proc`): start times and process-group members, so a later
/// controller can find what an earlier, killed one left running without mistaking a process
/// that merely reuses a pid.
public enum ProcessTable {
    /// A process: its pid, process group and start time (clock ticks since boot).
    public struct Entry: Sendable, Equatable {
        public var pid: Int32
        public var group: Int32
        public var startTicks: Int64
    }

    /// The start time of `pid` in clock ticks since boot, or nil when it does not exist.
    /// A zombie (exited, not yet reaped) still counts: its pid cannot have been reused.
    public static func startTicks(of pid: Int32) -> Int64? {
        entry(pid, zombies: true)?.startTicks
    }

    /// Whether `pid`'s environment holds exactly the entry `NAME=value` (false if unreadable).
    public static func environment(of pid: Int32, contains entry: String) -> Bool {
        let name = String(entry.prefix { $0 != "=" })
        return environmentValue(of: pid, name: name).map { "\(name)=\($0)" == entry } ?? false
    }

    /// The value of variable `name` in `pid`'s environment, or nil (absent or unreadable).
    public static func environmentValue(of pid: Int32, name: String) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        let prefix = Array((name + "=").utf8)
        for entry in data.split(separator: 0, omittingEmptySubsequences: true) where entry.starts(with: prefix) {
            return RawBytes.string(from: entry.dropFirst(prefix.count))
        }
        return nil
    }

    /// Whether `pid` is a live (not zombie) process.
    public static func isAlive(_ pid: Int32) -> Bool { entry(pid) != nil }

    /// When the live (not zombie) process `pid` started, in seconds since 1970 (to the clock
    /// tick; the boot time it counts from is whole seconds), or nil when there is none.
    public static func startTime(ofLive pid: Int32) -> Double? {
        guard let ticks = entry(pid)?.startTicks, let boot = bootTime else { return nil }
        return Double(boot) + Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The `btime` line of `/proc/stat`: when the machine booted, in seconds since 1970.
    static let bootTime: Int64? = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") { return Int64(line.dropFirst(6)) }
        return nil
    }()

    /// Every process now, or an empty list where `/proc` cannot be read.
    public static func all() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { Int32($0) }.compactMap { entry($0) }
    }

    /// Parses `/proc/PID/stat`: the command name may hold spaces and parentheses, so fields are
    /// counted from the last ')'.
    static func entry(_ pid: Int32, zombies: Bool = false) -> Entry? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0, let close = buffer[0..<n].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = buffer[(close + 2)..<n].split(separator: UInt8(ascii: " "))
        // After ')': state(0) ppid(1) pgrp(2) ... starttime is field 22 of the line, index 19 here.
        guard fields.count > 19, let state = fields[0].first, zombies || state != UInt8(ascii: "Z"),
            let group = Int32(String(decoding: fields[2], as: UTF8.self)),
            let start = Int64(String(decoding: fields[19], as: UTF8.self))
        else { return nil }
        return Entry(pid: pid, group: group, startTicks: start)
    }
}
