/// A command to run as one process group, with its output going to a log file.
public struct Job: Sendable {
    /// The caller's token for this job (for example a unit index).
    public var id: Int
    /// A `/bin/sh -c` command line.
    public var command: String
    /// `NAME=value` strings: the whole environment of the process.
    public var environment: [String]
    /// Working folder.
    public var workingDirectory: String
    /// File that receives stdout and stderr (appended).
    public var logPath: String
    /// Seconds before the group is stopped (TERM, then KILL after `grace`); nil for none.
    public var timeout: Double?
    /// Seconds between the stop signal and KILL.
    public var grace: Double
    /// The signal that asks the job to stop (timeouts, interrupts); KILL follows after `grace`.
    public var stopSignal: Int32 = SIGTERM

    public init(id: Int, command: String, environment: [String], workingDirectory: String, logPath: String, timeout: Double?, grace: Double) {
        self.id = id
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.logPath = logPath
        self.timeout = timeout
        self.grace = grace
    }
}

/// How a job ended.
public struct JobCompletion: Sendable, Equatable {
    /// How the process ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    public var id: Int
    public var pid: Int32
    public var termination: Termination
    /// The job ran past its timeout and was stopped.
    public var timedOut: Bool
    /// The job was stopped because the executor was asked to stop everything.
    public var stopped: Bool
    /// Seconds from start to end.
    public var duration: Double

    /// The shell-style status: exit code, or 128 + signal.
    public var exitCode: Int {
        switch termination {
        case .exited(let code): Int(code)
        case .signaled(let signal): 128 + Int(signal)
        }
    }
}

/// What woke a wait.
public struct ExecutorEvents: Sendable {
    /// Jobs that ended.
    public var completions: [JobCompletion] = []
    /// Signals that arrived through the signal pipe.
    public var signals: [Int32] = []
}

/// Runs jobs. The local executor runs them as process groups on this machine; later executors
/// (SLURM workers) run chunks of units elsewhere and report through their own journal segments.
public protocol Executor: AnyObject {
    /// How many jobs may run at once.
    var slots: Int { get }
    /// Jobs running now.
    var runningCount: Int { get }
    /// Starts a job; returns its process id (also its process group id).
    func start(_ job: Job) throws(ExecutorError) -> Int32
    /// Waits until a job ends, a signal arrives, ``wake()`` is called, or the monotonic time `deadline`.
    func wait(until deadline: Double?) -> ExecutorEvents
    /// Sends each running job's stop signal to its group and KILLs what is left `grace` seconds later.
    func stopAll(grace: Double)
    /// KILLs every running job's group now.
    func killAll()
    /// Makes a pending ``wait(until:)`` return; callable from any thread.
    func wake()
}

/// A thread-safe handle that wakes an executor's pending wait.
public struct Waker: Sendable {
    let fd: Int32

    /// Wakes the wait; safe from any thread, including the journal's writer thread.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
    }
}

#if canImport(Glibc)
import Glibc
#endif
