import CairnCore
import Testing

/// Bytes that are not UTF-8 survive the trip through a Swift `String` exactly.
@Suite struct RawBytesTests {
    @Test func validUTF8IsLeftAsItIs() {
        let text = "plain ascii, café, 日本, 🎲"
        #expect(RawBytes.string(from: Array(text.utf8)) == text)
        #expect(RawBytes.bytes(of: text) == Array(text.utf8))
        #expect(!RawBytes.containsEscapes(text))
        #expect(RawBytes.display(text) == text)
        // Other characters whose UTF-8 starts with F4 are not escapes; an escape far into a long
        // text is found (the search skips ahead to each F4).
        let plane16 = String(repeating: "x", count: 5000) + "\u{100000}\u{10FF7F}" + String(repeating: "y", count: 5000)
        #expect(!RawBytes.containsEscapes(plane16))
        let late = plane16 + RawBytes.string(from: [0xFF])
        #expect(RawBytes.containsEscapes(late) && RawBytes.display(late).hasSuffix("y\\xFF"))
    }

    @Test func invalidBytesAreEscapedAndRestored() {
        let bytes: [UInt8] = [0x61, 0xFF, 0x24, 0x28, 0xC3, 0x28, 0x80, 0xE2, 0x82, 0x62]
        let text = RawBytes.string(from: bytes)
        #expect(RawBytes.containsEscapes(text))
        #expect(RawBytes.bytes(of: text) == bytes)
        #expect(RawBytes.display(text) == "a\\xFF$(\\xC3(\\x80\\xE2\\x82b")
        #expect(RawBytes.withCString(text) { Array(UnsafeBufferPointer(start: $0, count: bytes.count + 1)) }
            == bytes.map { CChar(bitPattern: $0) } + [0])
    }

    @Test func overlongSurrogateAndOutOfRangeSequencesAreNotUTF8() {
        for bytes: [UInt8] in [[0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x8E]] {
            let text = RawBytes.string(from: bytes)
            #expect(text.unicodeScalars.count == bytes.count, "\(bytes)")
            #expect(RawBytes.bytes(of: text) == bytes)
        }
    }

    @Test func theEscapeCodePointsThemselvesRoundTrip() {
        // U+10FF80 and U+10FFFF written as real UTF-8 must not be read back as single bytes.
        let bytes = Array("x\u{10FF80}y\u{10FFFF}".utf8)
        #expect(RawBytes.bytes(of: RawBytes.string(from: bytes)) == bytes)
    }

    /// The `readdir` path decodes exactly as the general one: valid UTF-8, escape code points
    /// written as real UTF-8, and random non-NUL bytes.
    @Test func aNulTerminatedNameDecodesAsItsBytesDo() {
        var rng = SystemRandomNumberGenerator()
        var cases: [[UInt8]] = [Array("out-7.txt".utf8), Array("é😀".utf8), Array("x\u{10FF80}y".utf8), [0x66, 0xFF, 0x67], []]
        for _ in 0..<2000 { cases.append((0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 1...0xFF, using: &rng) }) }
        for bytes in cases {
            let decoded = (bytes.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { RawBytes.string(cString: $0.baseAddress!) }
            #expect(decoded == RawBytes.string(from: bytes), "\(bytes)")
            #expect(RawBytes.bytes(of: decoded) == bytes, "\(bytes)")
        }
    }

    @Test func randomBytesRoundTrip() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let count = Int.random(in: 0...24, using: &rng)
            // Bias towards bytes that make multi-byte sequences.
            let bytes = (0..<count).map { _ in
                Bool.random(using: &rng) ? UInt8.random(in: 0x80...0xFF, using: &rng) : UInt8.random(in: 0...0xFF, using: &rng)
            }
            let text = RawBytes.string(from: bytes)
            #expect(RawBytes.bytes(of: text) == bytes, "\(bytes)")
            let distinct = bytes + [0xFF]
            #expect(RawBytes.string(from: distinct) != text)
        }
    }
}
