import Crypto

/// A SHA-256 digest, the identity of units and the checksum of outputs.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 32 raw bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw bytes.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
        self.bytes = bytes
    }

    /// The SHA-256 of the UTF-8 bytes of `text`.
    public init(of text: String) {
        self.bytes = Array(SHA256.hash(data: Array(text.utf8)))
    }

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
        self.bytes = out
    }

    /// Lower-case hexadecimal text.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var chars = [UInt8]()
        chars.reserveCapacity(64)
        for b in bytes {
            chars.append(digits[Int(b >> 4)])
            chars.append(digits[Int(b & 0xF)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// The first 12 hex digits, enough to name a unit to a person.
    public var short: String { String(hex.prefix(12)) }

    public var description: String { hex }

    public static func < (a: Digest, b: Digest) -> Bool {
        a.bytes.lexicographicallyPrecedes(b.bytes)
    }

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
        Digest(bytes: Array(hasher.finalize()))
    }
}
