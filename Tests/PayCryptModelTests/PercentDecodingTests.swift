import Foundation
import Testing

@testable import PayCryptModel

/// The URI label decoder (RFC 3986 §2.1) against Foundation's `removingPercentEncoding`, the
/// independent reference it replaces on the request path: published examples, and random labels
/// mixing plain text, valid and broken escapes, escaped UTF-8 and escaped arbitrary bytes. Where
/// Foundation repairs bytes that are not UTF-8 with U+FFFD (on Linux it sometimes does, sometimes
/// answers nil), the decoder refuses them (README "Decisions": URI labels).
@Suite("PercentDecoding against Foundation")
struct PercentDecodingTests {
    @Test("examples: escapes in either case, UTF-8, `+` kept; broken escapes and bytes that are not UTF-8 refused", arguments: [
        ("alias%2Fmy-key", "alias/my-key"),
        ("arn%3Aaws%3Apayment-cryptography%3Aus-east-2%3A111122223333%3Akey%2Fkwapwa6qaifllw2h",
         "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h"),
        ("%7euser%7Ename", "~user~name"),  // RFC 3986 §2.3: `%7E` and `~` are equivalent
        ("A%20B+C", "A B+C"),
        ("%E2%82%AC", "€"),
        ("%e2%82%ac", "€"),
        ("%2b", "+"),
        ("plain", "plain"),
        ("", ""),
        ("%", nil), ("%4", nil), ("%zz", nil), ("%4g", nil), ("a%", nil),
        ("%C3", nil),  // a lead byte without its continuation
        ("%80", nil),  // a lone continuation byte
        ("%C0%AF", nil),  // an overlong `/`
        ("%ED%A0%80", nil),  // a UTF-16 surrogate
        ("%F4%90%80%80", nil),  // above U+10FFFF
    ] as [(String, String?)])
    func examples(encoded: String, decoded: String?) {
        #expect(PercentDecoding.decode(encoded) == decoded)
        #expect(encoded.removingPercentEncoding == decoded, "the reference disagrees with the example")
    }

    @Test("random labels: the same answer as Foundation's removingPercentEncoding")
    func randomLabels() {
        let seed = testSeed(environment: "PAYCRYPT_PERCENT_SEED")
        var rng = SplitMix(seed: seed)
        var decoded = 0
        for _ in 0..<20_000 {
            let label = Self.randomLabel(&rng)
            // The generator never writes U+FFFD itself: in Foundation's answer it is a repair.
            let foundation = label.removingPercentEncoding
            let expected = foundation?.unicodeScalars.contains("\u{FFFD}") == true ? nil : foundation
            if expected != nil { decoded += 1 }
            #expect(PercentDecoding.decode(label) == expected, "seed \(seed) (PAYCRYPT_PERCENT_SEED): \(label.debugDescription)")
            #expect(PercentDecoding.decode(label[...]) == expected, "seed \(seed): a Substring")
        }
        // Both answers occur often, so that neither side of the comparison goes untested.
        #expect(decoded > 4_000 && decoded < 16_000, "seed \(seed): \(decoded) of 20,000 labels decoded")
    }

    /// A label of up to 12 pieces: plain ASCII, non-ASCII text, escaped UTF-8 of a random scalar,
    /// an escaped arbitrary byte, or a broken escape.
    static func randomLabel(_ rng: inout SplitMix) -> String {
        let hex = Array("0123456789abcdefABCDEF")
        func escape(_ byte: UInt8) -> String {
            let digits = String(byte, radix: 16, uppercase: rng.next(2) == 0)
            return "%" + (digits.count == 1 ? "0" : "") + digits
        }
        var label = ""
        for _ in 0..<rng.next(13) {
            switch rng.next(20) {
            case 0..<8:
                label.append(Character(Unicode.Scalar(UInt8(0x20 + rng.next(0x5F)))))
            case 8..<10:
                let scalars: [Unicode.Scalar] = ["é", "€", "😀", "中", "\u{7F}", "\u{0}"]
                label.unicodeScalars.append(scalars[rng.next(scalars.count)])
            case 10..<16:
                var scalar = Unicode.Scalar(UInt32(rng.next(0x11_0000))) ?? "x"
                if scalar == "\u{FFFD}" { scalar = "x" }
                for byte in String(scalar).utf8 { label += escape(byte) }
            case 16..<18:
                label += escape(UInt8(rng.next(256)))
            default:
                label += "%" + String((0..<rng.next(3)).map { _ in rng.next(3) == 0 ? "g" : hex[rng.next(hex.count)] })
            }
        }
        return label
    }
}
