import CairnCore
import Foundation

/// Reads a pipeline file into a ``ConfigNode`` tree, resolving `extends`: the parent file is
/// read (and its own parent, and so on), `{DIRNAME}` and `{ROOTDIR}` are replaced in each file
/// with that file's folder and the folder `cairn` was pointed at, and the child is merged over
/// the parent (``ConfigMerge``). Errors name the file they are in.
struct PipelineTree {
    /// `{ROOTDIR}`: the folder `cairn run DIR` was given, or the current folder.
    let rootDir: String

    /// The merged tree of `file` (as the user wrote it) and the absolute paths of its ancestors,
    /// nearest first.
    func read(_ file: String) throws(RunError) -> (root: ConfigNode, ancestors: [String]) {
        var visited: [String] = []
        let root = try read(file, visited: &visited)
        return (root, Array(visited.dropFirst()))
    }

    private func read(_ file: String, visited: inout [String]) throws(RunError) -> ConfigNode {
        let path = RunFolder.absolute(file)
        if visited.contains(path) {
            let chain = (visited + [path]).map(DisplayPath.relative).joined(separator: " -> ")
            throw RunError.usage("\(file): `extends` goes round in a circle (\(chain)); break the cycle")
        }
        visited.append(path)
        let text = try Self.text(of: file, at: path)
        var root: ConfigNode
        do { root = try YAMLReader.read(text, file: file) } catch { throw .pipeline(error) }
        let dir = (path as NSString).deletingLastPathComponent
        root = ConfigMerge.substitute(root, ["DIRNAME": dir, "ROOTDIR": rootDir])
        guard let entry = root.entries?.first(where: { $0.key == "extends" }) else { return root }
        guard case .scalar(let target, .string) = entry.value.value, !target.isEmpty else {
            throw .pipeline(PipelineError(file: file, line: entry.line, key: "extends", message: "expected the path of the pipeline file this one extends, found \(entry.value.typeName)"))
        }
        let parentPath = target.hasPrefix("/") ? target : (dir as NSString).appendingPathComponent(target)
        let parentName = DisplayPath.relative((parentPath as NSString).standardizingPath)
        guard FileManager.default.fileExists(atPath: parentPath) else {
            throw .pipeline(PipelineError(file: file, line: entry.line, key: "extends", message: "'\(target)' does not exist (looked for \(parentName)); fix the path, relative to this file"))
        }
        var parent = try read(parentName, visited: &visited)
        parent = ConfigMerge.tag(ConfigMerge.removing(["runnable"], from: parent), file: parentName)
        return ConfigMerge.removing(["extends"], from: ConfigMerge.merge(parent: parent, child: root))
    }

    /// The text of a pipeline file, within the size limit and valid UTF-8.
    static func text(of file: String, at path: String) throws(RunError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw RunError.usage("\(file): cannot read the pipeline file: \(String(cString: strerror(errno))); check the path")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw RunError.usage("\(file): is not a file; give the path of a pipeline YAML or JSON file") }
        guard Int(info.st_size) <= PipelineLoader.maxFileSize else {
            throw RunError.usage("\(file): the file is \(info.st_size) bytes, more than the \(PipelineLoader.maxFileSize) a pipeline file may have; move long item lists into a `file:` axis")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError.usage("\(file): cannot read the pipeline file; check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RunError.usage("\(file): the file is not UTF-8 text; save it as UTF-8")
        }
        return text
    }
}

/// `path` relative to the current folder when it is below it (for messages).
public enum DisplayPath {
    public static func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
        return path
    }
}
