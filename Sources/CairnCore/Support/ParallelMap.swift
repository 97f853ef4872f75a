import Dispatch
import Foundation

/// `(0..<count).map(body)` on every core, results in order; serially below `threshold`.
///
/// `body` must be safe to call from several threads at once: it may read shared values but
/// not change them. Planning uses it for the per-item work of large steps, which is pure.
public enum ParallelMap {
    /// `(0..<count).map(body)`, computed in chunks on every core when `count >= threshold`.
    public static func map<T>(_ count: Int, threshold: Int = 4096, _ body: (Int) -> T) -> [T] {
        let workers = ProcessInfo.processInfo.activeProcessorCount
        guard count >= threshold, count > 0, workers > 1 else { return (0..<count).map(body) }
        return withoutActuallyEscaping(body) { body in
            let call = Unchecked(body)
            // Written in place: each worker initializes only its own chunk of consecutive slots.
            return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                let slots = Unchecked(buffer)
                let chunk = (count + workers * 4 - 1) / (workers * 4)
                DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { c in
                    for i in (c * chunk)..<min(count, (c + 1) * chunk) { (slots.value.baseAddress! + i).initialize(to: call.value(i)) }
                }
                initialized = count
            }
        }
    }

    /// `for i in 0..<count { body(i) }`, in chunks on every core when `count >= threshold`;
    /// `body` must touch only what belongs to its `i`.
    public static func forEach(_ count: Int, threshold: Int = 4096, _ body: (Int) -> Void) {
        let workers = ProcessInfo.processInfo.activeProcessorCount
        guard count >= threshold, count > 0, workers > 1 else { return (0..<count).forEach(body) }
        withoutActuallyEscaping(body) { body in
            let call = Unchecked(body)
            let chunk = (count + workers * 4 - 1) / (workers * 4)
            DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { c in
                for i in (c * chunk)..<min(count, (c + 1) * chunk) { call.value(i) }
            }
        }
    }

    /// A value handed to the workers; ``map(_:threshold:_:)`` guarantees the use is safe.
    private struct Unchecked<V>: @unchecked Sendable {
        let value: V
        init(_ value: V) { self.value = value }
    }
}
