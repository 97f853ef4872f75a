import CairnExecutor
import Foundation

/// What a conformance check asks an attempt to do.
public enum Behaviour: Sendable {
    /// End successfully at once.
    case succeed
    /// End unsuccessfully at once.
    case fail
    /// Take this many seconds, ending early when asked to stop.
    case sleep(Double)
    /// Take seconds without ever looking at a stop request (a process ignoring TERM, a closure
    /// never checking cancellation).
    case ignoreStop(Double)
    /// Write `text` to the absolute `path`, then succeed.
    case write(path: String, text: String)
}

/// An executor under test: how to make it and how to express each ``Behaviour`` as work it runs.
public protocol ExecutorSubject: Sendable {
    /// For messages (`local processes`).
    var name: String { get }
    func makeExecutor(slots: Int, signalFD: Int32?) -> any Executor
    func work(_ behaviour: Behaviour) -> AttemptWork
}

/// Shell commands run by ``LocalExecutor``.
public struct ProcessSubject: ExecutorSubject {
    public init() {}
    public var name: String { "local processes" }
    public func makeExecutor(slots: Int, signalFD: Int32?) -> any Executor { LocalExecutor(slots: slots, signalFD: signalFD) }
    public func work(_ behaviour: Behaviour) -> AttemptWork {
        .process(command: ProcessSubject.command(behaviour), environment: ["PATH=/usr/bin:/bin"], workingDirectory: "/")
    }

    /// The shell command for a behaviour.
    public static func command(_ behaviour: Behaviour) -> String {
        switch behaviour {
        case .succeed: "true"
        case .fail: "exit 3"
        case .sleep(let s): "exec sleep \(s)"
        case .ignoreStop(let s): "trap '' TERM INT; sleep \(s) & wait; wait"
        case .write(let path, let text): "printf '%s' '\(text)' > '\(path)'"
        }
    }
}

/// Swift closures run by ``InProcessExecutor``.
public struct ClosureSubject: ExecutorSubject {
    public init() {}
    public var name: String { "in-process closures" }
    public func makeExecutor(slots: Int, signalFD: Int32?) -> any Executor { InProcessExecutor(slots: slots, signalFD: signalFD) }
    public func work(_ behaviour: Behaviour) -> AttemptWork { .closure(ClosureSubject.body(behaviour)) }

    /// The closure for a behaviour.
    public static func body(_ behaviour: Behaviour) -> @Sendable (AttemptLog) async throws -> Void {
        switch behaviour {
        case .succeed: return { _ in }
        case .fail: return { _ in throw SubjectFailure() }
        case .sleep(let s): return { _ in try await Task.sleep(for: .seconds(s)) }
        case .ignoreStop(let s): return { _ in
            let end = Date().addingTimeInterval(s)
            while Date() < end { usleep(1000) }  // never looks at cancellation
        }
        case .write(let path, let text): return { _ in try text.write(toFile: path, atomically: false, encoding: .utf8) }
        }
    }
}

/// ``MixedExecutor`` running either kind of work.
public struct MixedSubject: ExecutorSubject {
    /// Whether the work is closures (else shell commands).
    public let closures: Bool
    public init(closures: Bool) { self.closures = closures }
    public var name: String { closures ? "mixed executor, closures" : "mixed executor, processes" }
    public func makeExecutor(slots: Int, signalFD: Int32?) -> any Executor { MixedExecutor(slots: slots, signalFD: signalFD) }
    public func work(_ behaviour: Behaviour) -> AttemptWork {
        closures ? ClosureSubject().work(behaviour) : ProcessSubject().work(behaviour)
    }
}

/// The error a failing closure throws.
public struct SubjectFailure: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "failed on purpose" }
}
