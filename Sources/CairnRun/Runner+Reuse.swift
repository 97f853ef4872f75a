import CairnCore
import CairnExecutor
import CairnJournal
import Foundation

extension Runner {
    /// Takes a unit's outputs from another run that committed the same key: hard-links (or
    /// copies) them into the unit's staging paths, checks each against the digest that run
    /// journaled, and commits them like a unit that ran. False (and nothing changed) when any
    /// step fails; the unit then runs.
    func adopt(_ index: Int, from source: ResultCache.Source) -> Bool {
        let unit = plan.units[index]
        let step = plan.pipeline.steps[unit.step]
        attemptCounter += 1
        guard let staged = try? staging.prepare(unit.outputs, attempt: "\(attemptPrefix)-\(attemptCounter)") else { return false }
        for (i, path) in staged.enumerated() {
            guard Self.linkOrCopy("\(source.root)/\(source.outputs[i])", to: "\(staging.root)/\(path)") else {
                staging.discard(staged)
                observer.notice("\(plan.label(of: unit)): cannot take \(source.outputs[i]) from run \(source.run); running it instead")
                return false
            }
        }
        let outputs: [OutputDigest]
        do { outputs = try staging.commit(outputs: unit.outputs, staged: staged, names: step.outputs.map(\.name), expected: source.digests) } catch {
            staging.discard(staged)
            observer.notice("\(plan.label(of: unit)): \(error.reason) (run \(source.run)); running it instead")
            return false
        }
        let number = (history[unit.key]?.attempts ?? 0) + (sessionAttempts[index] ?? 0) + 1
        let commit = UnitCommit(key: unit.key, attempt: number, exitCode: 0, durationMs: 0, time: now(), outputs: outputs, metrics: source.metrics)
        if let sequence = append(.committed(commit)) {
            awaitingDurability.append((sequence, index))
            summary.reused += 1
        }
        return true
    }

    /// A hard link of the file `from` at `to`, or a copy where linking is not possible.
    static func linkOrCopy(_ from: String, to: String) -> Bool {
        var info = stat()
        guard RawPath.status(from, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        let linked = RawBytes.withCString(from) { f in RawBytes.withCString(to) { t in link(f, t) } }
        if linked == 0 { return true }
        let input = RawPath.open(from, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return false }
        defer { close(input) }
        let output = RawPath.open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { return false }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return false }
            if n == 0 { return true }
            let w = buffer.withUnsafeBytes { write(output, $0.baseAddress, n) }
            if w != n { return false }
        }
    }
}
