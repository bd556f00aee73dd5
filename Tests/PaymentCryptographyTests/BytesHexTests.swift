import Foundation
import Testing
@testable import PaymentCryptography

/// `Bytes.fromHex` and `Bytes.hex` against a plain reference written here (Foundation's `String(format:)`
/// and `UInt8(_:radix:)`), on every byte value and on random strings of a fresh seed.
@Suite("Hex encoding and decoding")
struct BytesHexTests {
    static func referenceHex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02X", $0) }.joined()
    }

    static func referenceFromHex(_ s: String) -> [UInt8]? {
        let chars = Array(s)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            let pair = String(chars[i...i + 1])
            guard pair.allSatisfy({ $0.isASCII && $0.isHexDigit }), let b = UInt8(pair, radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }

    @Test("Every byte value encodes to two upper-case digits and decodes back, in both cases")
    func everyByte() {
        let all = (0...255).map { UInt8($0) }
        let hex = Bytes.hex(all)
        #expect(hex == Self.referenceHex(all))
        #expect(Bytes.fromHex(hex) == all)
        #expect(Bytes.fromHex(hex.lowercased()) == all)
        #expect(Bytes.hex([UInt8]()) == "" && Bytes.fromHex("") == [])
        #expect(Bytes.hex(all[3..<7]) == "03040506")  // a slice
        #expect(Bytes.hex(AnySequence(all.prefix(2))) == "0001")  // a sequence without contiguous storage
    }

    @Test("Odd lengths and every non-hex character are refused")
    func refusals() {
        #expect(Bytes.fromHex("ABC") == nil)
        for scalar in (0...0x7F).compactMap(Unicode.Scalar.init) where !"0123456789abcdefABCDEF".unicodeScalars.contains(scalar) {
            #expect(Bytes.fromHex("0\(Character(scalar))") == nil, "\(scalar.value)")
            #expect(Bytes.fromHex("\(Character(scalar))0") == nil, "\(scalar.value)")
        }
        #expect(Bytes.fromHex("0é") == nil && Bytes.fromHex("é0") == nil)
        #expect(Bytes.fromHex("00112233"[...]) == [0x00, 0x11, 0x22, 0x33])  // a Substring
    }

    @Test("Random strings: the same answer as the reference (fresh seed)")
    func random() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix64(state: seed)
        let alphabet = Array("0123456789abcdefABCDEFxg ")
        for _ in 0..<2_000 {
            let length = Int(rng.next() % 40)
            let s = String((0..<length).map { _ in alphabet[Int(rng.next() % (rng.next() % 8 == 0 ? UInt64(alphabet.count) : 22))] })
            #expect(Bytes.fromHex(s) == Self.referenceFromHex(s), "seed \(seed): \(s)")
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(Bytes.hex(bytes) == Self.referenceHex(bytes), "seed \(seed)")
        }
        print("Hex differential: 2000 strings, seed \(seed)")
    }
}
