import Testing
@testable import PaymentCryptography

/// AS2805 key exchange as README, "AS2805 key exchange" writes it (no vector is published; the
/// formulas of AWS's AS2805 samples are normative). The acceptance suite checks the service
/// against the same formulas written in Python.
@Suite("AS2805 key exchange: variants, cryptograms, KEK validation")
struct AS2805KeyExchangeTests {
    @Test("Variant KEK: the two-byte pattern repeated over the KEK")
    func variantKey() {
        let kek = h("0123456789ABCDEFFEDCBA9876543210")
        #expect(hx(AS2805KeyExchange.variantKey(kek, pattern: AS2805KeyExchange.Variant.pinEncryptionKey.pattern))
                == "29E36DA7A16BE52FD61C92585E941AD0")
        #expect(hx(AS2805KeyExchange.variantKey(kek, pattern: [0x82])) == "83A1C7E50B294F6D7C5E381AF4D6B092")
    }

    @Test("inv: complement, then the low bit set for odd parity")
    func invert() {
        #expect(AS2805KeyExchange.invert([0x00, 0xFF, 0x01, 0x80]) == [0xFE, 0x01, 0xFE, 0x7F])
        for b in UInt8.min...UInt8.max {
            let v = AS2805KeyExchange.invert([b])[0]
            #expect(v.nonzeroBitCount % 2 == 1 && v & 0xFE == ~b & 0xFE)
        }
    }

    @Test("A cryptogram opens under the same variant only", arguments: AS2805KeyExchange.Variant.allCases)
    func roundTrip(_ variant: AS2805KeyExchange.Variant) throws {
        let kek = h("0123456789ABCDEFFEDCBA9876543210"), key = h("89ABCDEF0123456776543210FEDCBA98")
        let c = try AS2805KeyExchange.wrap(key, kek: kek, variant: variant)
        // TDES-CBC with a zero IV under KEK ⊕ pattern, computed from the primitives.
        let vk = try TripleDES(key: AS2805KeyExchange.variantKey(kek, pattern: variant.pattern))
        #expect(c == (try vk.encryptCBC(key)))
        #expect(try AS2805KeyExchange.unwrap(c, kek: kek, variant: variant) == key)
        for other in AS2805KeyExchange.Variant.allCases where other != variant {
            #expect(try AS2805KeyExchange.unwrap(c, kek: kek, variant: other) != key)
        }
    }

    @Test("KEK validation: the response side recovers RNDs and gives the same KRr")
    func kekValidation() throws {
        let kek = h("0123456789ABCDEFFEDCBA9876543210"), rnd = h("00112233445566778899AABBCCDDEEFF")
        let (send, receive) = try AS2805KeyExchange.kekValidation(kek: kek, random: rnd, requestPattern: [0x82, 0xC0], responsePattern: [0x84, 0xC0])
        #expect(try AS2805KeyExchange.randomOfSend(kek: kek, send: send, requestPattern: [0x82, 0xC0]) == rnd)
        let expected = try TripleDES(key: AS2805KeyExchange.variantKey(kek, pattern: [0x84, 0xC0])).encryptCBC(AS2805KeyExchange.invert(rnd))
        #expect(receive == expected)
    }
}
