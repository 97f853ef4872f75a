import Crypto

/// A SHA-256 digest, the identity of units and the checksum of outputs.
///
/// Stored as four big-endian words: no heap allocation, cheap to hash and compare.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible {
    let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// Wraps 32 raw bytes.
    public init(raw: UnsafeRawBufferPointer) {
        precondition(raw.count == 32, "a SHA-256 digest has 32 bytes")
        w0 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w1 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w2 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w3 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Wraps 32 raw bytes.
    public init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { Digest(raw: $0) }
    }

    /// The SHA-256 of the UTF-8 bytes of `text`.
    public init(of text: String) {
        var text = text
        let hash = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        self = hash.withUnsafeBytes { Digest(raw: $0) }
    }

    /// The SHA-256 of `bytes`.
    public init(ofBytes bytes: [UInt8]) {
        let hash = bytes.withUnsafeBytes { SHA256.hash(data: $0) }
        self = hash.withUnsafeBytes { Digest(raw: $0) }
    }

    /// The four words, most significant first (for writers that spell the digest themselves).
    var words: (UInt64, UInt64, UInt64, UInt64) { (w0, w1, w2, w3) }

    /// Parses 64 hexadecimal digits; nil if `hex` is not that.
    public init?(hex: String) {
        guard hex.utf8.count == 64 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(32)
        var iterator = hex.utf8.makeIterator()
        while let hi = iterator.next(), let lo = iterator.next() {
            guard let h = Digest.nibble(hi), let l = Digest.nibble(lo) else { return nil }
            out.append(h << 4 | l)
        }
        self.init(bytes: out)
    }

    /// The 32 raw bytes.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for w in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: w >> UInt64(shift))) }
        }
        return out
    }

    /// Appends the 32 raw bytes to `out`.
    public func append(to out: inout [UInt8]) {
        let words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)  // four words, no padding
        withUnsafeBytes(of: words) { out.append(contentsOf: $0) }
    }

    /// Lower-case hexadecimal text.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 64) { buffer in
            var i = 0
            for w in [w0, w1, w2, w3] {
                for shift in stride(from: 60, through: 0, by: -4) {
                    buffer[i] = digits[Int((w >> UInt64(shift)) & 0xF)]
                    i += 1
                }
            }
            return 64
        }
    }

    /// The first 12 hex digits, enough to name a unit to a person.
    public var short: String { String(hex.prefix(12)) }

    public var description: String { hex }

    public func hash(into hasher: inout Hasher) { hasher.combine(w0 ^ w2) }

    public static func < (a: Digest, b: Digest) -> Bool { (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3) }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Incremental SHA-256 over byte chunks, for hashing files as they are read.
public struct DigestBuilder {
    private var hasher = SHA256()

    /// A new, empty digest computation.
    public init() {}

    /// Feeds more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// The digest of everything fed so far.
    public func finish() -> Digest {
        hasher.finalize().withUnsafeBytes { Digest(raw: $0) }
    }
}
