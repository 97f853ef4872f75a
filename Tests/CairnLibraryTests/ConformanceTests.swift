import CairnTesting
import CairnTestSupport
import Foundation
import Testing

/// The conformance suite (`CairnTesting`) over every executor Cairn ships.
@Suite struct ConformanceTests {
    static let subjects: [any ExecutorSubject & StepSubject] = [ProcessSubject(), ClosureSubject(), MixedSubject(closures: false), MixedSubject(closures: true)]

    @Test(arguments: 0..<4)
    func everyExecutorBehavesTheSame(_ which: Int) {
        let scratch = TemporaryFolder()
        let problems = ExecutorConformance.check(Self.subjects[which], scratch: scratch.path)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test(arguments: 0..<4)
    func everyExecutorCommitsInterruptsAndResumes(_ which: Int) {
        let scratch = TemporaryFolder()
        let problems = RunConformance.check(Self.subjects[which], scratch: scratch.path)
        #expect(problems.isEmpty, "\(problems)")
    }
}
