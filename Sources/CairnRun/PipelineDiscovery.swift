import CairnCore
import Foundation

/// Finds the pipeline files in a folder tree for `cairn run DIR` and `cairn plan DIR`: every
/// `.yaml`, `.yml` or `.json` file whose top level has `steps` or `extends` (other YAML files,
/// such as configs, are left alone), outside hidden folders. Parents come before the files that
/// extend them, so a derived pipeline can reuse what its parent committed.
public enum PipelineDiscovery {
    /// One pipeline file found.
    public struct Entry: Sendable, Equatable {
        /// The path, as found below the folder given.
        public var file: String
        /// Absolute paths of the files it extends, nearest first.
        public var ancestors: [String]
        /// False for a template (`runnable: false`).
        public var runnable: Bool
    }

    /// The pipeline files below `folder`, parents first; `only` keeps just these files and
    /// `under` just the files below these folders (paths as the user gave them).
    public static func find(in folder: String, only: [String] = [], under: [String] = []) throws(RunError) -> [Entry] {
        let root = RunFolder.absolute(folder)
        let onlyPaths = Set(only.map(RunFolder.absolute))
        let underPaths = under.map { RunFolder.absolute($0) + "/" }
        var entries: [Entry] = []
        for relative in candidates(below: root) {
            let path = "\(root)/\(relative)"
            if !onlyPaths.isEmpty && !onlyPaths.contains(path) { continue }
            if !underPaths.isEmpty && !underPaths.contains(where: { path.hasPrefix($0) }) { continue }
            let display = (folder as NSString).appendingPathComponent(relative)
            guard let text = try? PipelineTree.text(of: display, at: path),
                let top = try? YAMLReader.read(text, file: display), let keys = top.entries?.map(\.key),
                keys.contains("steps") || keys.contains("extends")
            else { continue }
            let (merged, ancestors) = try PipelineTree(rootDir: root).read(display)
            let runnable = merged.entries?.first(where: { $0.key == "runnable" })?.value.boolValue ?? true
            entries.append(Entry(file: display, ancestors: ancestors, runnable: runnable))
        }
        if !onlyPaths.isEmpty {
            let found = Set(entries.map { RunFolder.absolute($0.file) })
            if let missing = only.first(where: { !found.contains(RunFolder.absolute($0)) }) {
                throw RunError.usage("--only \(missing): not a pipeline file below \(folder); give one that `cairn plan \(folder)` lists")
            }
        }
        return entries.enumerated().sorted { a, b in
            (a.element.ancestors.count, a.offset) < (b.element.ancestors.count, b.offset)
        }.map(\.element)
    }

    /// Files with a pipeline extension below `root`, sorted, skipping hidden folders.
    static func candidates(below root: String) -> [String] {
        var out: [String] = []
        var stack = [""]
        while let dir = stack.popLast() {
            let full = dir.isEmpty ? root : "\(root)/\(dir)"
            for name in (RawPath.entries(of: full) ?? []).sorted() where !name.hasPrefix(".") {
                let relative = dir.isEmpty ? name : "\(dir)/\(name)"
                if RawPath.isDirectory("\(root)/\(relative)") {
                    stack.append(relative)
                } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") {
                    out.append(relative)
                }
            }
        }
        return out.sorted()
    }
}
