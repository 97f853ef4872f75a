import CairnCore
import CairnExecutor
import Logging

/// What an in-process step's closure receives for one attempt of one unit.
///
/// Output paths are staging paths: write the files there; Cairn renames them to their final
/// paths, atomically, only after the closure returns (exactly as for a shell step's
/// `{out.NAME}`), and discards them if it throws or is stopped. Paths are absolute.
public struct UnitContext: Sendable {
    /// Where the parts beyond step, seed and attempt come from.
    enum Source: Sendable {
        /// Given whole (the public initializer).
        case given(Given)
        /// One attempt of a session's unit: worked out only when the closure asks, so a closure
        /// that asks for little costs little.
        case attempt(ClosureAttempts.Attempt)
    }

    final class Given: Sendable {
        let unit: String
        let values: [String: ItemValue]
        let params: [String: ItemValue]
        let outputs: [String: String]
        let inputs: [String: [String]]
        let checkpointFolder: String?
        let itemsTotal: Int?
        let itemsPresent: Int?
        let logger: Logger

        init(unit: String, values: [String: ItemValue], params: [String: ItemValue], outputs: [String: String], inputs: [String: [String]],
             checkpointFolder: String?, itemsTotal: Int?, itemsPresent: Int?, logger: Logger) {
            (self.unit, self.values, self.params, self.outputs, self.inputs) = (unit, values, params, outputs, inputs)
            (self.checkpointFolder, self.itemsTotal, self.itemsPresent, self.logger) = (checkpointFolder, itemsTotal, itemsPresent, logger)
        }
    }

    private let source: Source

    /// The step's name.
    public let step: String
    /// The unit's seed: derived from the pipeline's seed and the item's values, the same for
    /// every step of an item and in every run.
    public let seed: Int
    /// This attempt's number (1 for the first).
    public let attempt: Int
    /// The run folder (`.cairn/runs/NAME`).
    public let runDirectory: String

    /// The unit's label (`render[sample=3]`).
    public var unit: String { part(\.unit, \.label) }

    /// The item's values by axis name (empty for a `foreach: once` step).
    public var values: [String: ItemValue] { part(\.values, \.values) }

    /// The pipeline's params by name.
    public var params: [String: ItemValue] { part(\.params, \.params) }

    /// Where to write each declared output, by name (staging paths; committed after success).
    public var outputs: [String: String] { part(\.outputs, \.outputs) }

    /// Each declared input's paths, by name (one path, or every item's for an aggregate).
    public var inputs: [String: [String]] { part(\.inputs, \.inputs) }

    /// A folder that lasts across attempts, for a `checkpoint` step; nil otherwise.
    public var checkpointFolder: String? { part(\.checkpointFolder, \.checkpointFolder) }

    /// For an aggregate: how many items the pipeline has, and how many this unit covers.
    public var itemsTotal: Int? { part(\.itemsTotal, \.itemsTotal) }

    public var itemsPresent: Int? { part(\.itemsPresent, \.itemsCovered) }

    /// Writes to the unit's log (`cairn log UNIT` shows it). Keep it in a `let` when logging
    /// often: each use of this property makes the logger anew.
    public var logger: Logger { part(\.logger, \.logger) }

    /// One part of the context, from wherever it comes from.
    private func part<T>(_ given: (Given) -> T, _ attempt: (ClosureAttempts.Attempt) -> T) -> T {
        switch source {
        case .given(let g): given(g)
        case .attempt(let a): attempt(a)
        }
    }

    public init(step: String, unit: String, values: [String: ItemValue], params: [String: ItemValue], seed: Int, attempt: Int,
                outputs: [String: String], inputs: [String: [String]], runDirectory: String, checkpointFolder: String?,
                itemsTotal: Int? = nil, itemsPresent: Int? = nil, logger: Logger) {
        self.step = step
        self.seed = seed
        self.attempt = attempt
        self.runDirectory = runDirectory
        source = .given(Given(unit: unit, values: values, params: params, outputs: outputs, inputs: inputs, checkpointFolder: checkpointFolder,
                              itemsTotal: itemsTotal, itemsPresent: itemsPresent, logger: logger))
    }

    /// The context of one attempt of a session's unit.
    init(_ attempt: ClosureAttempts.Attempt) {
        let unit = attempt.shared.plan.units[attempt.index]
        step = attempt.shared.plan.pipeline.steps[unit.step].name
        seed = unit.seed
        self.attempt = attempt.number
        runDirectory = attempt.shared.run.path
        source = .attempt(attempt)
    }

    /// A fresh generator seeded with the unit's seed (see ``UnitRandom`` for the exact numbers).
    /// Every call starts the same sequence again: keep one in a `var` and draw from it.
    public var random: UnitRandom { UnitRandom(seed: seed) }

    /// A fresh generator for the named stream of this unit (independent of other streams).
    public func random(stream: String) -> UnitRandom { UnitRandom(seed: seed, stream: stream) }

    /// The staging path of output `name`.
    public func output(_ name: String) throws(UnitContextError) -> String {
        guard let path = part({ $0.outputs[name] }, { $0.output(name) }) else { throw UnitContextError("step \(step) declares no output \(name); declare it in the step's outputs") }
        return path
    }

    /// The one path of input `name` (for an aggregate's input use ``inputs(_:)``).
    public func input(_ name: String) throws(UnitContextError) -> String {
        let paths = try inputs(name)
        guard paths.count == 1 else { throw UnitContextError("input \(name) of step \(step) has \(paths.count) paths; use inputs(\"\(name)\")") }
        return paths[0]
    }

    /// Every path of input `name`.
    public func inputs(_ name: String) throws(UnitContextError) -> [String] {
        guard let paths = part({ $0.inputs[name] }, { $0.inputs(name) }) else { throw UnitContextError("step \(step) declares no input \(name); declare it in the step's inputs") }
        return paths
    }

    /// The value of axis (or param) `name`.
    public func value(_ name: String) throws(UnitContextError) -> ItemValue {
        if let v = part({ $0.values[name] ?? $0.params[name] }, { $0.value(name) }) { return v }
        throw UnitContextError("unit \(unit) has no axis or param \(name)")
    }

    /// Whether the unit was asked to stop (an interrupt, a time limit or its timeout).
    public var isCancelled: Bool { Task.isCancelled }

    /// Throws `CancellationError` if the unit was asked to stop.
    public func checkCancellation() throws { try Task.checkCancellation() }
}

/// A closure asked its context for something the step does not declare.
public struct UnitContextError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The body of an in-process step: runs one attempt of one unit.
public typealias UnitBody = @Sendable (UnitContext) async throws -> Void

/// The closures of a pipeline's in-process steps, by step name.
public struct ClosureSteps: Sendable {
    var bodies: [String: UnitBody] = [:]

    public init(_ bodies: [String: UnitBody] = [:]) {
        self.bodies = bodies
    }

    /// The closure of step `name`.
    public subscript(name: String) -> UnitBody? {
        get { bodies[name] }
        set { bodies[name] = newValue }
    }

}
