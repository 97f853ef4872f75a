import CairnExecutor
import Foundation

/// For filling a big run of a *pipeline file* fast (benchmarks only): each shell attempt is run
/// in process as "create its outputs empty" — what the benchmark's no-op command `: > {out.o}`
/// does — instead of spawning `/bin/sh`. The runner, journal and outputs are the real ones, so
/// the run folder is what `cairn run` of that file leaves, minus the processes.
final class OutputsOnlyExecutor: Executor {
    let inner: InProcessExecutor
    /// SIGKILL this process when the attempt with this number (from 1) starts; 0: never.
    let killAt: Int
    var started = 0

    init(slots: Int, signalFD: Int32?, killAt: Int) {
        inner = InProcessExecutor(slots: slots, signalFD: signalFD)
        self.killAt = killAt
    }

    var slots: Int { inner.slots }
    var runningCount: Int { inner.runningCount }
    var waker: Waker { inner.waker }

    func start(_ attempt: AttemptRequest) throws(ExecutorError) -> AttemptHandle {
        started += 1
        if started == killAt { kill(getpid(), SIGKILL) }
        guard case .process(_, let environment, let folder) = attempt.work else { return try inner.start(attempt) }
        let outputs = environment.filter { $0.hasPrefix("CAIRN_OUT_") }.compactMap { $0.split(separator: "=", maxSplits: 1).last.map(String.init) }
        var request = attempt
        request.work = .closure { _ in
            for path in outputs {
                let full = path.hasPrefix("/") ? path : "\(folder)/\(path)"
                // What `: > FILE` does: one open that creates or truncates (not Foundation's
                // createFile, which writes a temporary file and renames it).
                let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
                close(fd)
            }
        }
        return try inner.start(request)
    }

    func wait(until deadline: Double?) -> ExecutorEvents { inner.wait(until: deadline) }
    func stopAll(grace: Double) { inner.stopAll(grace: grace) }
    func killAll() { inner.killAll() }
}
