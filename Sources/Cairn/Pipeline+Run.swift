import CCairnSystem
import CairnCore
import CairnRun
import Foundation

extension Pipeline {
    /// Runs (or continues) the pipeline in `root`: outputs relative to it, the run folder in
    /// `ROOT/.cairn/runs/NAME`. Committed units are skipped; units that failed or were
    /// interrupted run again — exactly as `cairn run` does with a pipeline file.
    ///
    /// SIGINT, SIGTERM and SIGHUP stop the session: no unit starts, running closures are
    /// cancelled and shell steps get their stop signal; whatever has not ended after
    /// `options.grace` seconds is given up on (closures) or killed (processes), and journaled as
    /// interrupted. The summary's ``RunSummary/interruptedBy`` says which signal; its
    /// ``RunSummary/exitCode`` is the code `cairn` would exit with (130 for SIGINT).
    /// The session itself runs on its own thread, so closures have the whole task pool.
    ///
    /// - Parameters:
    ///   - root: the folder outputs are relative to.
    ///   - options: `-j`, grace period, time limit, selection… The default runs as many units at
    ///     once as the machine has cores, or the pipeline's ``jobs`` when set.
    ///   - handleSignals: install handlers for SIGINT, SIGTERM, SIGHUP and SIGUSR1 (once per
    ///     process) unless `options.signalFD` is given; false leaves signals to the caller.
    ///   - observer: progress and notices (``SilentObserver`` shows nothing).
    /// - Throws: ``RunError`` with code ``RunError/Code/usage`` for a bad pipeline,
    ///   ``RunError/Code/busy`` for a run folder in use, ``RunError/Code/failed`` for a journal
    ///   that cannot be written or a machine fault.
    public func run(in root: String, options: RunOptions = .thisMachine,
                    handleSignals: Bool = true, observer: any RunObserver = SilentObserver()) async throws -> RunSummary {
        let declared = self.declared
        var options = options
        options.closures = declared.closures
        if options.signalFD == nil && handleSignals { options.signalFD = SignalPipe.shared }
        let snapshot = declared.snapshot(root: root)
        let folder = declared.folder(root: root)
        let settled = options
        nonisolated(unsafe) let observer = observer  // used only by the session's thread from here on
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let summary = try RunSession.execute(snapshot: snapshot, folder: folder, options: settled, observer: observer)
                    continuation.resume(returning: summary)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// The process's signal pipe (SIGINT, SIGTERM, SIGHUP, SIGUSR1), installed once.
enum SignalPipe {
    static let shared: Int32? = {
        let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGUSR1]
        let fd = signals.withUnsafeBufferPointer { cairn_signal_pipe_install($0.baseAddress, Int32($0.count)) }
        cairn_ignore_sigpipe()
        return fd >= 0 ? fd : nil
    }()
}
