import Foundation

/// The pure part of `extends`: merging a pipeline file over the one it extends, and the
/// `{DIRNAME}` / `{ROOTDIR}` names a file may use for folders.
public enum ConfigMerge {
    /// `child` over `parent`: mappings merge key by key, recursively, the child's value winning;
    /// anything else (scalars, lists) the child gives replaces the parent's. Parent keys keep
    /// their order; keys only the child has follow.
    public static func merge(parent: ConfigNode, child: ConfigNode) -> ConfigNode {
        guard let p = parent.entries, let c = child.entries else { return child }
        var merged = p
        for entry in c {
            if let i = merged.firstIndex(where: { $0.key == entry.key }) {
                merged[i] = .init(key: entry.key, line: entry.line, value: merge(parent: merged[i].value, child: entry.value))
            } else {
                merged.append(entry)
            }
        }
        return ConfigNode(.mapping(merged), line: child.line, file: child.file)
    }

    /// `node` with every node marked as coming from `file`.
    public static func tag(_ node: ConfigNode, file: String) -> ConfigNode {
        var out = node
        out.file = file
        switch node.value {
        case .scalar: break
        case .mapping(let entries): out.value = .mapping(entries.map { .init(key: $0.key, line: $0.line, value: tag($0.value, file: file)) })
        case .sequence(let items): out.value = .sequence(items.map { tag($0, file: file) })
        }
        return out
    }

    /// `node` with `{NAME}` replaced by `values[NAME]` in every string, for the names given.
    public static func substitute(_ node: ConfigNode, _ values: [String: String]) -> ConfigNode {
        var out = node
        switch node.value {
        case .scalar(let text, let kind):
            guard text.contains("{") else { return node }
            var replaced = text
            for (name, value) in values.sorted(by: { $0.key < $1.key }) { replaced = replaced.replacingOccurrences(of: "{\(name)}", with: value) }
            out.value = .scalar(replaced, kind)
        case .mapping(let entries): out.value = .mapping(entries.map { .init(key: $0.key, line: $0.line, value: substitute($0.value, values)) })
        case .sequence(let items): out.value = .sequence(items.map { substitute($0, values) })
        }
        return out
    }

    /// `root` without the top-level keys named.
    public static func removing(_ keys: Set<String>, from root: ConfigNode) -> ConfigNode {
        guard let entries = root.entries else { return root }
        var out = root
        out.value = .mapping(entries.filter { !keys.contains($0.key) })
        return out
    }
}
