import CairnCore
#if canImport(Glibc)
import Glibc
#endif

/// What one attempt of a unit runs.
public enum AttemptWork: Sendable {
    /// A `/bin/sh -c` command line, run as its own process group.
    /// - Parameters:
    ///   - command: the command line.
    ///   - environment: `NAME=value` strings, the process's whole environment.
    ///   - workingDirectory: the folder it runs in.
    case process(command: String, environment: [String], workingDirectory: String)
    /// A Swift closure, run in this process. It receives the attempt's log and should return
    /// soon after its task is cancelled (a stop or a timeout).
    case closure(@Sendable (AttemptLog) async throws -> Void)
}

/// One attempt to hand to an ``Executor``.
public struct AttemptRequest: Sendable {
    /// The caller's token for this attempt (for example a unit index).
    public var id: Int
    public var work: AttemptWork
    /// Where the attempt's output goes (appended), worked out when first needed: a process
    /// needs it at start, a closure only when it writes to its log.
    public var logLocator: @Sendable () -> String
    /// File that receives the attempt's output (appended).
    public var logPath: String { logLocator() }
    /// Seconds before the attempt is stopped; nil for none.
    public var timeout: Double?
    /// Seconds between the stop request and the end that is forced (KILL for a process; for a
    /// closure, giving up on it).
    public var grace: Double
    /// The signal that asks a process to stop (timeouts, interrupts); KILL follows after `grace`.
    public var stopSignal: Int32 = SIGTERM

    public init(id: Int, work: AttemptWork, logPath: String, timeout: Double?, grace: Double) {
        self.init(id: id, work: work, logLocator: { logPath }, timeout: timeout, grace: grace)
    }

    /// An attempt whose log path is worked out only when needed.
    public init(id: Int, work: AttemptWork, logLocator: @escaping @Sendable () -> String, timeout: Double?, grace: Double) {
        self.id = id
        self.work = work
        self.logLocator = logLocator
        self.timeout = timeout
        self.grace = grace
    }

    /// A shell command run as a process group.
    public init(id: Int, command: String, environment: [String], workingDirectory: String, logPath: String, timeout: Double?, grace: Double) {
        self.init(id: id, work: .process(command: command, environment: environment, workingDirectory: workingDirectory),
                  logPath: logPath, timeout: timeout, grace: grace)
    }
}

/// A started attempt: what a journal records of it.
public struct AttemptHandle: Sendable, Equatable {
    public var id: Int
    /// The process (and process group) id, for an attempt that is a process; nil otherwise.
    public var processID: Int32?
    /// The process's start time in clock ticks since boot (identifies it across pid reuse); 0 when unknown.
    public var processStartTicks: Int64 = 0

    public init(id: Int, processID: Int32?, processStartTicks: Int64 = 0) {
        self.id = id
        self.processID = processID
        self.processStartTicks = processStartTicks
    }
}

/// How an attempt ended.
public struct AttemptEnd: Sendable, Equatable {
    /// Why it ended.
    public enum Reason: Sendable, Equatable {
        /// A process exited with this status (0 is success).
        case exited(Int32)
        /// A process was killed by this signal.
        case signaled(Int32)
        /// A closure returned.
        case returned
        /// A closure threw this error (described); a closure that throws after its task was
        /// cancelled by a stop also ends this way, with ``AttemptEnd/stopped`` set.
        case threw(String)
        /// A closure did not return within the grace period after it was cancelled: it was left
        /// running, its outputs discarded.
        case abandoned
    }

    public var id: Int
    /// The process id, for an attempt that was a process.
    public var processID: Int32?
    public var reason: Reason
    /// The attempt ran past its timeout and was stopped.
    public var timedOut: Bool
    /// The attempt was stopped because the executor was asked to stop everything.
    public var stopped: Bool
    /// Seconds from start to end.
    public var duration: Double
    /// What the kernel says the attempt's processes used; nil for a closure (it shares the
    /// process with everything else).
    public var usage: ResourceUsage?

    public init(id: Int, processID: Int32?, reason: Reason, timedOut: Bool, stopped: Bool, duration: Double, usage: ResourceUsage? = nil) {
        self.id = id
        self.usage = usage
        self.processID = processID
        self.reason = reason
        self.timedOut = timedOut
        self.stopped = stopped
        self.duration = duration
    }

    /// It did its work: a process exited 0, or a closure returned.
    public var succeeded: Bool { reason == .exited(0) || reason == .returned }

    /// The shell-style status: exit code, or 128 + signal; 0 for a closure that returned, 1 for
    /// one that threw, -1 for one abandoned.
    public var exitCode: Int {
        switch reason {
        case .exited(let code): Int(code)
        case .signaled(let signal): 128 + Int(signal)
        case .returned: 0
        case .threw: 1
        case .abandoned: -1
        }
    }
}
