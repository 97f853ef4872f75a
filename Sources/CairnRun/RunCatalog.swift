import Foundation

/// Finds run folders (`.cairn/runs/NAME/snapshot.json`) below a folder.
public enum RunCatalog {
    /// A run folder and when it last changed.
    public struct Entry: Sendable {
        public var folder: RunFolder
        public var lastActivity: Date
    }

    static let skipped: Set<String> = [".build", ".git", "node_modules", ".swiftpm"]

    /// Run folders below `directory` (at most `depth` folders deep), most recently active first.
    public static func find(under directory: String, depth: Int = 5) -> [Entry] {
        var out: [Entry] = []
        walk(RunFolder.absolute(directory), depth: depth, into: &out)
        return out.sorted { $0.lastActivity > $1.lastActivity }
    }

    static func walk(_ dir: String, depth: Int, into out: inout [Entry]) {
        let fm = FileManager.default
        let runs = "\(dir)/.cairn/runs"
        if let names = try? fm.contentsOfDirectory(atPath: runs) {
            for name in names.sorted() {
                let folder = RunFolder(path: "\(runs)/\(name)")
                guard folder.exists else { continue }
                out.append(Entry(folder: folder, lastActivity: lastActivity(folder)))
            }
        }
        // Only folders are looked at: an output folder of a million files is one directory scan.
        guard depth > 0, let children = RawPath.subfolders(of: dir) else { return }
        for child in children.sorted() where !child.hasPrefix(".") && !skipped.contains(child) {
            walk("\(dir)/\(child)", depth: depth - 1, into: &out)
        }
    }

    static func lastActivity(_ folder: RunFolder) -> Date {
        let fm = FileManager.default
        var latest = (try? fm.attributesOfItem(atPath: folder.snapshot)[.modificationDate] as? Date) ?? .distantPast
        for name in (try? fm.contentsOfDirectory(atPath: folder.journal)) ?? [] where name.hasSuffix(".seg") {
            if let d = try? fm.attributesOfItem(atPath: "\(folder.journal)/\(name)")[.modificationDate] as? Date, d > latest { latest = d }
        }
        return latest
    }
}
