import CairnCore

#if canImport(Glibc)
import Glibc
#endif

/// Reading a journal folder: from its checkpoint when one fits, and repairing torn tails.
extension JournalState {
    /// Reads and folds every segment of a journal folder, without building record arrays.
    /// With `repair`, torn tails are cut off (only while holding the run lock).
    ///
    /// With `useCheckpoint` (the default), starts from the folder's ``JournalCheckpoint`` when it
    /// is valid and folds only the records after it; the result is the same as a full replay
    /// (`useCheckpoint: false`), which is what happens whenever the checkpoint cannot be used.
    public init(directory: String, repair: Bool, useCheckpoint: Bool = true) throws(JournalError) {
        let names = try Journal.segments(in: directory)
        var total = 0
        for name in names {
            var info = stat()
            if stat("\(directory)/\(name)", &info) == 0 { total += Int(info.st_size) }
        }
        if useCheckpoint, var loaded = JournalCheckpoint.load(directory: directory, names: names, reserve: total / 100 + 16) {
            // Folded in place: a copy of the loaded state would copy every unit's entry.
            if try loaded.state.fold(names, directory: directory, after: loaded.coverage, repair: repair) {
                self = loaded.state
                return
            }
        }
        units.reserveCapacity(total / 100 + 16)
        _ = try fold(names, directory: directory, after: [], repair: repair)
    }

    /// Folds the segments `names` of `directory` into this state, which already holds what
    /// `covered` covers (the first segments, up to their offsets), and records the new coverage.
    /// Returns false, having folded nothing, when a covered segment other than the last one has
    /// records past its covered offset (the checkpoint is not a prefix of the replay order).
    mutating func fold(_ names: [String], directory: String, after covered: [JournalCheckpoint.Coverage], repair: Bool) throws(JournalError) -> Bool {
        // Covered segments before the last one may hold nothing after their offset but a torn tail.
        var settled: [SegmentContents] = []
        for index in 0..<max(0, covered.count - 1) {
            var grew = false
            settled.append(try SegmentReader.read("\(directory)/\(names[index])", from: covered[index].offset, repair: false) { _ in grew = true })
            if grew { return false }
        }
        if repair { try Self.cut(settled.compactMap { s in s.tornAt.map { (s.path, $0) } }) }
        var coverage: [JournalCheckpoint.Coverage] = []
        coverage.reserveCapacity(names.count)
        for (index, name) in names.enumerated() {
            let path = "\(directory)/\(name)"
            let start = index < covered.count ? covered[index].offset : 0
            if index >= covered.count {
                writers.append(SegmentInfo(host: "", bootID: "", pid: 0, time: 0))
                activity.append(WriterActivity())
                segmentWriter = writers.count - 1
                currentWriter = writers.count - 1
            }
            let segment = index < settled.count ? settled[index] : try SegmentReader.read(path, from: start, repair: repair) { apply($0) }
            bytes += segment.size
            replayedBytes += segment.size - start
            readSizes.append(segment.size)
            if let torn = segment.tornAt { tornTails.append((segment.path, torn)) }
            let end = segment.tornAt ?? segment.size
            if index < covered.count && end == covered[index].offset {
                coverage.append(covered[index])
            } else if let next = JournalCheckpoint.coverage(of: name, directory: directory, offset: end) {
                coverage.append(next)
            }
        }
        self.coverage = coverage.count == names.count ? coverage : []
        readNames = names
        return true
    }

    /// Folds, in place, what was journaled in `directory` since this state was read from it
    /// (after its ``coverage``): a running session's checkpointer keeps one state current this
    /// way instead of reading its last checkpoint back each time. Returns false when the folder
    /// changed other than by appending records; the state must then be read again.
    public mutating func refresh(directory: String) throws(JournalError) -> Bool {
        let covered = coverage
        guard !covered.isEmpty else { return false }
        let names = try Journal.segments(in: directory)
        guard covered.count <= names.count, zip(covered, names).allSatisfy({ $0.name == $1 }),
            covered.allSatisfy({ JournalCheckpoint.boundaryMatches($0, directory: directory) })
        else { return false }
        bytes = 0
        replayedBytes = 0
        readSizes = []
        tornTails = []
        return try fold(names, directory: directory, after: covered, repair: false)
    }

    /// Brings `state` up to the end of the journal in `directory` and returns it: what was
    /// appended since it was read is folded in place (``refresh(directory:)``); when the folder
    /// changed otherwise, or `state` is nil, the folder is read again. Nil when it cannot be read.
    /// (`state` is emptied while it is folded, so the fold does not copy every unit's entry.)
    public static func caughtUp(_ state: inout JournalState?, directory: String) -> JournalState? {
        var current = state
        state = nil
        if current == nil || (try? current!.refresh(directory: directory)) != true {
            current = try? JournalState(directory: directory, repair: false)
        }
        state = current
        return current
    }

    /// Whether the folder still holds exactly the segments this state was read from, each of
    /// the size read (segments only grow, so then nothing was journaled since).
    public func isCurrent(directory: String) -> Bool {
        guard let names = try? Journal.segments(in: directory), names == readNames else { return false }
        for (name, size) in zip(names, readSizes) {
            var info = stat()
            guard stat("\(directory)/\(name)", &info) == 0, Int(info.st_size) == size else { return false }
        }
        return true
    }

    /// Cuts off the torn tails this state found, as a read with `repair` would have (only
    /// while holding the run lock, and only when ``isCurrent(directory:)``).
    public func cutTornTails() throws(JournalError) {
        try Self.cut(tornTails)
    }

    /// Truncates each segment at its torn tail's offset.
    static func cut(_ tails: [(path: String, offset: Int)]) throws(JournalError) {
        for torn in tails where truncate(torn.path, off_t(torn.offset)) != 0 {
            throw JournalError.io("cannot truncate torn tail of", path: torn.path, errno: errno)
        }
    }
}
