/// A path template bound to one step: what is the same for every unit of the step (`{step}`,
/// params) is rendered once, and each axis placeholder becomes the axis's position, so
/// rendering a unit's path is a loop of appends with no lookups. Pure.
///
/// It renders exactly what ``Template/render(shellQuote:positional:lookup:)`` renders (without
/// shell quoting) with the planner's lookup: `step` first, then params, then axes (only for a
/// step over items); an error binding a constant is raised when a unit renders, as it was.
struct BoundTemplate: Sendable {
    enum Part: Sendable {
        case literal(String)
        case axis(index: Int, spec: FormatSpec?)
        case printf(index: Int, spec: FormatSpec)
        case failure(TemplateError)
    }

    let parts: [Part]

    init(_ template: Template, step: String, params: (String) -> ItemValue?, axes: [String], overItems: Bool) {
        var parts: [Part] = []
        func literal(_ text: String) {
            if case .literal(let before)? = parts.last { parts[parts.count - 1] = .literal(before + text) } else { parts.append(.literal(text)) }
        }
        func constant(_ value: ItemValue, _ spec: FormatSpec?) {
            do throws(TemplateError) { literal(try spec.map { s throws(TemplateError) in try s.format(value) } ?? value.description) } catch {
                parts.append(.failure(error))
            }
        }
        for part in template.parts {
            switch part {
            case .literal(let text):
                literal(text)
            case .placeholder(let name, let spec):
                if name == "step" {
                    constant(.string(step), spec)
                } else if let value = params(name) {
                    constant(value, spec)
                } else if overItems, let a = axes.firstIndex(of: name) {
                    parts.append(.axis(index: a, spec: spec))
                } else {
                    parts.append(.failure(TemplateError("placeholder {\(name)} has no value here")))
                }
            case .printf(let index, let spec):
                parts.append(.printf(index: index, spec: spec))
            }
        }
        self.parts = parts
    }

    /// The path for an item with these axis values (empty for a `foreach: once` unit).
    func render(_ values: ItemValues) throws(TemplateError) -> String {
        if parts.count == 1, case .literal(let text) = parts[0] { return text }
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text):
                out += text
            case .axis(let a, let spec):
                let v = values[a]
                if let spec { out += try spec.format(v) } else { out += v.description }
            case .printf(let index, let spec):
                guard index < values.count else {
                    throw TemplateError("printf conversion #\(index + 1) has no axis to bind to (the pipeline has \(values.count))")
                }
                out += try spec.format(values[index])
            case .failure(let error):
                throw error
            }
        }
        return out
    }
}
