/// Hands a value to `DispatchQueue.concurrentPerform` workers that each touch only their own
/// part of it (a buffer they read, or their own slots of one they write); the caller
/// guarantees that, and that the value outlives the call.
struct Shared<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
