#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif


/// Lossless text for bytes that need not be UTF-8: file names and lines of item files.
///
/// Linux file names and file contents are bytes. Cairn keeps them in Swift `String`s and maps
/// each byte that is not part of valid UTF-8 to one of the 128 private-use code points
/// U+10FF80…U+10FFFF (byte `0xNN` becomes U+10FFNN), the way Python's `surrogateescape` does.
/// At the edges (process arguments and environment, file-system calls) ``bytes(of:)`` turns
/// them back into the original bytes, so a value read from a file name reaches the unit and
/// the file system byte for byte. Valid UTF-8 that encodes one of those code points is escaped
/// byte by byte too, so every byte sequence survives the round trip.
public enum RawBytes {
    /// The first of the 128 code points that stand for raw bytes 0x80…0xFF.
    static let base: UInt32 = 0x10FF00

    /// Decodes `bytes`, escaping every byte that is not part of valid UTF-8.
    public static func string(from bytes: some Collection<UInt8>) -> String {
        if let valid = String(validating: bytes, as: UTF8.self), !containsEscapes(valid) { return valid }
        let b = Array(bytes)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < b.count {
            if let (scalar, length) = scalar(in: b, at: i), scalar.value < base + 0x80 {
                out.append(scalar)
                i += length
            } else {
                out.append(Unicode.Scalar(base + UInt32(b[i]))!)
                i += 1
            }
        }
        return String(out)
    }

    /// Decodes a NUL-terminated name (a `readdir` entry) as ``string(from:)`` does, without
    /// going through a generic collection when it is valid UTF-8, as nearly every name is.
    public static func string(cString: UnsafePointer<CChar>) -> String {
        if let valid = String(validatingCString: cString), !containsEscapes(valid) { return valid }
        var length = 0
        while cString[length] != 0 { length += 1 }
        return string(from: UnsafeRawBufferPointer(start: cString, count: length))
    }

    /// The bytes `text` stands for: escaped bytes restored, everything else as UTF-8.
    public static func bytes(of text: String) -> [UInt8] {
        guard containsEscapes(text) else { return Array(text.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars {
            if s.value >= base + 0x80 {
                out.append(UInt8(s.value - base))
            } else {
                out.append(contentsOf: String(s).utf8)
            }
        }
        return out
    }

    /// Calls `body` with `text` as a NUL-terminated C string of its bytes.
    public static func withCString<R>(_ text: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        guard containsEscapes(text) else { return try text.withCString(body) }
        var raw = bytes(of: text).map { CChar(bitPattern: $0) }
        raw.append(0)
        return try raw.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// `text` for people: escaped bytes written as `\xNN`.
    public static func display(_ text: String) -> String {
        guard containsEscapes(text) else { return text }
        var out = ""
        for s in text.unicodeScalars {
            if s.value >= base + 0x80 {
                let hex = String(s.value - base, radix: 16, uppercase: true)
                out += "\\x\(hex)"
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// Whether `text` holds any escaped byte (their UTF-8 form starts with 0xF4 0x8F 0xBE/0xBF).
    public static func containsEscapes(_ text: String) -> Bool {
        // Escapes start with the byte F4, which ordinary text rarely holds: look for it with
        // memchr (a table of a million rows is tens of megabytes).
        if let found = text.utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
            guard let base = bytes.baseAddress else { return false }
            var at = 0
            while at < bytes.count, let hit = memchr(base + at, 0xF4, bytes.count - at) {
                let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if i + 2 < bytes.count, bytes[i + 1] == 0x8F, bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF { return true }
                at = i + 1
            }
            return false
        }) { return found }
        var iterator = text.utf8.makeIterator()
        while let b = iterator.next() {
            guard b == 0xF4 else { continue }
            guard let b1 = iterator.next() else { return false }
            guard b1 == 0x8F, let b2 = iterator.next() else { continue }
            if b2 == 0xBE || b2 == 0xBF { return true }
        }
        return false
    }

    /// The scalar encoded at `i`, with its length, if the bytes there are valid UTF-8.
    private static func scalar(in b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let lead = b[i]
        let length: Int
        var value: UInt32
        switch lead {
        case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard i + length <= b.count else { return nil }
        for k in 1..<length {
            let c = b[i + k]
            guard c & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(c & 0x3F)
        }
        let minimum: UInt32 = [0, 0, 0x80, 0x800, 0x10000][length]
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}
