import CairnCore

/// A step as the runner's loop uses it for every unit: its spec behind one reference (copying
/// the struct would retain and release each of its many fields, four times per unit), and what
/// the loop would otherwise work out again per unit.
final class RunStep {
    let spec: StepSpec
    /// The closure of an in-process step (nil: a shell step, or a program that lacks it).
    let body: UnitBody?
    /// `stop_signal` as a number.
    let stopSignal: Int32
    /// The declared outputs' names, in order.
    let outputNames: [String]

    init(_ spec: StepSpec, closures: ClosureSteps) {
        self.spec = spec
        body = spec.isClosure ? closures[spec.name] : nil
        stopSignal = Runner.signalNumber(spec.stopSignal)
        outputNames = spec.outputs.map(\.name)
    }
}
