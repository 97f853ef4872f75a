import CairnCore
import Foundation

extension Snapshot {
    /// This snapshot as seen from where its run folder is now.
    ///
    /// A snapshot records absolute paths (the pipeline file, the root units run in, the files
    /// the pipeline `extends`). When a project is moved or copied whole — pipeline file, outputs
    /// and `.cairn/runs/NAME` together — those paths still name the old place, and a `resume`
    /// there would write outputs where the project no longer is. So when the run folder sits in
    /// the default layout `PROJECT/.cairn/runs/NAME`, PROJECT is not the recorded root, and
    /// PROJECT holds the pipeline file under its recorded name, every recorded path below the
    /// old root's parent tree is rebased onto PROJECT (a path outside it keeps its place).
    /// A run folder chosen with `--run-dir` elsewhere keeps its recorded paths.
    /// Pipelines declared in Swift (``program``) keep theirs too: their root is chosen by the
    /// program that runs them.
    func relocated(to folder: RunFolder) -> Snapshot {
        guard program == nil, let project = folder.project, project != root else { return self }
        let name = Self.relative(pipelineFile, from: root)
        guard let name, RawPath.exists("\(project)/\(name)") else { return self }
        let old = root
        func move(_ path: String) -> String {
            guard path.hasPrefix("/"), let rel = Self.relative(path, from: old) else { return path }
            return ("\(project)/\(rel)" as NSString).standardizingPath
        }
        var out = self
        out.root = project
        out.pipelineFile = move(pipelineFile)
        out.pipeline.ancestors = pipeline.ancestors.map(move)
        out.pipeline.sources = pipeline.sources.mapValues(move)
        return out
    }

    /// `path` relative to the folder `base`, climbing with `..` as far as needed; nil when
    /// either is not absolute.
    static func relative(_ path: String, from base: String) -> String? {
        guard path.hasPrefix("/"), base.hasPrefix("/") else { return nil }
        let to = (path as NSString).standardizingPath.split(separator: "/")
        let from = (base as NSString).standardizingPath.split(separator: "/")
        var common = 0
        while common < to.count, common < from.count, to[common] == from[common] { common += 1 }
        let up = Array(repeating: "..", count: from.count - common)
        let parts = up + to[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
