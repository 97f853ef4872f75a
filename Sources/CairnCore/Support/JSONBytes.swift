/// Canonical JSON written straight into UTF-8 bytes, for text that is hashed many times over
/// (unit keys): the same bytes as ``CanonicalJSON`` writes, without growing a `String`.
struct JSONBytes {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends text as it is (already JSON).
    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Appends one byte as it is.
    mutating func raw(_ byte: UInt8) { bytes.append(byte) }

    /// Appends bytes as they are (already JSON).
    /// (Through a buffer pointer: appending the array itself would retain it, and planning
    /// threads that share one writer's arrays would contend on their reference counts.)
    mutating func raw(_ text: [UInt8]) { text.withUnsafeBufferPointer { bytes.append(contentsOf: $0) } }

    /// Appends a JSON string literal, escaped as ``CanonicalJSON/writeString(_:to:)`` does.
    mutating func string(_ s: String) {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        if s.utf8.contains(where: { $0 < 0x20 || $0 == quote || $0 == backslash }) {
            var text = ""
            CanonicalJSON.writeString(s, to: &text)
            raw(text)
            return
        }
        bytes.append(quote)
        bytes.append(contentsOf: s.utf8)
        bytes.append(quote)
    }

    /// Appends an item value's canonical JSON.
    mutating func value(_ v: ItemValue) {
        switch v {
        case .int(let i): raw(String(i))
        case .string(let s): string(s)
        case .bool(let b): raw(b ? "true" : "false")
        case .double: raw(v.json.text)
        }
    }

    /// Appends a digest as 64 lower-case hexadecimal digits.
    mutating func hex(_ d: Digest) {
        let (a, b, c, e) = d.words
        for w in [a, b, c, e] {
            for shift in stride(from: 60, through: 0, by: -4) {
                let n = UInt8((w >> UInt64(shift)) & 0xF)
                bytes.append(n < 10 ? UInt8(ascii: "0") + n : UInt8(ascii: "a") + n - 10)
            }
        }
    }

    /// The SHA-256 of the bytes.
    var digest: Digest { Digest(ofBytes: bytes) }

    /// The bytes as text.
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
