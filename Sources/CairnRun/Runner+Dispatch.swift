import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

/// Dispatch: how an admitted unit's attempt is prepared (staging, rendering, resources) and
/// handed to the executor, and how its start is journaled.
extension Runner {
    func launch(_ index: Int) {
        if decisions[index].reuses, let source = cache.source(of: plan.units[index].key), adopt(index, from: source) { return }
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        let past = history[unit.key]
        let number = (past?.attempts ?? 0) + Int(sessionAttempts[index]) + 1
        sessionAttempts[index] += 1
        attemptCounter += 1
        // An in-process attempt's log path is worked out on its own thread, if it writes at all.
        let log: String? = step.isClosure ? nil : logFile(of: index)
        do throws(RunError) {
            if step.checkpoint {
                let restarts = past?.interruptions ?? 0
                guard restarts <= step.maxRestarts else {
                    throw RunError("was stopped and continued \(restarts) times, more than max_restarts (\(step.maxRestarts)); raise max_restarts or look at why it does not finish")
                }
                _ = RawPath.makeDirectories(command.checkpointFolder(unit))
            }
            let staged = unit.outputs.isEmpty ? [] : try staging.prepare(unit.outputs, attempt: "\(attemptPrefix)-\(attemptCounter)", spare: &spareStaging)
            let shown = scratch.map { root in staged.map { "\(root)/\($0)" } } ?? staged
            let resources = step.resources
            let gpus = use.take(resources)
            let work: AttemptWork
            if step.isClosure {
                guard let body = options.closures[step.name] else {
                    use.give(resources, gpus: gpus)
                    throw RunError.usage("step \(step.name) is a Swift closure step; run it with the program that declares it")
                }
                let shared = closureAttempts
                let inputs = unit.inputs.isEmpty ? [] : unit.inputs.map { $0.map(command.inputPath) }  // where this session finds them
                work = .closure { log in
                    try await body(UnitContext(ClosureAttempts.Attempt(shared: shared, index: index, number: number, staged: shown,
                                                                       inputPaths: inputs, gpus: gpus, log: log)))
                }
            } else {
                let rendered: UnitCommand.Rendered
                do { rendered = try command.render(unit, attempt: number, staged: shown) } catch {
                    use.give(resources, gpus: gpus)
                    throw RunError("cannot render the command: \(error)")
                }
                do throws(RunError) { try Self.writeInputLists(rendered.lists) } catch {
                    use.give(resources, gpus: gpus)
                    throw error
                }
                var environment = rendered.environment
                if !options.budget.gpus.isEmpty { environment.append("CUDA_VISIBLE_DEVICES=\(gpus.joined(separator: ","))") }
                work = .process(command: rendered.command, environment: environment, workingDirectory: workingDirectory)
            }
            let locate: @Sendable () -> String
            if let log { locate = { log } } else {
                let shared = closureAttempts
                locate = { shared.logPath(of: index) }
            }
            var request = AttemptRequest(id: index, work: work, logLocator: locate, timeout: step.timeout, grace: options.grace)
            request.stopSignal = Self.signalNumber(step.stopSignal)
            let logOffset = step.metrics == nil ? 0 : Self.size(of: log ?? logFile(of: index))
            let handle: AttemptHandle
            do { handle = try executor.start(request) } catch {
                use.give(resources, gpus: gpus)
                throw RunError("\(error)", machineFault: error.code.map(isMachineFault) ?? false)
            }
            faults.unitSpawned()
            attempts[index] = Attempt(number: number, staged: staged, log: log, started: MonotonicClock.now(), gpus: gpus,
                                      logOffset: logOffset, shown: shown)
            append(.attemptStarted(key: unit.key, attempt: number, pid: handle.processID ?? 0, startTicks: handle.processStartTicks, time: now()))
            progress.steps[stepSlot[unit.step]].running += 1
        } catch {
            if error.isMachineFault {
                scheduler.requeue(index)
                sessionAttempts[index] -= 1
                fatal("\(plan.label(of: unit)) could not start: \(error.description); free space or fix the folder, then run `cairn resume`")
                return
            }
            attempts[index] = Attempt(number: number, staged: [], log: log, started: MonotonicClock.now())
            fail(index, exitCode: -1, duration: 0, reason: error.description, allowRetry: false)
        }
    }

    /// Writes an aggregate's input lists (``UnitCommand``) before its attempt, anew each time,
    /// whole (a temporary file renamed into place).
    static func writeInputLists(_ lists: [(path: String, text: String)]) throws(RunError) {
        for list in lists {
            let made = RawPath.makeDirectories(RawPath.split(list.path).folder)
            guard made == 0 else { throw RunError("cannot create the folder of \(list.path): \(String(cString: strerror(made)))", machineFault: true) }
            do throws(JournalError) {
                try FramedFile.write(RawBytes.bytes(of: list.text), to: list.path, temporary: "\(list.path).\(getpid()).tmp", what: "input list")
            } catch {
                throw RunError("\(error)", machineFault: true)
            }
        }
    }
}
