/// The outcome of ``PlanExplainer``: a decision per unit, grouped for people.
public struct Explanation: Sendable {
    public let plan: Plan
    /// One per unit of ``plan``, by index.
    public let decisions: [UnitDecision]
    /// Committed units that must be invalidated in the journal before the run (forced).
    public let invalidate: [Int]

    public init(plan: Plan, decisions: [UnitDecision], invalidate: [Int]) {
        self.plan = plan
        self.decisions = decisions
        self.invalidate = invalidate
    }

    /// Units that will run because of one main reason.
    public struct Group: Sendable, Equatable {
        public var heading: String
        public var kind: RunReason.Kind
        public var count: Int
        /// Up to three distinct particulars (paths, diffs, values), in plan order.
        public var examples: [String]
        /// Whether there are more distinct particulars than ``examples`` shows.
        public var more = false
    }

    /// Counts of every kind of decision.
    public struct Counts: Sendable, Equatable {
        public var done = 0, run = 0, held = 0, skippedFailed = 0, notSelected = 0, blocked = 0, waiting = 0

        public init() {}
    }

    public var counts: Counts {
        var c = Counts()
        for d in decisions {
            switch d {
            case .done: c.done += 1
            case .run: c.run += 1
            case .held: c.held += 1
            case .skippedFailed: c.skippedFailed += 1
            case .notSelected: c.notSelected += 1
            case .blocked: c.blocked += 1
            case .waiting: c.waiting += 1
            }
        }
        return c
    }

    /// The units that run, grouped by their main reason, in order of first appearance.
    public var groups: [Group] {
        var order: [String] = []
        var groups: [String: Group] = [:]
        for d in decisions {
            guard case .run(let reasons) = d, let main = reasons.first else { continue }
            if groups[main.group] == nil {
                order.append(main.group)
                groups[main.group] = Group(heading: main.group, kind: main.kind, count: 0, examples: [])
            }
            groups[main.group]!.count += 1
            if !main.detail.isEmpty, !groups[main.group]!.examples.contains(main.detail) {
                if groups[main.group]!.examples.count < 3 { groups[main.group]!.examples.append(main.detail) } else { groups[main.group]!.more = true }
            }
        }
        return order.map { groups[$0]! }
    }

    /// Units held back, skipped as failed, or blocked, with why (for the summary).
    public var notRunning: [(unit: Int, why: String)] {
        decisions.enumerated().compactMap { i, d in
            switch d {
            case .held(let why), .blocked(let why): (i, why)
            case .skippedFailed(let why): (i, "failed before and --skip-failed is set: \(why)")
            default: nil
            }
        }
    }
}
