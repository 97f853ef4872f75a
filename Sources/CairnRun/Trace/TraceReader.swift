import CairnCore
import CairnJournal
import Foundation

/// Reads a run's journal, segment by segment in replay order, and hands each attempt to a
/// callback as soon as its end is read: memory grows with the attempts open at once, not with
/// the run. Attempts still open at the end are handed over as running (a live run) or
/// interrupted (a dead session's, which the next session will close).
public struct TraceReader {
    let folder: RunFolder
    let plan: Plan
    let units: [Digest: Int]

    public init(folder: RunFolder, plan: Plan) {
        self.folder = folder
        self.plan = plan
        var units: [Digest: Int] = [:]
        units.reserveCapacity(plan.units.count)
        for u in plan.units { units[u.key] = u.index }
        self.units = units
    }

    struct Open {
        var row: TraceRow
        var usage: ResourceUsage?
    }

    struct AttemptID: Hashable {
        var key: Digest
        var attempt: Int
    }

    /// Calls `emit` once per attempt, in the order attempts ended in the journal.
    public func read(live: Bool, _ emit: (TraceRow) -> Void) throws(RunError) {
        let names: [String]
        do { names = try Journal.segments(in: folder.journal) } catch { throw .journal(error) }
        var writers: [SegmentInfo] = []
        var open: [AttemptID: Open] = [:]
        var usage: [AttemptID: ResourceUsage] = [:]
        // SLURM submissions of each unit, in journal order: a worker's attempt was submitted by
        // the latest one before it started (controllers' segments are read before their workers').
        var submitted: [Digest: [Int64]] = [:]
        for name in names {
            writers.append(SegmentInfo(host: "", bootID: "", pid: 0, time: 0))
            let own = writers.count - 1
            var current = own
            var importing = false
            do {
                _ = try SegmentReader.read("\(folder.journal)/\(name)", repair: false) { record in
                    switch record {
                    case .segmentOpened(let info):
                        writers[own] = info
                    case .imported(let info):
                        if info == writers[own] {
                            current = own
                            importing = false
                        } else {
                            if let known = writers.lastIndex(of: info) { current = known } else { writers.append(info); current = writers.count - 1 }
                            importing = true
                        }
                    case .slurmSubmitting(_, let keys, let time):
                        for key in keys { submitted[key, default: []].append(time) }
                    case .attemptStarted(let key, let attempt, _, _, let time):
                        var row = makeRow(key: key, attempt: attempt, writer: current, info: writers[current])
                        row.start = time
                        row.submit = writers[current].job.isEmpty ? time : (submitted[key]?.last { $0 <= time } ?? time)
                        row.status = .running
                        open[AttemptID(key: key, attempt: attempt)] = Open(row: row)
                    case .usage(let key, let attempt, let u):
                        usage[AttemptID(key: key, attempt: attempt)] = u
                    case .committed(let c):
                        let id = AttemptID(key: c.key, attempt: c.attempt)
                        var row = open.removeValue(forKey: id)?.row
                            ?? makeRow(key: c.key, attempt: c.attempt, writer: current, info: writers[current])
                        row.status = importing ? .merged : (row.start == nil ? .reused : .committed)
                        row.exit = c.exitCode
                        row.complete = c.time
                        row.realtimeMs = c.durationMs
                        row.usage = usage.removeValue(forKey: id)
                        emit(row)
                    case .failed(let f):
                        let id = AttemptID(key: f.key, attempt: f.attempt)
                        var row = open.removeValue(forKey: id)?.row
                            ?? makeRow(key: f.key, attempt: f.attempt, writer: current, info: writers[current])
                        row.status = f.reason.hasPrefix("timed out") ? .timedOut : .failed
                        row.exit = f.exitCode >= 0 ? f.exitCode : nil
                        if f.exitCode > 128, f.reason.hasPrefix("killed by signal") { row.signal = f.exitCode - 128 }
                        row.complete = f.time
                        row.realtimeMs = f.durationMs
                        row.reason = f.reason
                        row.usage = usage.removeValue(forKey: id)
                        emit(row)
                    case .interrupted(let key, let attempt, let time):
                        let id = AttemptID(key: key, attempt: attempt)
                        var row = open.removeValue(forKey: id)?.row
                            ?? makeRow(key: key, attempt: attempt, writer: current, info: writers[current])
                        row.status = .interrupted
                        row.complete = time
                        row.realtimeMs = row.start.map { time - $0 }
                        row.usage = usage.removeValue(forKey: id)
                        emit(row)
                    default:
                        break
                    }
                }
            } catch {
                throw .journal(error)
            }
        }
        // Still open: running in a live session, or left by one that died (interrupted).
        for (_, o) in open.sorted(by: { ($0.value.row.start ?? 0, $0.value.row.name) < ($1.value.row.start ?? 0, $1.value.row.name) }) {
            var row = o.row
            row.status = live ? .running : .interrupted
            emit(row)
        }
    }

    func makeRow(key: Digest, attempt: Int, writer: Int, info: SegmentInfo) -> TraceRow {
        var name = "?", step = "", item = "", log = ""
        if let i = units[key] {
            let unit = plan.units[i]
            name = plan.label(of: unit)
            step = plan.step(of: unit).name
            item = unit.item == nil ? "" : plan.itemLabel(of: unit)
            log = folder.log(step: step, label: plan.itemLabel(of: unit))
        }
        return TraceRow(name: name, key: key, step: step, item: item, attempt: attempt, session: writer + 1, host: info.host,
                        status: .running, slurmJob: info.job, log: log, reason: "")
    }
}
