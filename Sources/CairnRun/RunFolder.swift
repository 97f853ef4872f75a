import CairnCore
import Foundation

/// The layout of a run folder (default `.cairn/runs/<pipeline name>/` beside the pipeline file):
///
/// - `snapshot.json`: the resolved pipeline, so `cairn resume` needs no arguments;
/// - `journal/NNNNNN-HOST-PID-NONCE.seg`: append-only segments, one writer each;
/// - `lock`: who runs it now (host, pid, start time);
/// - `logs/STEP/ITEM.log`: each unit's stdout and stderr (empty logs are removed);
/// - `snapshots/DIGEST.json`: every snapshot the run has had, so trials that a restart
///   dropped (`--set`) can still be listed as orphaned;
/// - `results.index`: what the run committed, for the other runs of the workspace (see
///   ``ResultIndex``; a cache, rewritten after each session).
public struct RunFolder: Sendable, Equatable {
    public let path: String

    public init(path: String) {
        self.path = RunFolder.absolute(path)
    }

    /// The default run folder of a pipeline file.
    public static func defaultFor(pipelineFile: String, name: String) -> RunFolder {
        let dir = (absolute(pipelineFile) as NSString).deletingLastPathComponent
        return RunFolder(path: "\(dir)/.cairn/runs/\(name)")
    }

    public var snapshot: String { "\(path)/snapshot.json" }
    public var journal: String { "\(path)/journal" }
    public var lock: String { "\(path)/lock" }
    public var logs: String { "\(path)/logs" }
    public var snapshots: String { "\(path)/snapshots" }

    /// The log file of a unit.
    public func log(step: String, label: String) -> String {
        "\(logs)/\(step)/\(Self.fileName(for: label)).log"
    }

    /// PROJECT when this folder is PROJECT/.cairn/runs/NAME (the default layout), else nil.
    public var project: String? {
        let runs = (path as NSString).deletingLastPathComponent
        let cairn = (runs as NSString).deletingLastPathComponent
        guard (runs as NSString).lastPathComponent == "runs", (cairn as NSString).lastPathComponent == ".cairn" else { return nil }
        return (cairn as NSString).deletingLastPathComponent
    }

    /// Whether the folder holds a run.
    public var exists: Bool { FileManager.default.fileExists(atPath: snapshot) }

    /// Creates the folder and its subfolders.
    public func create() throws(RunError) {
        for dir in [path, journal, logs] {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                let parent = WritableCheck.nearestExisting((dir as NSString).deletingLastPathComponent, root: "")
                let why = WritableCheck.problem(in: parent) ?? "cannot create it"
                throw RunError("cannot create run folder \(dir) (\(why)); choose another with --run-dir")
            }
        }
        if let problem = WritableCheck.problem(in: path) {
            throw RunError("run folder \(path) is not writable (\(problem)); fix it or choose another with --run-dir")
        }
    }

    /// A file name for a unit label: safe characters kept, others replaced, long names shortened.
    static func fileName(for label: String) -> String {
        var out = ""
        for s in label.unicodeScalars {
            if s.isASCII, s.properties.isAlphabetic || ("0"..."9").contains(s) || "-_.=,".unicodeScalars.contains(s) {
                out.unicodeScalars.append(s)
            } else {
                out += "_"
            }
        }
        if out.hasPrefix(".") { out = "_" + out.dropFirst() }
        if out.utf8.count > 180 { out = String(out.prefix(150)) + "-" + Digest(of: label).short }
        return out.isEmpty ? "_" : out
    }

    /// `path` made absolute against the current folder.
    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }
}

