import Testing
@testable import PaymentCryptography

/// Known-answer tests of the card validation algorithms: every published vector (CVV, iCVV, CVV2,
/// dCVV, CVC3, option A; sources named beside each), plus the rules the README's
/// Decisions table fixes (truncation, padding, field refusals before cryptography).
@Suite("Card validation data: published vectors and rules")
struct CardValidationTests {
    static let testKey = h("0123456789ABCDEFFEDCBA9876543210")

    func generate(_ key: [UInt8], _ a: CardValidationAttributes, _ pan: String, _ n: Int? = nil) throws -> String {
        try CardValidation.generate(key: key, attributes: a, pan: pan, length: n)
    }

    @Test("CVV1: classic Visa example 561 (K1/K2 order), psec docstring 170, CryptoCarver 139")
    func cvv1() throws {
        #expect(try generate(Self.testKey, .cardVerificationValue1(expiryDate: "8701", serviceCode: "101"), "4123456789012345") == "561")
        #expect(try generate(Self.testKey, .cardVerificationValue1(expiryDate: "9912", serviceCode: "220"), "1234567890123456") == "170")
        #expect(try generate(Self.testKey, .cardVerificationValue1(expiryDate: "2512", serviceCode: "201"), "4111111111111111") == "139")
    }

    @Test("iCVV is CVV1 with service code 999 (CryptoCarver 133); CVV2 uses service code 000 (765)")
    func icvvAndCvv2() throws {
        #expect(try generate(Self.testKey, .cardVerificationValue1(expiryDate: "2512", serviceCode: "999"), "4111111111111111") == "133")
        #expect(try generate(Self.testKey, .cardVerificationValue2(expiryDate: "2512"), "4111111111111111") == "765")
        #expect(try generate(Self.testKey, .cardVerificationValue1(expiryDate: "2512", serviceCode: "000"), "4111111111111111") == "765")
    }

    @Test("CVV lengths 4 and 5 extend the 3-digit value to the right (first N digits)")
    func cvvLengths() throws {
        let a = CardValidationAttributes.cardVerificationValue1(expiryDate: "8701", serviceCode: "101")
        let five = try generate(Self.testKey, a, "4123456789012345", 5)
        #expect(five.hasPrefix("561"))
        #expect(try generate(Self.testKey, a, "4123456789012345", 4) == String(five.prefix(4)))
    }

    @Test("Visa decimalisation: digits first, then letters A-F as 0-5")
    func decimalisation() {
        #expect(VisaDecimalization.decimalize(h("A1B2C3D4E5F60789")) == "1234560789012345")
        #expect(VisaDecimalization.decimalize(h("ABCDEFABCDEFABCD")) == "0123450123450123")
    }

    @Test("dCVV: jPOS testVerifyDCVVImpl1 (422) and Impl2 (12-digit PAN, 719)")
    func dcvvJPOS() throws {
        let k = h("12345678123456781234567812345678")
        let a = CardValidationAttributes.dynamicCardVerificationValue(panSequenceNumber: "00", expiryDate: "1310", serviceCode: "226", applicationTransactionCounter: "3210")
        #expect(try generate(k, a, "1234567890123456") == "422")
        #expect(try generate(k, a, "123456789012") == "719")
    }

    @Test("dCVV: CryptoCarver captures of an external payment tool (938, 488, 634, 970, 282)")
    func dcvvCaptures() throws {
        let k = h("0123456789ABCDEF0123456789ABCDEF")
        let rows: [(String, String, String, String)] = [
            ("1225", "001", "0001", "938"), ("1225", "001", "0002", "488"), ("1225", "001", "0010", "634"),
            ("1225", "101", "0010", "970"), ("1226", "101", "0010", "282"),
        ]
        for (exp, sc, atc, expected) in rows {
            let a = CardValidationAttributes.dynamicCardVerificationValue(panSequenceNumber: "00", expiryDate: exp, serviceCode: sc, applicationTransactionCounter: atc)
            #expect(try generate(k, a, "4111111111111111") == expected, "\(exp) \(sc) \(atc)")
        }
    }

    @Test("CVC3: pyemv docstring 29488 (length 5) and 488 (length 3, rightmost digits)")
    func cvc3Pyemv() throws {
        let a = CardValidationAttributes.dynamicCardVerificationCode(unpredictableNumber: "00000899", panSequenceNumber: "00",
                                                                     applicationTransactionCounter: "005E", trackData: "5123456789012345D35121010000000000000F")
        let k = h("01234567899876543210012345678998")
        #expect(try generate(k, a, "5123456789012345", 5) == "29488")
        #expect(try generate(k, a, "5123456789012345", 4) == "9488")
        #expect(try generate(k, a, "5123456789012345") == "488")
    }

    @Test("CVC3: jPOS testVerifyCVC3Impl1/3 (39464, 464) and Impl2 (45423)")
    func cvc3JPOS() throws {
        let k = h("12345678123456781234567812345678")
        func a(_ track: String) -> CardValidationAttributes {
            .dynamicCardVerificationCode(unpredictableNumber: "00002710", panSequenceNumber: "00", applicationTransactionCounter: "2710", trackData: track)
        }
        #expect(try generate(k, a("1234567890123456D12012061000110000000F"), "1234567890123456", 5) == "39464")
        #expect(try generate(k, a("1234567890123456D12012061000110000000F"), "1234567890123456", 3) == "464")
        #expect(try generate(k, a("1234567890123456d12012061000110000000f"), "1234567890123456", 5) == "39464")
        #expect(try generate(k, a("1234567890123456D12012061000110000000FFFFFFFFFFF"), "1234567890123456", 5) == "45423")
    }

    @Test("CVC3: IVCVC3 of jPOS Impl1 is CD76 (MAC algorithm 3, padding 2, last 2 bytes)")
    func ivcvc3() throws {
        let udk = try CardValidation.cardKey(h("12345678123456781234567812345678"), pan: "1234567890123456", psn: "00")
        let mac = try RetailMAC(tdesKey: udk).mac(h("1234567890123456D12012061000110000000F"), padding: .method2)
        #expect(hx(Array(mac.suffix(2))) == "CD76")
    }

    @Test("Option A card key: pyemv kd docstring (PAN 99012345678901234, PSN 45)")
    func optionA() throws {
        #expect(hx(try CardValidation.cardKey(Self.testKey, pan: "99012345678901234", psn: "45")) == "67F8292358083E5EA7AB7FDA58D53B6B")
    }

    @Test("KCV of the test CVK is 08D7B4 (ANSI X9.24, AWS guide examples): the KeyCheckValue both operations return")
    func keyCheckValue() throws {
        #expect(try SymmetricKeyMaterial(algorithm: .TDES_2KEY, bytes: Self.testKey).keyCheckValue() == "08D7B4")
    }

    @Test("Hex fields are case-insensitive: a lower-case ATC gives the same dCVV (README Decisions)")
    func hexCase() throws {
        let k = h("0123456789ABCDEF0123456789ABCDEF")
        func a(_ atc: String) -> CardValidationAttributes {
            .dynamicCardVerificationValue(panSequenceNumber: "00", expiryDate: "1225", serviceCode: "101", applicationTransactionCounter: atc)
        }
        #expect(try generate(k, a("00ab"), "4111111111111111", 5) == generate(k, a("00AB"), "4111111111111111", 5))
        #expect(try generate(k, a("ab"), "4111111111111111", 5) == generate(k, a("00AB"), "4111111111111111", 5))
    }

    @Test("Short ATC and UN are left-padded with 0 (README Decisions)")
    func shortHexPadding() throws {
        let k = h("01234567899876543210012345678998")
        let short = CardValidationAttributes.dynamicCardVerificationCode(unpredictableNumber: "899", panSequenceNumber: "00", applicationTransactionCounter: "5E", trackData: "5123456789012345D35121010000000000000F")
        #expect(try generate(k, short, "5123456789012345", 5) == "29488")
    }

    @Test("Odd-length TrackData gets one F nibble (README Decisions)")
    func oddTrack() throws {
        let k = h("01234567899876543210012345678998")
        func a(_ t: String) -> CardValidationAttributes {
            .dynamicCardVerificationCode(unpredictableNumber: "00000899", panSequenceNumber: "00", applicationTransactionCounter: "005E", trackData: t)
        }
        #expect(try generate(k, a("5123456789012345D35121010000000000000"), "5123456789012345", 5) == "29488")
    }

    @Test("CardHolderVerificationValue is CVC3 over the PAN digits under an option A key (README Decisions)")
    func cardholderValue() throws {
        let k = h("01234567899876543210012345678998")
        let udk = try CardValidation.cardKey(k, pan: "512345678901234", psn: "01")
        let expected = try CVC3.value(cardKey: udk, template: h("512345678901234F"), unpredictableNumber: h("00000899"), atc: h("005E"))
        let a = CardValidationAttributes.cardHolderVerificationValue(unpredictableNumber: "00000899", panSequenceNumber: "01", applicationTransactionCounter: "005E")
        #expect(try generate(k, a, "512345678901234", 5) == expected)
        #expect(try generate(k, a, "512345678901234") == String(expected.suffix(3)))
    }

    @Test("Discover dynamic code is CVC3 over PAN‖D‖expiry with PSN 00; verify only (README Decisions)")
    func discover() throws {
        let k = h("01234567899876543210012345678998")
        let udk = try CardValidation.cardKey(k, pan: "6011000990139424", psn: "00")
        let expected = try CVC3.value(cardKey: udk, template: h("6011000990139424D2512F"), unpredictableNumber: h("12345678"), atc: h("0001"))
        let a = CardValidationAttributes.discoverDynamicCardVerificationCode(expiryDate: "2512", unpredictableNumber: "12345678", applicationTransactionCounter: "0001")
        try CardValidation.verify(key: k, attributes: a, pan: "6011000990139424", validationData: String(expected.suffix(4)))
    }

    @Test("Amex CSC: the three codes come from one 12-digit string; length picks CSC3/4/5; version 2 depends on the service code")
    func amex() throws {
        let k = Self.testKey
        let codes = try AmexCSC.codes(key: k, pan: "371234567890123", expiryDate: "2512", serviceCode: nil)
        #expect(codes.csc5.count == 5 && codes.csc4.count == 4 && codes.csc3.count == 3)
        let v1 = CardValidationAttributes.amexCardSecurityCodeVersion1(expiryDate: "2512")
        #expect(try generate(k, v1, "371234567890123") == codes.csc3)
        #expect(try generate(k, v1, "371234567890123", 4) == codes.csc4)
        #expect(try generate(k, v1, "371234567890123", 5) == codes.csc5)
        let v2a = try generate(k, .amexCardSecurityCodeVersion2(expiryDate: "2512", serviceCode: "201"), "371234567890123", 5)
        let v2b = try generate(k, .amexCardSecurityCodeVersion2(expiryDate: "2512", serviceCode: "999"), "371234567890123", 5)
        #expect(v2a != v2b)
    }

    @Test("Amex CSC digit rule: letters at positions >= 5 are shifted by 5")
    func amexDigits() {
        // No decimal digits: positions 0..11 are all letters.
        let d = AmexCSC.digits(h("ABCDEFABCDEFABCD"))
        #expect(String(decoding: d, as: UTF8.self) == "123451678901")
    }

    @Test("Verify: equal value passes, any other digits fail with verificationFailed")
    func verify() throws {
        let a = CardValidationAttributes.cardVerificationValue1(expiryDate: "8701", serviceCode: "101")
        try CardValidation.verify(key: Self.testKey, attributes: a, pan: "4123456789012345", validationData: "561")
        #expect(throws: CardValidationError(.verificationFailed, field: nil, message: CardValidationError.verificationFailedMessage)) {
            try CardValidation.verify(key: Self.testKey, attributes: a, pan: "4123456789012345", validationData: "562")
        }
    }

    @Test("Bad fields are refused naming the AWS field, before any cryptography")
    func refusals() throws {
        let k = Self.testKey
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let e as CardValidationError { return e.field } catch { return "\(error)" }
        }
        #expect(field { _ = try CardValidation.generate(key: k, attributes: .cardVerificationValue2(expiryDate: "2512"), pan: "41111", length: nil) } == "PrimaryAccountNumber")
        #expect(field { _ = try CardValidation.generate(key: k, attributes: .cardVerificationValue2(expiryDate: "25A2"), pan: "4111111111111111", length: nil) } == "GenerationAttributes.CardVerificationValue2.CardExpiryDate")
        #expect(field { _ = try CardValidation.generate(key: k, attributes: .cardVerificationValue2(expiryDate: "2512"), pan: "4111111111111111", length: 6) } == "ValidationDataLength")
        #expect(field { _ = try CardValidation.generate(key: k, attributes: .cardVerificationValue1(expiryDate: "2512", serviceCode: "1010"), pan: "4111111111111111", length: nil) } == "GenerationAttributes.CardVerificationValue1.ServiceCode")
        #expect(field { _ = try CardValidation.generate(key: k, attributes: .dynamicCardVerificationCode(unpredictableNumber: "XYZ", panSequenceNumber: "00", applicationTransactionCounter: "01", trackData: "00"), pan: "4111111111111111", length: nil) } == "GenerationAttributes.DynamicCardVerificationCode.UnpredictableNumber")
        #expect(field { _ = try CardValidation.generate(key: k, attributes: .dynamicCardVerificationValue(panSequenceNumber: "0", expiryDate: "2512", serviceCode: "101", applicationTransactionCounter: "01"), pan: "4111111111111111", length: nil) } == "GenerationAttributes.DynamicCardVerificationValue.PanSequenceNumber")
        #expect(field { _ = try CardValidation.generate(key: k, attributes: .cardHolderVerificationValue(unpredictableNumber: "00", panSequenceNumber: "00", applicationTransactionCounter: "12345"), pan: "4111111111111111", length: nil) } == "GenerationAttributes.CardHolderVerificationValue.ApplicationTransactionCounter")
        #expect(field { try CardValidation.verify(key: k, attributes: .cardVerificationValue2(expiryDate: "2512"), pan: "4111111111111111", validationData: "12") } == "ValidationData")
        #expect(field { try CardValidation.verify(key: k, attributes: .cardVerificationValue2(expiryDate: "2512"), pan: "4111111111111111", validationData: "1a3") } == "ValidationData")
    }
}
