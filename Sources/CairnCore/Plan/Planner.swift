/// Builds a ``Plan`` from a resolved pipeline. Pure: no file system, no clock.
///
/// A unit's key is the SHA-256 of canonical JSON holding: format version, step name, `run`
/// template text, env templates, `foreach`, the item's axis values, the params its templates
/// use, the unit's seed, resolved output and input paths, the content digests of the step's
/// `code` files and of the unit's inputs that no step produces, and the keys of the units it
/// needs that have outputs (so changes flow downstream; a side-effect step with no outputs
/// does not invalidate what follows it). ``UnitKeyWriter`` documents the exact object.
public enum Planner {
    /// Plans `spec`, whose axes (and `code` lists) must be resolved to plain values and files.
    ///
    /// - Parameter digest: the content digest of a file or folder (a path relative to the
    ///   pipeline folder, or absolute), nil when it does not exist. Injected: the run layer
    ///   reads files (with a stat cache); a resumed run replays the digests its snapshot stored.
    /// The items of `spec` and, per axis, the values they take: the (sampled) product of the
    /// axes, or, when an axis is a distribution, the drawn trials.
    static func expand(_ spec: PipelineSpec) throws(PipelineError) -> (items: [Item], axisValues: [[ItemValue]]) {
        if spec.optimizer != nil, spec.axes.contains(where: { $0.group != OptimizerSpec.group }) {
            return ([], spec.axes.map { _ in [] })  // no proposals yet: the optimizer has not been asked
        }
        let random = spec.axes.first { if case .distribution = $0.source { true } else { false } }
        var axisValues: [[ItemValue]] = []
        var draws: [(name: String, distribution: Distribution)] = []
        for axis in spec.axes {
            if case .distribution(let d) = axis.source {
                draws.append((axis.name, d))
                continue
            }
            guard let values = axis.literalValues else {
                throw spec.error(at: "items.\(axis.name)", "axis is not resolved (glob or file); load the pipeline through the run layer")
            }
            axisValues.append(values)
            draws.append((axis.name, .choice(values)))
        }
        guard let random else {
            return (ItemSet.expand(axes: Array(zip(spec.axes.map(\.name), axisValues)).map { ($0.0, $0.1) }, groups: spec.axes.map(\.group),
                                   sample: spec.sample), axisValues)
        }
        if let grouped = spec.axes.first(where: { $0.group != nil }) {
            throw spec.error(at: "items.\(random.name)", "distribution axes cannot be combined with a trials file (column '\(grouped.name)'); draw every axis, or list the trials")
        }
        guard let sample = spec.sample else {
            throw spec.error(at: "items.\(random.name)", "a distribution axis needs `sample: {count: N, seed: S}` (how many trials to draw), or --max-trials N")
        }
        if let empty = draws.first(where: { if case .choice(let v) = $0.distribution { v.isEmpty } else { false } }) {
            throw spec.error(at: "items.\(empty.name)", "the axis has no values to choose from; give it at least one")
        }
        let items = ItemSet.draw(axes: draws, sample: sample)
        var columns = [[ItemValue]](repeating: [], count: spec.axes.count)
        var seen = [Set<ItemValue>](repeating: [], count: spec.axes.count)
        for item in items {
            for (a, v) in item.values.enumerated() where seen[a].insert(v).inserted { columns[a].append(v) }
        }
        return (items, columns)
    }

    /// - Parameter aggregateItems: for a partial aggregate (`--aggregate-only`), per `once` step
    ///   (by index), the items it covers; the unit then needs and reads only those items' units,
    ///   and its key covers exactly them (all items: the same key as without it).
    /// - Parameter parallelFrom: steps with at least this many units are planned on every core
    ///   (the result is the same; tests compare the two ways).
    /// - Parameter draftChunk: how many units of a large step are drafted at a time (their
    ///   paths, before the serial checks); bounds the memory drafts take beside the units.
    public static func plan(
        _ spec: PipelineSpec, files digest: (String) -> Digest? = { _ in nil }, aggregateItems: [Int: [Bool]] = [:], parallelFrom: Int = 4096,
        draftChunk: Int = 65_536
    ) throws(PipelineError) -> Plan {
        let (items, axisValues) = try expand(spec)
        let order = try PipelineValidator.validate(spec, axisValues: axisValues)
        let axes = spec.axes.map(\.name)
        guard !items.isEmpty || spec.optimizer != nil else {
            throw spec.error(at: "items", "the axes produce no items (an empty axis or sample count 0); give every axis at least one value")
        }
        let seedOf = UnitSeed.deriver(runSeed: spec.seed, axes: axes)
        let itemSeeds = ParallelMap.map(items.count, threshold: parallelFrom) { seedOf(items[$0]) }
        let onceSeed = UnitSeed.derive(runSeed: spec.seed, itemJSON: "{}")

        var units: [PlannedUnit] = []
        var ranges = [Range<Int>](repeating: 0..<0, count: spec.steps.count)
        var claims = PathClaims(expected: spec.steps.reduce(0) { $0 + $1.outputs.count * ($1.foreach == .item ? items.count : 1) },
                                outputsPerUnit: spec.steps.map(\.outputs.count).max() ?? 1)
        var stepIndex: [String: Int] = [:]
        for (i, s) in spec.steps.enumerated() { stepIndex[s.name] = i }
        var files: [String: Digest?] = [:]
        func fileDigest(_ path: String) -> Digest? {
            if let known = files[path] { return known }
            let d = digest(path)
            files[path] = d
            return d
        }

        for s in order {
            let step = spec.steps[s]
            let key = "steps.\(step.name)"
            let bind = { (t: Template) in
                BoundTemplate(t, step: step.name, params: { spec.param($0) }, axes: axes, overItems: step.foreach == .item)
            }
            let outputTemplates = try step.outputs.map { o throws(PipelineError) in bind(try template(o.pattern, spec, "\(key).outputs.\(o.name)")) }
            let inputTemplates: [BoundTemplate?] = try step.inputs.map { input throws(PipelineError) -> BoundTemplate? in
                guard case .path(let pattern) = input.source else { return nil }
                return bind(try template(pattern, spec, "\(key).inputs.\(input.name)"))
            }
            let code = step.code.map { (path: $0, digest: fileDigest($0)) }
            let params = Placeholders.paramsUsed(by: step, in: spec).map { (name: $0, value: spec.param($0)!) }
            let keyWriter = UnitKeyWriter(step: step, axes: axes, code: code, params: params)
            let start = units.count
            let itemIndices: [Int?] = step.foreach == .item ? items.indices.map { $0 } : [nil]
            // The keys errors name, made once per step rather than per unit.
            let outputKeys = step.outputs.map { "\(key).outputs.\($0.name)" }
            let inputKeys = step.inputs.map { "\(key).inputs.\($0.name)" }
            // 1. Paths, per item: pure, reads only earlier steps.
            func draft(at position: Int) -> Draft {
                let itemIndex = itemIndices[position]
                let values = itemIndex.map { items[$0].values } ?? []
                var draft = Draft()
                var outputs: [String] = []
                outputs.reserveCapacity(outputTemplates.count)
                do throws(PipelineError) {
                    for (o, t) in outputTemplates.enumerated() {
                        let sub = outputKeys[o]
                        let path = try render(t, values, spec, sub)
                        try checkPath(path, spec, sub)
                        outputs.append(path)
                    }
                } catch {
                    draft.outputs = OutputPaths(outputs)
                    draft.failure = Draft.Failure(error)
                    return draft
                }
                draft.outputs = OutputPaths(outputs)
                let covered = itemIndex == nil ? aggregateItems[s] : nil
                let covers = { (u: Int) -> Bool in covered.map { mask in units[u].item.map { mask[$0] } ?? true } ?? true }
                for dep in step.dependencies {
                    let d = stepIndex[dep]!
                    if spec.steps[d].foreach == .item, let itemIndex {
                        draft.needs.append(ranges[d].lowerBound + itemIndex)
                    } else {
                        draft.needs.append(contentsOf: ranges[d].filter(covers))
                    }
                }
                for (n, input) in step.inputs.enumerated() {
                    switch input.source {
                    case .path:
                        let sub = inputKeys[n]
                        do throws(PipelineError) { draft.inputs.append([try render(inputTemplates[n]!, values, spec, sub)]) } catch {
                            draft.failure = Draft.Failure(error)
                            return draft
                        }
                        draft.external.append(draft.inputs.count - 1)
                    case .output(let other, let output):
                        let d = stepIndex[other]!
                        let o = spec.steps[d].outputs.firstIndex { $0.name == output }!
                        if spec.steps[d].foreach == .item, let itemIndex {
                            draft.inputs.append([units[ranges[d].lowerBound + itemIndex].outputs[o]])
                        } else {
                            draft.inputs.append(ranges[d].filter(covers).map { units[$0].outputs[o] })
                        }
                    }
                }
                return draft
            }
            // 2. In item order, as a serial plan would: path collisions, errors, file digests;
            //    the units, keyed in step 3. A large step's drafts are made on every core, a
            //    chunk at a time (a million drafts at once would outweigh the units).
            var external: [[(path: String, digest: Digest?)]] = []
            external.reserveCapacity(itemIndices.count)
            units.reserveCapacity(units.count + itemIndices.count)
            func place(_ draft: Draft, at position: Int) throws(PipelineError) {
                let itemIndex = itemIndices[position]
                for (o, path) in draft.outputs.enumerated() {
                    let sub = outputKeys[o]
                    let owner = claims.claim(path, unit: start + position, output: o) { u, n in u < units.count ? units[u].outputs[n] : draft.outputs[n] }
                    if let owner {
                        let ownerStep = spec.steps[owner.unit < units.count ? units[owner.unit].step : s]
                        let a = label(units, owner.unit, items, axes, spec, pending: (s, itemIndex))
                        let b = itemIndex.map { "\(step.name)[\(items[$0].label(axes: axes))]" } ?? step.name
                        throw spec.error(at: sub, "gives the same path '\(path)' as steps.\(ownerStep.name).outputs.\(ownerStep.outputs[owner.output].name) for \(a) and \(b); include every axis that varies in the pattern")
                    }
                }
                if let failure = draft.failure { throw failure.error }
                external.append(draft.external.map { i in (draft.inputs[i][0], fileDigest(draft.inputs[i][0])) })
                units.append(PlannedUnit(index: units.count, step: s, item: itemIndex, key: Self.unkeyed, seed: itemIndex.map { itemSeeds[$0] } ?? onceSeed,
                                         outputs: draft.outputs, inputs: draft.inputs, needs: draft.needs))
            }
            var position = 0
            while position < itemIndices.count {
                let first = position, chunk = min(itemIndices.count - position, max(1, draftChunk))
                for draft in ParallelMap.map(chunk, threshold: parallelFrom, { draft(at: first + $0) }) {
                    try place(draft, at: position)
                    position += 1
                }
            }
            // 3. Keys, on every core for a large step, written into the units in place (a unit
            //    reads only the keys of earlier steps' units).
            units.withUnsafeMutableBufferPointer { all in
                let all = UncheckedUnits(all)
                ParallelMap.forEach(external.count, threshold: parallelFrom) { position in
                    let unit = all.units[start + position]
                    let keyed = unit.needs.filter { !spec.steps[all.units[$0].step].outputs.isEmpty }
                    all.units[start + position].key = keyWriter.key(values: unit.item.map { items[$0].values } ?? [], seed: unit.seed, outputs: unit.outputs,
                                                                    inputs: unit.inputs, needs: keyed.map { all.units[$0].key }, files: external[position])
                }
            }
            ranges[s] = start..<units.count
        }
        return Plan(pipeline: spec, items: items, units: units, stepOrder: order, stepRanges: ranges, files: files)
    }

    /// A key for units before step 3 of `plan` gives them theirs.
    private static let unkeyed = Digest(bytes: [UInt8](repeating: 0, count: 32))

    /// The plan's units handed to the workers of step 3, each of which writes only its own
    /// units' keys and reads earlier steps' units.
    private struct UncheckedUnits: @unchecked Sendable {
        let units: UnsafeMutableBufferPointer<PlannedUnit>
        init(_ units: UnsafeMutableBufferPointer<PlannedUnit>) { self.units = units }
    }

    /// One unit's paths before its key (see `plan(_:files:aggregateItems:)`).
    struct Draft {
        var outputs: OutputPaths = []
        var needs: [Int] = []
        var inputs: [[String]] = []
        /// Which `inputs` are files no step produces (their digests go into the key).
        var external: [Int] = []
        /// The first error, after the outputs that rendered (an input's: after all of them);
        /// boxed, so that a million drafts stay small.
        var failure: Failure?

        final class Failure {
            let error: PipelineError
            init(_ error: PipelineError) { self.error = error }
        }
    }

    static func template(_ text: String, _ spec: PipelineSpec, _ key: String) throws(PipelineError) -> Template {
        do { return try Template(text, printf: true) } catch { throw spec.error(at: key, "\(error)") }
    }

    static func render(_ t: BoundTemplate, _ values: ItemValues, _ spec: PipelineSpec, _ key: String) throws(PipelineError) -> String {
        do { return try t.render(values) } catch {
            throw spec.error(at: key, "\(error)")
        }
    }

    /// Output paths must stay inside the pipeline folder: relative, no `..`, not empty.
    static func checkPath(_ path: String, _ spec: PipelineSpec, _ key: String) throws(PipelineError) {
        // One pass over the bytes (this runs for every output of every unit): components
        // between slashes, looking for "..", ".cairn…", NUL, and at least one real name.
        var outside = false, own = false, named = false
        var path = path
        path.withUTF8 { bytes in
            let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
            outside = bytes.first == slash
            var start = 0
            for i in 0...bytes.count {
                if i < bytes.count && bytes[i] == 0 { outside = true }
                guard i == bytes.count || bytes[i] == slash else { continue }
                let length = i - start
                if length == 2 && bytes[start] == dot && bytes[start + 1] == dot { outside = true }
                if length > 0 && !(length == 1 && bytes[start] == dot) { named = true }
                if length >= 6 && bytes[start] == dot && bytes[start + 1] == UInt8(ascii: "c") && bytes[start + 2] == UInt8(ascii: "a")
                    && bytes[start + 3] == UInt8(ascii: "i") && bytes[start + 4] == UInt8(ascii: "r") && bytes[start + 5] == UInt8(ascii: "n") {
                    own = true
                }
                start = i + 1
            }
        }
        if outside || !named {
            throw spec.error(at: key, "resolves to '\(path)', which is outside the pipeline folder; output paths must be relative and must not contain '..'")
        }
        if own {
            throw spec.error(at: key, "resolves to '\(path)', inside Cairn's own folders; choose another path")
        }
    }

    static func label(_ units: [PlannedUnit], _ index: Int, _ items: [Item], _ axes: [String], _ spec: PipelineSpec, pending: (Int, Int?)) -> String {
        let (s, item) = index < units.count ? (units[index].step, units[index].item) : pending
        let step = spec.steps[s].name
        guard let item else { return step }
        return "\(step)[\(items[item].label(axes: axes))]"
    }
}
