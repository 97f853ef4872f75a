import CairnCore
import Foundation

extension Runner {
    /// The metrics an attempt that exited 0 reports (its step's `metrics:`), read before its
    /// outputs are committed so that they are journaled with the commit; a message when the
    /// declared metrics file is missing or not a JSON object (the attempt fails).
    func metrics(of index: Int, _ attempt: Attempt) -> Result<[Metric], MetricError> {
        let unit = plan.units[index]
        guard let spec = plan.pipeline.steps[unit.step].metrics else { return .success([]) }
        switch spec {
        case .file:
            let path: String
            do {
                guard let p = try command.metricsFile(unit, attempt: attempt.number, staged: attempt.shown) else { return .success([]) }
                path = p
            } catch { return .failure(MetricError("cannot name the metrics file: \(error)")) }
            let full = path.hasPrefix("/") ? path : "\(workingDirectory)/\(path)"
            guard let data = Self.contents(of: full, from: 0) else {
                return .failure(MetricError("wrote no metrics file \(RawBytes.display(path)); write a JSON object of numbers there"))
            }
            do { return .success(try MetricParser.json(data)) } catch {
                return .failure(MetricError("metrics file \(RawBytes.display(path)) \(error.description)"))
            }
        case .log:
            return .success(MetricParser.log(Self.attemptOutput(attempt, log: attempt.log ?? logFile(of: index))))
        case .pattern(let pattern):
            do { return .success(try MetricParser.pattern(pattern, Self.attemptOutput(attempt, log: attempt.log ?? logFile(of: index)))) } catch { return .failure(error) }
        }
    }

    /// What this attempt appended to the unit's log.
    static func attemptOutput(_ attempt: Attempt, log: String) -> Substring {
        Substring(String(decoding: contents(of: log, from: attempt.logOffset) ?? [], as: UTF8.self))
    }

    /// The bytes of a file from `offset` on; nil when it cannot be opened.
    static func contents(of path: String, from offset: Int64) -> [UInt8]? {
        let fd = RawPath.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var at = offset
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(at)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            out += buffer[0..<n]
            at += Int64(n)
        }
        return out
    }

    /// The size of a file (0 when it does not exist): where an attempt's output starts in its log.
    static func size(of path: String) -> Int64 {
        var info = stat()
        return RawPath.status(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
