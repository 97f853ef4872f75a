@testable import CairnCore
import Foundation
import Testing

/// A digest's raw bytes, hex and ordering: what journals and checkpoints store, so they must
/// never change.
@Suite struct DigestTests {
    @Test func rawBytesRoundTripInOrder() {
        let bytes = (0..<32).map { UInt8(255 - $0 * 7 % 256) }
        let digest = bytes.withUnsafeBytes { Digest(raw: $0) }
        var out: [UInt8] = [9]
        digest.append(to: &out)
        #expect(out == [9] + bytes)
        #expect(digest.hex == bytes.map { String(format: "%02x", $0) }.joined())
    }

    @Test func theSHA256OfKnownTextIsItsPublishedValue() {
        var out: [UInt8] = []
        Digest(of: "abc").append(to: &out)
        #expect(out.map { String(format: "%02x", $0) }.joined() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
