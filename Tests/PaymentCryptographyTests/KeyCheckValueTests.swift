import Testing
@testable import PaymentCryptography

@Suite("Key check values")
struct KeyCheckValueTests {
    @Test("ANSI X9.24 (TDES): 0123...3210 gives 08D7B4 (AWS docs); the X9.24-1 IPEK gives AF8C07")
    func tdes() throws {
        #expect(hx(try KeyCheckValue.tdes(h("0123456789ABCDEFFEDCBA9876543210"))) == "08D7B4")
        #expect(hx(try KeyCheckValue.tdes(h("6AC292FAA1315B4D858AB3A3D7D5933A"))) == "AF8C07")
        // TR-31 published blocks' keys and their KCVs (TR-31:2018 Annex A.7, ANSI X9.143:2021 §8).
        #expect(hx(try KeyCheckValue.tdes(h("3F419E1CB7079442AA37474C2EFBF8B8"))) == "57C409")
        #expect(hx(try KeyCheckValue.tdes(h("1FA1F7CEC798D91545DA8AE0C7796BD9"))) == "FF5087")
        #expect(hx(try KeyCheckValue.tdes(h("5DB50B454F8389ADCE573BE50861F2BF"))) == "5C9405")
    }

    @Test("CMAC (AES): BE7ED6, 7AD386, 08793E (5 bytes 08793E25AB per X9.143), 0A00E3")
    func aes() throws {
        #expect(hx(try KeyCheckValue.aes(h("000102030405060708090A0B0C0D0E0F"))) == "BE7ED6")
        #expect(hx(try KeyCheckValue.aes(h("2B7E151628AED2A6ABF7158809CF4F3C"))) == "7AD386")
        #expect(hx(try KeyCheckValue.aes(h("3F419E1CB7079442AA37474C2EFBF8B8"), length: 5)) == "08793E25AB")
        #expect(hx(try KeyCheckValue.aes(h("BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC"))) == "0A00E3")
    }

    @Test("Defaults by key algorithm, and methods that do not apply are refused")
    func defaults() throws {
        let tdes = try SymmetricKeyMaterial(algorithm: .TDES_2KEY, bytes: h("0123456789ABCDEFFEDCBA9876543210"))
        #expect(try tdes.keyCheckValue() == "08D7B4")
        let aes = try SymmetricKeyMaterial(algorithm: .AES_128, bytes: h("000102030405060708090A0B0C0D0E0F"))
        #expect(try aes.keyCheckValue() == "BE7ED6")
        #expect(throws: PaymentCryptographyError.self) { try aes.keyCheckValue(method: .ansiX924) }
        // HMAC: first 3 bytes of HMAC(key, empty) with the key's hash; the RFC 4231 key "Jefe" padded
        // is not an AWS key length, so use a 20-byte key and check against the HMAC primitive's own KAT.
        let hmac = try SymmetricKeyMaterial(algorithm: .HMAC_SHA256, bytes: [UInt8](repeating: 0x0b, count: 20))
        #expect(try hmac.keyCheckValue() == hx(Array(HMACAlgorithm.authenticationCode(hash: .sha256, key: hmac.bytes, message: []).prefix(3))))
        #expect(throws: PaymentCryptographyError.self) { try hmac.keyCheckValue(method: .cmac) }
    }
}
