/// Attempt folders that a commit left empty, kept for later attempts of the session so that
/// an output does not cost a `mkdir` and an `rmdir` (see ``Staging/prepare(_:attempt:spare:)``).
///
/// At most ``limit`` are kept: where every item has an output folder of its own, a folder is
/// seldom reused and keeping each one would hold memory for every unit of the run; beyond the
/// limit the caller removes the folder at once, as before folders were reused.
struct SpareStagingFolders {
    /// The most folders kept.
    static let limit = 4096
    /// Staging folder → emptied attempt folders in it (relative to the staging root).
    private var byStagingFolder: [String: [String]] = [:]
    private(set) var count = 0
    /// Staging folders holding at least one kept folder.
    var stagingFolderCount: Int { byStagingFolder.count }

    /// An emptied attempt folder in `stagingFolder`, taken out of the store.
    mutating func take(in stagingFolder: String) -> String? {
        guard var folders = byStagingFolder[stagingFolder], let folder = folders.popLast() else { return nil }
        // An emptied list goes too: with a folder per item, its key would stay for every item.
        byStagingFolder[stagingFolder] = folders.isEmpty ? nil : folders
        count -= 1
        return folder
    }

    /// Keeps an emptied attempt folder (`STAGING/ATTEMPT`); false when the store is full (the
    /// caller removes it).
    mutating func keep(_ folder: String) -> Bool {
        guard count < Self.limit else { return false }
        byStagingFolder[RawPath.split(folder).folder, default: []].append(folder)
        count += 1
        return true
    }

    /// Every folder kept (to remove at the session's end).
    var all: [String] { byStagingFolder.values.flatMap { $0 } }
}
