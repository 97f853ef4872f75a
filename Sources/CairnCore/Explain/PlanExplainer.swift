/// Decides, for every unit of a plan, whether a run skips it, runs it or holds it back, and
/// says why — by comparing its key with the journal's history and, when a unit's key changed,
/// its definition with the previous plan's (from the run's stored snapshot). Pure.
public struct PlanExplainer {
    public let plan: Plan
    /// The plan of the snapshot the run folder held before (nil for a new run, or when unchanged).
    public let previous: Plan?
    public let history: UnitTable
    public let selection: RunSelection
    /// The other run that committed a key (the workspace's result cache), if any.
    public let reusable: (Digest) -> String?
    /// Committed units whose `temp` outputs were deleted: they run again if a consumer must.
    public let missingTemp: Set<Int>
    /// Committed units whose declared outputs are gone, were written since by another version
    /// of the unit, or (with `--verify`) were modified, with the reason: they run again, their
    /// commit invalidated first. Their keys do not change, so what depends on them stays committed.
    public let damaged: [Int: RunReason]
    /// `history` resolved for `plan` (see ``PlanHistory``), when the caller holds it.
    let resolved: PlanHistory?

    /// - Parameter resolved: `history` already resolved for `plan` (the same plan and table);
    ///   the decisions are the same, made without looking every key up again.
    public init(plan: Plan, previous: Plan?, history: UnitTable, resolved: PlanHistory? = nil, selection: RunSelection = RunSelection(),
                reusable: @escaping (Digest) -> String? = { _ in nil }, missingTemp: Set<Int> = [], damaged: [Int: RunReason] = [:]) {
        precondition(resolved.map { $0.count == plan.units.count } ?? true, "a plan history resolved for another plan")
        self.plan = plan
        self.previous = previous
        self.history = history
        self.resolved = resolved
        self.selection = selection
        self.reusable = reusable
        self.missingTemp = missingTemp
        self.damaged = damaged
    }

    /// The decision for every unit, and the committed units a run must invalidate first.
    public func explain() -> Explanation {
        let units = plan.units
        let steps = plan.pipeline.steps
        let stepAllowed = stepsAllowed()
        let itemAllowed = selection.itemsAllowed(in: plan)
        let selected = selectedUnits(stepAllowed: stepAllowed, itemAllowed: itemAllowed)
        let keyed = steps.map { !$0.outputs.isEmpty }

        // Forcing: the named steps' selected units, then everything downstream through steps with outputs.
        var forced = [UInt8](repeating: 0, count: units.count)  // 0 no, 1 named, 2 downstream
        var forcedBy = [Int](repeating: -1, count: units.count)
        let forcing = selection.forceAll || !selection.force.isEmpty
        if forcing {
            for u in units where selected[u.index] && (selection.forceAll || selection.force.contains(steps[u.step].name)) {
                forced[u.index] = 1
            }
            for u in units where forced[u.index] == 0 {
                if let n = u.needs.first(where: { forced[$0] != 0 && keyed[units[$0].step] }) {
                    forced[u.index] = 2
                    forcedBy[u.index] = n
                }
            }
        }

        var match: [String: Int] = [:]
        if let previous {
            match.reserveCapacity(previous.units.count)
            for p in previous.units { match[Self.identity(previous, p)] = p.index }
        }

        // Each unit's decision depends only on its own history and the values above: decided on
        // every core for large plans (the history lookups dominate a resume of a million units).
        let decided = ParallelMap.map(units.count) { i in
            decide(units[i], forced: forced[i], forcedBy: forcedBy[i], selected: selected[i], match: match)
        }
        var decisions = decided.map(\.decision)
        // A committed unit whose temp outputs are gone runs again when something that runs needs
        // them (consumers come after producers, so one backward pass follows chains of temps).
        if !missingTemp.isEmpty {
            for u in units.reversed() where decisions[u.index].runs {
                for n in u.needs where missingTemp.contains(n) && decisions[n] == .done {
                    decisions[n] = .run([RunReason(.tempRecreate, detail: plan.label(of: u))])
                }
            }
        }
        // A unit runs only if everything it needs is committed or runs too. One that needs units
        // only an item selection (`--items`, `--where`, `--shard`) left out waits for them: a
        // partial run that did all it could is not a failure.
        for u in units where decisions[u.index].runs {
            var waitingFor = false
            for n in u.needs {
                switch decisions[n] {
                case .done, .run: continue
                case .waiting: waitingFor = true; continue
                case .notSelected where stepAllowed[units[n].step] && units[n].item.map { !itemAllowed[$0] } == true:
                    waitingFor = true
                    continue
                case .notSelected:
                    decisions[u.index] = .blocked("needs \(plan.label(of: units[n])), which is not committed and not selected")
                case .held, .skippedFailed:
                    decisions[u.index] = .blocked("needs \(plan.label(of: units[n])), which is held back")
                case .blocked:
                    decisions[u.index] = .blocked("needs \(plan.label(of: units[n])), which cannot run")
                }
                waitingFor = false
                break
            }
            if waitingFor { decisions[u.index] = .waiting(waitingReason(u, decisions)) }
        }
        // Forced units lose their commit before a run; damaged ones when they run again.
        let invalidate = units.indices.filter { decided[$0].invalidates && (forced[$0] != 0 || decisions[$0].runs) }
        return Explanation(plan: plan, decisions: decisions, invalidate: invalidate)
    }

    /// One unit's decision from its history, and whether a run must invalidate its commit first
    /// (forced, or damaged and run again: a later reader must not take it for committed while
    /// its outputs are gone or another version's).
    func decide(_ u: PlannedUnit, forced: UInt8, forcedBy: Int, selected: Bool, match: [String: Int]) -> (decision: UnitDecision, invalidates: Bool) {
        let units = plan.units
        // Resolved: the common case (committed, nothing to redo) reads only the unit's facts.
        let looked = resolved == nil ? history[u.key] : nil
        let committed = resolved?.facts(u.index).committed ?? looked?.committed ?? false
        let invalidates = committed && (forced != 0 || damaged[u.index] != nil)
        if committed && forced == 0 && damaged[u.index] == nil { return (.done, false) }
        let h = resolved.map { $0[u.index] } ?? looked
        var reasons: [RunReason]
        if committed && forced == 0, let damage = damaged[u.index] {
            reasons = [damage]
        } else if forced == 1 {
            reasons = [RunReason(.forced, detail: "--force")]
        } else if forced == 2 {
            reasons = [RunReason(.forcedUpstream, detail: plan.label(of: units[forcedBy]))]
        } else if h?.interrupted == true {
            reasons = [RunReason(.interrupted)]
        } else if let failure = h?.lastFailure {
            reasons = [RunReason(.failedBefore, detail: failure)]
        } else if h?.forced == true {
            reasons = [RunReason(.forced, detail: "by an earlier --force")]
        } else {
            reasons = changes(u, match: match)
        }
        let step = plan.pipeline.steps[u.step].name
        let recompute = reasons.contains { !Self.firstTimeKinds.contains($0.kind) }
        if !selected { return (.notSelected, invalidates) }
        if forced == 0, h?.forced != true, !committed, let run = reusable(u.key) {
            return (.run([RunReason(.reused, group: "reused from run \(run)")] + reasons), invalidates)
        }
        if selection.skipFailed, reasons.first?.kind == .failedBefore { return (.skippedFailed(reasons[0].detail), invalidates) }
        if selection.neverRerun.contains(step), recompute {
            let why = reasons[0].detail.isEmpty ? reasons[0].group : "\(reasons[0].group): \(reasons[0].detail)"
            return (.held("\(step) would need recomputation (\(why.split(separator: "\n").first ?? "")); --never-rerun \(step) holds it back"), invalidates)
        }
        return (.run(reasons), invalidates)
    }

    /// "waiting for 100 of 200 items (not selected or not committed)".
    func waitingReason(_ u: PlannedUnit, _ decisions: [UnitDecision]) -> String {
        var all = Set<Int>(), missing = Set<Int>()
        for n in u.needs {
            guard let item = plan.units[n].item else { continue }
            all.insert(item)
            switch decisions[n] {
            case .done, .run: break
            default: missing.insert(item)
            }
        }
        if missing.isEmpty { return "waiting for a unit it needs that waits for unselected items" }
        return "waiting for \(missing.count) of \(all.count) items (not selected or not committed)"
    }

    /// Reasons that are not a recomputation of something committed before.
    static let firstTimeKinds: Set<RunReason.Kind> = [.newItem, .newStep, .neverRan, .failedBefore, .interrupted, .reused, .tempRecreate]

    /// Which units the selection lets a run touch.
    public func selectedUnits() -> [Bool] {
        selectedUnits(stepAllowed: stepsAllowed(), itemAllowed: selection.itemsAllowed(in: plan))
    }

    func selectedUnits(stepAllowed: [Bool], itemAllowed: [Bool]) -> [Bool] {
        plan.units.map { u in
            stepAllowed[u.step] && (u.item.map { itemAllowed[$0] } ?? true) && (selection.units?.contains(u.key) ?? true)
        }
    }

    /// Which steps the selection lets a run touch (`--steps`, `--until`).
    func stepsAllowed() -> [Bool] {
        let steps = plan.pipeline.steps
        var stepAllowed = steps.map { (selection.steps?.contains($0.name) ?? true) && (!selection.aggregateOnly || $0.foreach == .once) }
        if let until = selection.until, let target = plan.pipeline.step(named: until) {
            var wanted: Set<String> = [target.name]
            var queue = [target]
            while let s = queue.popLast() {
                for d in s.dependencies where !wanted.contains(d) {
                    wanted.insert(d)
                    if let step = plan.pipeline.step(named: d) { queue.append(step) }
                }
            }
            for (i, s) in steps.enumerated() where !wanted.contains(s.name) { stepAllowed[i] = false }
        }
        return stepAllowed
    }

    /// Units of `plan` whose version in `previous` (same step and item values) has another key
    /// and writes at least one of the same output paths: when both versions ran, the file there
    /// is the one committed last, which need not be this unit's (a `--set` restart that goes back
    /// to earlier values finds the later values' outputs in place).
    public static func otherVersionsSharingOutputs(_ plan: Plan, previous: Plan) -> [Int] {
        var byIdentity: [String: Int] = [:]
        for p in previous.units where !p.outputs.isEmpty { byIdentity[identity(previous, p)] = p.index }
        return plan.units.indices.filter { i in
            let u = plan.units[i]
            guard !u.outputs.isEmpty, let m = byIdentity[identity(plan, u)] else { return false }
            let old = previous.units[m]
            return old.key != u.key && old.outputs.contains { u.outputs.contains($0) }
        }
    }

    /// The same unit across two versions of a pipeline: step name and item values.
    static func identity(_ plan: Plan, _ unit: PlannedUnit) -> String {
        "\(plan.pipeline.steps[unit.step].name)\u{1}\(unit.item.map { plan.items[$0].label(axes: plan.axisNames) } ?? "")"
    }

    /// Why a unit with no history of its own runs: what differs from its previous version.
    func changes(_ u: PlannedUnit, match: [String: Int]) -> [RunReason] {
        guard let previous else { return [RunReason(.neverRan)] }
        let step = plan.pipeline.steps[u.step]
        guard let m = match[Self.identity(plan, u)] else {
            return [RunReason(previous.pipeline.step(named: step.name) == nil ? .newStep : .newItem)]
        }
        let p = previous.units[m]
        guard history[p.key]?.committed == true else { return [RunReason(.neverRan)] }
        let old = previous.pipeline.steps[p.step]
        var reasons: [RunReason] = []
        if old.run != step.run {
            reasons.append(RunReason(.command, group: "command of step \(step.name) changed",
                                     detail: "- \(Self.abbreviate(old.run))\n+ \(Self.abbreviate(step.run))"))
        }
        if old.env != step.env {
            let before = Dictionary(old.env.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            let after = Dictionary(step.env.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            let names = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
            let detail = names.map { "\($0): \(before[$0] ?? "(unset)") → \(after[$0] ?? "(unset)")" }.joined(separator: ", ")
            reasons.append(RunReason(.env, group: "env of step \(step.name) changed", detail: detail))
        }
        if old.outputs != step.outputs { reasons.append(RunReason(.outputs, group: "outputs of step \(step.name) changed")) }
        if old.code != step.code {
            reasons.append(RunReason(.codeList, group: "code list of step \(step.name) changed", detail: step.code.joined(separator: ", ")))
        }
        let names = Set(Placeholders.paramsUsed(by: step, in: plan.pipeline) + Placeholders.paramsUsed(by: old, in: previous.pipeline))
        for name in names.sorted() {
            let a = previous.pipeline.param(name), b = plan.pipeline.param(name)
            if a != b {
                reasons.append(RunReason(.param, group: "param \(name) changed",
                                         detail: "from \(a?.description ?? "(none)") to \(b?.description ?? "(none)")"))
            }
        }
        for path in step.code where (plan.files[path] ?? nil) != (previous.files[path] ?? nil) {
            reasons.append(RunReason(.code, detail: path))
        }
        for (i, input) in step.inputs.enumerated() {
            guard case .path = input.source, i < u.inputs.count, let path = u.inputs[i].first else { continue }
            let oldPath = old.inputs.firstIndex { $0.name == input.name }.flatMap { p.inputs[$0].first }
            if (plan.files[path] ?? nil) != (oldPath.flatMap { previous.files[$0] ?? nil }) {
                reasons.append(RunReason(.input, detail: path))
            }
        }
        if u.seed != p.seed { reasons.append(RunReason(.seed, detail: "\(p.seed) → \(u.seed)")) }
        let oldNeeds = Set(p.needs.map { previous.units[$0].key })
        if let n = u.needs.first(where: { !plan.pipeline.steps[plan.units[$0].step].outputs.isEmpty && !oldNeeds.contains(plan.units[$0].key) }) {
            reasons.append(RunReason(.upstream, detail: plan.label(of: plan.units[n])))
        }
        return reasons.isEmpty ? [RunReason(.other)] : reasons
    }

    /// One line of at most 100 characters.
    static func abbreviate(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ⏎ ")
        return line.count > 100 ? String(line.prefix(99)) + "…" : line
    }
}
