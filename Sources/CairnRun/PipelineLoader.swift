import CairnCore
import Foundation

/// Reads a pipeline file and resolves its `glob` and `file` axes against the file system,
/// giving the resolved ``PipelineSpec`` that planning and snapshots use.
public struct PipelineLoader: Sendable {
    /// The largest pipeline file accepted.
    public static let maxFileSize = 8 << 20

    public init() {}

    /// Loads and resolves `file` (and the files it `extends`). `rootDir` is what `{ROOTDIR}`
    /// stands for: the folder `cairn` was pointed at (default: the current folder).
    /// `overrides` (`--set`, `--max-trials`) are applied to the resolved spec.
    public func load(file: String, rootDir: String? = nil, overrides: Overrides? = nil) throws(RunError) -> PipelineSpec {
        let path = RunFolder.absolute(file)
        let tree = try PipelineTree(rootDir: rootDir ?? FileManager.default.currentDirectoryPath).read(file)
        var spec: PipelineSpec
        do { spec = try PipelineDecoder.decode(root: tree.root, file: file) } catch { throw .pipeline(error) }
        spec.ancestors = tree.ancestors
        let root = (path as NSString).deletingLastPathComponent
        spec = try resolve(spec, root: root)
        guard let overrides else { return spec }
        do { spec = try overrides.apply(to: spec) } catch { throw .pipeline(error) }
        return try resolve(spec, root: root)  // a --set may give a glob or file axis
    }

    /// Resolves `glob` and `file` axes (relative to `root`, the pipeline folder) into lists, and
    /// `code` patterns into files.
    public func resolve(_ given: PipelineSpec, root: String) throws(RunError) -> PipelineSpec {
        var spec = given
        if let table = spec.trialsFile, !spec.axes.contains(where: { $0.group != nil }) {
            spec.axes = try trialColumns(table, root: root, spec: spec) + spec.axes
        }
        for (i, axis) in spec.axes.enumerated() {
            switch axis.source {
            case .glob(let pattern):
                spec.axes[i].source = .list(try glob(pattern, root: root, spec: spec, axis: axis.name))
            case .file(let listFile):
                spec.axes[i].source = .list(try lines(of: listFile, root: root, spec: spec, axis: axis.name))
            case .range, .list, .distribution, .column:
                break
            }
        }
        for (i, step) in spec.steps.enumerated() where !step.code.isEmpty {
            spec.steps[i].code = try codeFiles(step, root: root, spec: spec)
        }
        return spec
    }

    func glob(_ pattern: String, root: String, spec: PipelineSpec, axis: String, key: String? = nil) throws(RunError) -> [ItemValue] {
        let full = pattern.hasPrefix("/") ? pattern : "\(root)/\(pattern)"
        var result = glob_t()
        defer { globfree(&result) }
        let rc = RawBytes.withCString(full) { Glibc.glob($0, 0, nil, &result) }
        if rc == GLOB_NOMATCH { return [] }
        guard rc == 0 else { throw .pipeline(spec.error(at: key ?? "items.\(axis).glob", "cannot expand '\(pattern)' (glob error \(rc))")) }
        var out: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            guard let p = result.gl_pathv[i] else { continue }
            var path = RawBytes.string(from: UnsafeBufferPointer(start: p, count: strlen(p)).lazy.map { UInt8(bitPattern: $0) })
            if !pattern.hasPrefix("/"), path.hasPrefix(root + "/") { path = String(path.dropFirst(root.count + 1)) }
            out.append(path)
        }
        return out.sorted { RawBytes.bytes(of: $0).lexicographicallyPrecedes(RawBytes.bytes(of: $1)) }.map(ItemValue.string)
    }

    /// A step's `code` patterns resolved to files (relative to the pipeline folder), sorted.
    func codeFiles(_ step: StepSpec, root: String, spec: PipelineSpec) throws(RunError) -> [String] {
        var files = Set<String>()
        for (i, pattern) in step.code.enumerated() {
            let key = step.code.count == 1 ? "steps.\(step.name).code" : "steps.\(step.name).code[\(i)]"
            if pattern.contains(where: { "*?[".contains($0) }) {
                let matches = try glob(pattern, root: root, spec: spec, axis: "", key: key).map(\.description)
                    .filter { !RawPath.isDirectory($0.hasPrefix("/") ? $0 : "\(root)/\($0)") }
                guard !matches.isEmpty else {
                    throw .pipeline(spec.error(at: key, "'\(pattern)' matches no file; fix the pattern (relative to the pipeline file) or remove it"))
                }
                files.formUnion(matches)
            } else {
                let full = pattern.hasPrefix("/") ? pattern : "\(root)/\(pattern)"
                guard RawPath.exists(full) else {
                    throw .pipeline(spec.error(at: key, "code file '\(pattern)' does not exist; fix the path (relative to the pipeline file) or remove it"))
                }
                files.insert(pattern)
            }
        }
        return files.sorted { RawBytes.bytes(of: $0).lexicographicallyPrecedes(RawBytes.bytes(of: $1)) }
    }

    func lines(of file: String, root: String, spec: PipelineSpec, axis: String) throws(RunError) -> [ItemValue] {
        let path = file.hasPrefix("/") ? file : "\(root)/\(file)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .pipeline(spec.error(at: "items.\(axis).file", "cannot read '\(file)'; create it or fix the path (relative to the pipeline file)"))
        }
        // Lines are bytes: those that are not UTF-8 (e.g. file names) are kept exactly (see RawBytes).
        let text = RawBytes.string(from: data)
        // "\r\n" is one Character in Swift, so split on any newline rather than on "\n".
        return text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline)
            .map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map(ItemValue.string)
    }

    /// The columns of a trials file as `column` axes of one group; a column that names a param
    /// must hold the param's value in every row (and adds no axis).
    func trialColumns(_ file: String, root: String, spec: PipelineSpec) throws(RunError) -> [AxisSpec] {
        let path = file.hasPrefix("/") ? file : "\(root)/\(file)"
        guard TrialsFile.format(of: file) != nil else {
            throw .pipeline(spec.error(at: "trials", "'\(file)' is not a .csv, .json or .yaml file; save the trials in one of those"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .pipeline(spec.error(at: "trials", "cannot read '\(file)'; create it (cairn plan --save-trials) or fix the path (relative to the pipeline file)"))
        }
        let table: TrialsFile
        do { table = try TrialsFile.parse(RawBytes.string(from: data), file: file) } catch { throw .pipeline(error) }
        var axes: [AxisSpec] = []
        for (c, name) in table.columns.enumerated() {
            let values = table.rows.map { $0[c] }
            if let param = spec.param(name) {
                if let row = values.firstIndex(where: { $0 != param }) {
                    throw .pipeline(PipelineError(file: file, line: nil, key: name,
                        message: "trial \(row + 1) sets param '\(name)' to \(values[row]), but it is fixed at \(param); to vary it, make it an axis (remove it from params)"))
                }
                continue
            }
            if spec.axes.contains(where: { $0.name == name }) {
                throw .pipeline(spec.error(at: "trials", "column '\(name)' of \(file) is also an axis under items; rename one of them"))
            }
            axes.append(AxisSpec(name: name, source: .column(group: "trials", values: values)))
        }
        return axes
    }
}
