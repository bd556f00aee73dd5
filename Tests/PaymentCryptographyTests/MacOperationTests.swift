import Testing
@testable import PaymentCryptography

/// The AWS-level entry point: published vectors through GenerateMac's semantics, and every rule
/// of GenerateMac/VerifyMac that refuses input (README, "Decisions where AWS is unclear").
@Suite("MacOperation: GenerateMac/VerifyMac rules")
struct MacOperationTests {
    let testKey = try! SymmetricKeyMaterial(algorithm: .TDES_2KEY, bytes: h("0123456789ABCDEFFEDCBA9876543210"))
    let aesBDK = try! SymmetricKeyMaterial(algorithm: .AES_128, bytes: h("FEDCBA9876543210F1F1F1F1F1F1F1F1"))
    let s1 = ascii("Now is the time for all ")
    let dukptMessage = ascii("4012345678909D987") + [UInt8](repeating: 0, count: 7)

    func dukpt(_ ksn: String, _ variant: DukptKeyVariant = .REQUEST, _ type: DukptDerivationType? = nil) -> DukptMacAttributes {
        DukptMacAttributes(keySerialNumber: ksn, keyVariant: variant, derivationType: type)
    }

    func emv(_ option: MajorKeyDerivationMode = .EMV_OPTION_A, pan: String = "1234567890123456", psn: String = "01",
             mode: SessionKeyDerivationMode = .EMV_COMMON_SESSION_KEY, value: SessionKeyDerivationValue = .applicationCryptogram("ABCDEF1234567890")) -> MacAttributes {
        .emvMac(EmvMacAttributes(majorKeyDerivationMode: option, primaryAccountNumber: pan, panSequenceNumber: psn, sessionKeyDerivationMode: mode, sessionKeyDerivationValue: value))
    }

    func gen(_ key: SymmetricKeyMaterial, _ a: MacAttributes, _ m: [UInt8], _ len: Int? = nil) throws -> String {
        try MacOperation.generate(key: key, attributes: a, message: m, macLength: len)
    }

    func expectField(_ path: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a refusal naming \(path)")
        } catch let e as MacRequestError {
            #expect(e.kind == .invalidField)
            #expect(e.field == path, "got \(e)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    func expectKeyAlgorithm(_ body: () throws -> Void) {
        #expect(throws: MacRequestError.self) { try body() }
        do { try body() } catch let e as MacRequestError { #expect(e.kind == .keyAlgorithmInvalid) } catch {}
    }

    // MARK: published vectors through the entry point

    @Test("ISO9797_ALGORITHM3 and AS2805_4_1: retail MAC, 8 hex digits by default (ISO 9797-1 B.4)")
    func retail() throws {
        #expect(try gen(testKey, .algorithm(.ISO9797_ALGORITHM3), s1) == "A1C72E74")
        #expect(try gen(testKey, .algorithm(.ISO9797_ALGORITHM3), s1, 16) == "A1C72E74EA3FA9B6")
        #expect(try gen(testKey, .algorithm(.AS2805_4_1), s1, 16) == "A1C72E74EA3FA9B6")
        #expect(try gen(testKey, .algorithm(.ISO9797_ALGORITHM3), s1, 5) == "A1C72")
    }

    @Test("CMAC defaults to the whole tag: 32 hex digits for AES, 16 for TDES")
    func cmac() throws {
        let aes = try SymmetricKeyMaterial(algorithm: .AES_128, bytes: h("2b7e151628aed2a6abf7158809cf4f3c"))
        #expect(try gen(aes, .algorithm(.CMAC), h("6bc1bee22e409f96e93d7e117393172a")) == "070A16B46B4D4144F79BDD9DD04A287C")
        let tdes = try SymmetricKeyMaterial(algorithm: .TDES_3KEY, bytes: h("8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5"))
        #expect(try gen(tdes, .algorithm(.CMAC), h("6bc1bee22e409f96")) == "8E8F293136283797")
    }

    @Test("HMAC on an HMAC_SHA256 key is HMAC-SHA-256 (RFC 4231 TC1); HMAC_SHA384 on a TDES/AES M7 key uses its bytes")
    func hmac() throws {
        let k = try SymmetricKeyMaterial(algorithm: .HMAC_SHA256, bytes: [UInt8](repeating: 0x0b, count: 20))
        #expect(try gen(k, .algorithm(.HMAC), ascii("Hi There")) == "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7")
        let aes = try SymmetricKeyMaterial(algorithm: .AES_128, bytes: h("000102030405060708090A0B0C0D0E0F"))
        #expect(try gen(aes, .algorithm(.HMAC_SHA384), ascii("x")) == hx(HMACAlgorithm.authenticationCode(hash: .sha384, key: aes.bytes, message: ascii("x"))))
    }

    @Test("DUKPT TDES: X9.24-1 A.4 MAC request and response, 20- and 16-digit KSNs")
    func dukptTDES() throws {
        #expect(try gen(testKey, .dukptIso9797Algorithm3(dukpt("FFFF9876543210E00001")), dukptMessage) == "9CCC78173FC4FB64")
        #expect(try gen(testKey, .dukptIso9797Algorithm3(dukpt("ffff9876543210e00001", .RESPONSE)), dukptMessage) == "20364223C1FF00FA")
        #expect(try gen(testKey, .dukptIso9797Algorithm3(dukpt("9876543210E00001")), dukptMessage, 8) == "9CCC7817")
        #expect(try gen(testKey, .dukptCmac(dukpt("FFFF9876543210E00001")), ascii("4012345678909D987")) == "211003F1D5B79DD7")
    }

    @Test("DUKPT AES: CMAC with the AES working key, ISO 9797-1 with a TDES working key")
    func dukptAES() throws {
        let msg = ascii("4012345678909D987")
        #expect(try gen(aesBDK, .dukptCmac(dukpt("123456789012345600000001")), msg) == "A2EB5C1C35809E58404E873C3C411E31")
        #expect(try gen(aesBDK, .dukptCmac(dukpt("123456789012345600000001", .RESPONSE)), msg) == "DD4E1895FD9BF53D8DAF25568ABF551D")
        #expect(try gen(aesBDK, .dukptCmac(dukpt("123456789012345600000001", .BIDIRECTIONAL)), msg) == "E2ECE7C47644929CA1F7540F777406C7")
        #expect(try gen(aesBDK, .dukptCmac(dukpt("123456789012345600000001", .REQUEST, .TDES_2KEY)), msg) == "44992DECE189AEDB")
        let padded = msg + [UInt8](repeating: 0, count: 7)
        #expect(try gen(aesBDK, .dukptIso9797Algorithm1(dukpt("123456789012345600000001", .REQUEST, .TDES_2KEY)), padded) == "F4A426BC923E004B")
        #expect(try gen(aesBDK, .dukptIso9797Algorithm3(dukpt("123456789012345600000001", .REQUEST, .TDES_2KEY)), padded) == "5DE83BDC6195961D")
    }

    @Test("EmvMac: common, Mastercard and Visa session keys (pyemv HSM vectors)")
    func emvMac() throws {
        #expect(try gen(testKey, emv(), h("8424000008")) == "CF323F09A0F6AB9E")
        let imk2 = try SymmetricKeyMaterial(algorithm: .TDES_2KEY, bytes: h("FEDCBA98765432100123456789ABCDEF"))
        #expect(try gen(imk2, emv(psn: "00", mode: .MASTERCARD_SESSION_KEY, value: .applicationCryptogram("18932FECA2D84326")), h("8424000008")) == "B574ABB0A485A330")
        #expect(try gen(imk2, emv(psn: "00", mode: .VISA, value: .applicationTransactionCounter("001C")), h("8418000008001C29CCA15AE665FA2E")) == "DB56BA60087CEFD3")
        #expect(try gen(imk2, emv(psn: "00", mode: .AMEX, value: .applicationTransactionCounter("001c")), h("8418000008001C29CCA15AE665FA2E")) == "DB56BA60087CEFD3")
    }

    @Test("VerifyMac: leftmost digits, case-insensitive, constant-time compare; mismatch is verificationFailed")
    func verify() throws {
        try MacOperation.verify(key: testKey, attributes: .algorithm(.ISO9797_ALGORITHM3), message: s1, mac: "a1c72e74ea3fa9b6", macLength: 16)
        try MacOperation.verify(key: testKey, attributes: .algorithm(.ISO9797_ALGORITHM3), message: s1, mac: "A1C7", macLength: nil)
        #expect(throws: MacRequestError(.verificationFailed, field: nil, message: "MAC verification failed.")) {
            try MacOperation.verify(key: testKey, attributes: .algorithm(.ISO9797_ALGORITHM3), message: s1, mac: "A1C72E75", macLength: nil)
        }
    }

    // MARK: refusals

    @Test("MacLength outside 4...16 names MacLength")
    func macLength() {
        expectField("MacLength") { _ = try gen(testKey, .algorithm(.ISO9797_ALGORITHM1), s1, 3) }
        expectField("MacLength") { _ = try gen(testKey, .algorithm(.ISO9797_ALGORITHM1), s1, 17) }
    }

    @Test("A key algorithm that does not fit the MAC is keyAlgorithmInvalid")
    func keyAlgorithm() throws {
        let aes = try SymmetricKeyMaterial(algorithm: .AES_128, bytes: h("000102030405060708090A0B0C0D0E0F"))
        let hmacKey = try SymmetricKeyMaterial(algorithm: .HMAC_SHA512, bytes: [UInt8](repeating: 1, count: 32))
        expectKeyAlgorithm { _ = try gen(aes, .algorithm(.ISO9797_ALGORITHM1), s1) }
        expectKeyAlgorithm { _ = try gen(aes, .algorithm(.ISO9797_ALGORITHM3), s1) }
        expectKeyAlgorithm { _ = try gen(aes, .algorithm(.AS2805_4_1), s1) }
        expectKeyAlgorithm { _ = try gen(aes, .algorithm(.HMAC), s1) }
        expectKeyAlgorithm { _ = try gen(hmacKey, .algorithm(.CMAC), s1) }
        expectKeyAlgorithm { _ = try gen(hmacKey, .dukptCmac(dukpt("FFFF9876543210E00001")), s1) }
        expectKeyAlgorithm { _ = try gen(aes, emv(), s1) }
    }

    @Test("HMAC_SHA* on an HMAC key tells the caller to use HMAC")
    func hmacOnHmacKey() throws {
        let k = try SymmetricKeyMaterial(algorithm: .HMAC_SHA256, bytes: [UInt8](repeating: 0x0b, count: 20))
        expectField("GenerationAttributes.Algorithm") { _ = try gen(k, .algorithm(.HMAC_SHA256), s1) }
    }

    @Test("DUKPT: KSN form, BDK fit, variant, derivation type strength, message rules")
    func dukptRules() {
        let p = "GenerationAttributes.DukptCmac"
        expectField("\(p).KeySerialNumber") { _ = try gen(testKey, .dukptCmac(dukpt("FFFF9876543210E0001")), dukptMessage) }
        expectField("\(p).KeySerialNumber") { _ = try gen(testKey, .dukptCmac(dukpt("FFFF9876543210E0000G")), dukptMessage) }
        expectField("\(p).KeySerialNumber") { _ = try gen(testKey, .dukptCmac(dukpt("123456789012345600000001")), dukptMessage) }
        expectField("\(p).KeySerialNumber") { _ = try gen(aesBDK, .dukptCmac(dukpt("FFFF9876543210E00001")), dukptMessage) }
        expectField("\(p).KeySerialNumber") { _ = try gen(aesBDK, .dukptCmac(dukpt("9876543210E00001")), dukptMessage) }
        expectField("\(p).DukptKeyVariant") { _ = try gen(testKey, .dukptCmac(dukpt("FFFF9876543210E00001", .BIDIRECTIONAL)), dukptMessage) }
        expectField("\(p).DukptDerivationType") { _ = try gen(testKey, .dukptCmac(dukpt("FFFF9876543210E00001", .REQUEST, .TDES_3KEY)), dukptMessage) }
        expectField("\(p).DukptDerivationType") { _ = try gen(testKey, .dukptCmac(dukpt("FFFF9876543210E00001", .REQUEST, .AES_128)), dukptMessage) }
        expectField("\(p).DukptDerivationType") { _ = try gen(aesBDK, .dukptCmac(dukpt("123456789012345600000001", .REQUEST, .AES_192)), dukptMessage) }
        expectField("GenerationAttributes.DukptIso9797Algorithm1.DukptDerivationType") {
            _ = try gen(aesBDK, .dukptIso9797Algorithm1(dukpt("123456789012345600000001")), dukptMessage)
        }
        expectField("GenerationAttributes.DukptIso9797Algorithm3.DukptDerivationType") {
            _ = try gen(aesBDK, .dukptIso9797Algorithm3(dukpt("123456789012345600000001", .REQUEST, .AES_128)), dukptMessage)
        }
        expectField("MessageData") { _ = try gen(testKey, .dukptCmac(dukpt("FFFF9876543210E00001")), [UInt8](repeating: 1, count: 7)) }
        expectField("MessageData") { _ = try gen(testKey, .dukptIso9797Algorithm1(dukpt("FFFF9876543210E00001")), [UInt8](repeating: 1, count: 12)) }
        expectField("MessageData") { _ = try gen(testKey, .dukptIso9797Algorithm3(dukpt("FFFF9876543210E00001")), [UInt8](repeating: 1, count: 17)) }
    }

    @Test("A 3-key TDES BDK accepts TDES_3KEY and still yields the double-length working key")
    func tdes3BDK() throws {
        let bdk3 = try SymmetricKeyMaterial(algorithm: .TDES_3KEY, bytes: h("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567"))
        let a = try gen(bdk3, .dukptCmac(dukpt("FFFF9876543210E00001", .REQUEST, .TDES_3KEY)), dukptMessage)
        let b = try gen(bdk3, .dukptCmac(dukpt("FFFF9876543210E00001")), dukptMessage)
        #expect(a == b)
        #expect(a.count == 16)
    }

    @Test("EmvMac: option B needs a long PAN; the derivation value must fit the mode; digit fields")
    func emvRules() {
        let p = "GenerationAttributes.EmvMac"
        expectField("\(p).MajorKeyDerivationMode") { _ = try gen(testKey, emv(.EMV_OPTION_B), s1) }
        expectField("\(p).SessionKeyDerivationValue") { _ = try gen(testKey, emv(mode: .VISA), s1) }
        expectField("\(p).SessionKeyDerivationValue") { _ = try gen(testKey, emv(mode: .EMV2000), s1) }
        expectField("\(p).SessionKeyDerivationValue") { _ = try gen(testKey, emv(mode: .EMV_COMMON_SESSION_KEY, value: .applicationTransactionCounter("0001")), s1) }
        expectField("\(p).SessionKeyDerivationValue") { _ = try gen(testKey, emv(mode: .MASTERCARD_SESSION_KEY, value: .applicationTransactionCounter("0001")), s1) }
        expectField("\(p).PrimaryAccountNumber") { _ = try gen(testKey, emv(pan: "12345678901"), s1) }
        expectField("\(p).PrimaryAccountNumber") { _ = try gen(testKey, emv(pan: "1234567890123A"), s1) }
        expectField("\(p).PanSequenceNumber") { _ = try gen(testKey, emv(psn: "1"), s1) }
        expectField("\(p).SessionKeyDerivationValue.ApplicationCryptogram") { _ = try gen(testKey, emv(value: .applicationCryptogram("ABCDEF123456789")), s1) }
        expectField("\(p).SessionKeyDerivationValue.ApplicationTransactionCounter") { _ = try gen(testKey, emv(mode: .VISA, value: .applicationTransactionCounter("1G00")), s1) }
    }

    @Test("VerifyMac refusals: MacLength mismatch, bad Mac, DUKPT 8-or-16 rule, too long; errors name VerificationAttributes")
    func verifyRules() {
        func v(_ a: MacAttributes, _ m: [UInt8], _ mac: String, _ len: Int?) throws {
            try MacOperation.verify(key: testKey, attributes: a, message: m, mac: mac, macLength: len)
        }
        expectField("MacLength") { try v(.algorithm(.ISO9797_ALGORITHM3), s1, "A1C72E74", 16) }
        expectField("Mac") { try v(.algorithm(.ISO9797_ALGORITHM3), s1, "A1C72E7", nil) }
        expectField("Mac") { try v(.algorithm(.ISO9797_ALGORITHM3), s1, "A1C72E7Z", nil) }
        expectField("Mac") { try v(.algorithm(.ISO9797_ALGORITHM3), s1, "A1C72E74EA3FA9B600", nil) }
        expectField("Mac") { try v(.dukptIso9797Algorithm3(dukpt("FFFF9876543210E00001")), dukptMessage, "9CCC78173FC4", nil) }
        expectField("VerificationAttributes.DukptCmac.DukptKeyVariant") {
            try v(.dukptCmac(dukpt("FFFF9876543210E00001", .BIDIRECTIONAL)), dukptMessage, "9CCC78173FC4", nil)
        }
    }

    @Test("An empty message is refused")
    func emptyMessage() {
        expectField("MessageData") { _ = try gen(testKey, .algorithm(.CMAC), []) }
    }

    @Test("Errors never carry key material or message bytes")
    func noSecretsInErrors() throws {
        let secret = "0123456789ABCDEFFEDCBA9876543210"
        let cases: [() throws -> Void] = [
            { _ = try gen(testKey, .dukptCmac(dukpt("FFFF9876543210E00001", .BIDIRECTIONAL)), h("DEADBEEFDEADBEEF")) },
            { _ = try gen(testKey, emv(.EMV_OPTION_B), h("DEADBEEFDEADBEEF")) },
            { try MacOperation.verify(key: testKey, attributes: .algorithm(.ISO9797_ALGORITHM3), message: h("DEADBEEFDEADBEEF"), mac: "00000000", macLength: nil) },
        ]
        for c in cases {
            do { try c() } catch {
                let text = "\(error)"
                #expect(!text.contains(secret) && !text.uppercased().contains("DEADBEEF"))
            }
        }
    }
}
