import Foundation
import Testing

@testable import PayCryptModel

/// The one-pass parser, decoder and writer against Foundation, the independent reference: random
/// documents parse to the same values as `JSONSerialization` reads them, the writer's bytes read
/// back equal, and typed decoding from the tree equals `JSONDecoder` on the bytes.
@Suite("JSONParser, JSONValueDecoder, JSONWriter against Foundation")
struct JSONParserTests {
    @Test("random documents: parse(write(v)) == v, and JSONSerialization reads the same document")
    func randomRoundTrips() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix(seed: seed)
        for _ in 0..<500 {
            let value = Self.randomValue(depth: 0, rng: &rng)
            let bytes = try value.jsonBytes()
            let parsed = try JSONValue(parsing: bytes)
            #expect(parsed == value, "seed \(seed)")
            let foundation = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            #expect(Self.equal(foundation, value), "seed \(seed): \(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test("strict grammar: what RFC 8259 refuses is refused", arguments: [
        "[1,]", "{\"a\":1,}", "01", "-", "1.", ".5", "1e", "+1", "[1 2]", "{\"a\" 1}", "{a:1}", "'a'", "\"\u{01}\"",
        "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "tru", "nul", "[", "{", "\"abc", "1 2", "NaN", "Infinity",
        "[1]]", "//c\n1", "1e999",
    ])
    func refused(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test("nesting deeper than the limit is refused without exhausting the stack")
    func depth() throws {
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try JSONValue(parsing: Array(ok.utf8)) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(deep.utf8)) }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() throws {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22]) }
        // After an ASCII prefix, and a lone continuation byte or 0xFF: the ASCII shortcut must not skip the check.
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array("\"abc".utf8) + [0xC3, 0x28, 0x22]) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array("{\"k\":\"a".utf8) + [0x80, 0x22, 0x7D]) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: [0x22, 0x41, 0xFF, 0x22]) }
        // Valid UTF-8 next to ASCII still parses.
        #expect(try JSONValue(parsing: Array("\"caf\u{E9}\"".utf8)) == .string("caf\u{E9}"))
    }

    @Test("typed decoding from the tree equals JSONDecoder on the bytes (generated shapes)")
    func decoderAgreesWithFoundation() throws {
        let bodies = [
            #"{"KeyIdentifier":"alias/k","MessageData":"00FF","GenerationAttributes":{"Algorithm":"CMAC"},"MacLength":8}"#,
            #"{"KeyIdentifier":"alias/k","MessageData":"00","GenerationAttributes":{"DukptCmac":{"KeySerialNumber":"FFFF9876543210E00001","DukptKeyVariant":"REQUEST","DukptDerivationType":"AES_128"}}}"#,
            #"{"KeyIdentifier":"alias/k","MessageData":"00","GenerationAttributes":{"EmvMac":{"MajorKeyDerivationMode":"EMV_OPTION_A","PrimaryAccountNumber":"4111111111111111","PanSequenceNumber":"00","SessionKeyDerivationMode":"VISA","SessionKeyDerivationValue":{"ApplicationTransactionCounter":"0001"}}},"Unknown":[1,2]}"#,
        ]
        for body in bodies {
            let tree = try JSONValue(parsing: Array(body.utf8))
            let fromTree = try JSONValueDecoder.decode(DataPlane.GenerateMacInput.self, from: tree)
            let fromFoundation = try JSONDecoder().decode(DataPlane.GenerateMacInput.self, from: Data(body.utf8))
            #expect(fromTree == fromFoundation)
            // And back: the writer's bytes decode to the same value.
            let written = try Wire.encodeBytes(fromTree)
            #expect(try JSONDecoder().decode(DataPlane.GenerateMacInput.self, from: Data(written)) == fromTree)
        }
        let create = #"{"KeyAttributes":{"KeyUsage":"TR31_M3_ISO_9797_3_MAC_KEY","KeyClass":"SYMMETRIC_KEY","KeyAlgorithm":"TDES_2KEY","KeyModesOfUse":{"Generate":true,"Verify":true}},"Exportable":true,"Tags":[{"Key":"a","Value":"b"}]}"#
        let tree = try JSONValue(parsing: Array(create.utf8))
        #expect(try JSONValueDecoder.decode(ControlPlane.CreateKeyInput.self, from: tree)
            == JSONDecoder().decode(ControlPlane.CreateKeyInput.self, from: Data(create.utf8)))
    }

    @Test("the writer escapes quotes, backslashes and control characters, and keeps slashes and unicode")
    func writerEscapes() throws {
        let value: JSONValue = ["k": "a\"b\\c\n\u{01}/\u{E9}", "n": 1733160000.0, "f": 1.5]
        let text = String(decoding: try value.jsonBytes(), as: UTF8.self)
        #expect(text == #"{"f":1.5,"k":"a\"b\\c\n\u0001/é","n":1733160000}"#)
        #expect(throws: (any Error).self) { try JSONValue.number(.infinity).jsonBytes() }
    }

    // MARK: helpers

    static func randomString(rng: inout SplitMix) -> String {
        let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "\u{E9}", "\u{2028}", "\u{1F600}", ",", "]", "}"]
        return String((0..<rng.next(12)).map { _ in pool[rng.next(pool.count)] })
    }

    static func randomValue(depth: Int, rng: inout SplitMix) -> JSONValue {
        switch rng.next(depth > 4 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(rng.next(2) == 0)
        case 2: return .integer(Int(truncatingIfNeeded: rng.nextUInt64()) >> rng.next(60))
        case 3:
            let d = Double(rng.nextUInt64() >> 24) + 0.25  // never integral, exactly representable
            return .number(rng.next(2) == 0 ? d : -d)
        case 4, 5: return .string(randomString(rng: &rng))
        case 6: return .array((0..<rng.next(5)).map { _ in randomValue(depth: depth + 1, rng: &rng) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<rng.next(5) { members[randomString(rng: &rng)] = randomValue(depth: depth + 1, rng: &rng) }
            return .object(members)
        }
    }

    /// Whether Foundation's reading of a document equals the value.
    static func equal(_ any: Any, _ value: JSONValue) -> Bool {
        switch value {
        case .null: return any is NSNull
        case .bool(let b): return (any as? Bool) == b || (any as? NSNumber)?.boolValue == b
        case .integer(let i): return (any as? NSNumber).map { $0.int64Value == Int64(i) || $0.doubleValue == Double(i) } ?? false
        case .number(let d): return (any as? NSNumber)?.doubleValue == d
        case .string(let s): return any as? String == s
        case .array(let a):
            guard let arr = any as? [Any], arr.count == a.count else { return false }
            return zip(arr, a).allSatisfy { equal($0, $1) }
        case .object(let o):
            guard let dict = any as? [String: Any], dict.count == o.count else { return false }
            return o.allSatisfy { k, v in dict[k].map { equal($0, v) } ?? false }
        }
    }
}
