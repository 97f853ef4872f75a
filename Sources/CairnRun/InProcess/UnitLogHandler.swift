import CairnExecutor
import Foundation
import Logging

/// A swift-log handler that appends to an in-process attempt's log: one line per message,
/// `LEVEL message key=value …`.
struct UnitLogHandler: LogHandler {
    let log: AttemptLog
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        var all = metadata
        if let extra { all.merge(extra) { $1 } }
        var text = "\(level.rawValue.uppercased()) \(message)"
        for key in all.keys.sorted() { text += " \(key)=\(all[key]!)" }
        log.write(text + "\n")
    }
}
