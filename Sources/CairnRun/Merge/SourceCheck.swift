import CairnJournal
import Dispatch
import Foundation

/// Hashes a batch of a merge source's outputs against their journaled digests on every core,
/// in the background, while the merge links the previous batch (see
/// ``Staging/Batch/verify(from:paths:names:expected:)``).
final class SourceCheck: @unchecked Sendable {
    /// One unit's outputs to check.
    struct Job: Sendable {
        let paths: [String]
        let names: [String]
        let expected: [OutputDigest]
    }

    // Written by the workers (each its own slots), read after `done` is waited for.
    private var results: [Result<Bool, Staging.Failure>?]
    private let done = DispatchGroup()

    /// Starts checking `jobs` under `root`.
    init(_ jobs: [Job], root: String) {
        results = [Result<Bool, Staging.Failure>?](repeating: nil, count: jobs.count)
        // One core is left to the thread that links (the merge's critical path).
        let workers = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount - 1))
        done.enter()
        DispatchQueue.global().async { [self] in
            results.withUnsafeMutableBufferPointer { out in
                let out = Shared(out)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    for k in stride(from: w, to: jobs.count, by: workers) {
                        let job = jobs[k]
                        do throws(Staging.Failure) {
                            out.value[k] = .success(try Staging.Batch.verify(from: root, paths: job.paths, names: job.names, expected: job.expected))
                        } catch {
                            out.value[k] = .failure(error)
                        }
                    }
                }
            }
            done.leave()
        }
    }

    /// Waits for the batch: per job, whether its outputs were verified (false: not regular
    /// files, to take through staging) or why not.
    func wait() -> [Result<Bool, Staging.Failure>] {
        done.wait()
        return results.map { $0! }
    }
}
