import Testing
@testable import PaymentCryptography

/// GenerateMacEmvPinChange known answers: pyemv 1.5.0 tests/test_cvn_hsm.py [HSM] (vectors B1–B8 of
/// the reference), the EmvCommon encipherment options of tests/test_sm_hsm.py, PIN block formats
/// (psec and pyemv docstrings), and the refusals.
@Suite("EMV PIN change known answers")
struct EMVPinChangeTests {
    static let imkAC = h("0123456789ABCDEFFEDCBA9876543210")
    static let imkSMI = h("FEDCBA98765432100123456789ABCDEF")
    static let imkSMC = h("89ABCDEF0123456776543210FEDCBA98")
    static let pek = h("1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A")
    static let pan = "1234567890123456"

    /// An ISO 9564-1 format 0/1/3 block of `pin` under `pek` (test input, not an expected value).
    static func encrypted(_ pin: String, format: EMVIncomingPinBlockFormat, pan: String = pan, key: [UInt8] = pek) throws -> String {
        let fill = String(repeating: format == .isoFormat3 ? "A" : "F", count: 14 - pin.count)
        let control = format == .isoFormat0 ? "0" : format == .isoFormat1 ? "1" : "3"
        var block = h(control + String(pin.count, radix: 16) + pin + fill)
        if format != .isoFormat1 {
            let digits = String(pan.dropLast().suffix(12))
            block = zip(block, h(String(repeating: "0", count: 16 - digits.count) + digits)).map { $0 ^ $1 }
        }
        return hx(try TripleDES(key: key).encryptECB(block))
    }

    struct Vector: Sendable, CustomTestStringConvertible {
        let id: String
        let method: EMVPinChangeMethod
        let current: Bool
        let message: String
        let block: String
        let mac: String
        var testDescription: String { id }
    }

    static let vectors: [Vector] = [
        Vector(id: "B1 Visa CVN10", method: .visa(applicationTransactionCounter: "001C"), current: false,
               message: "8424000218001C29CCA15AE665FA2E", block: "BB221AF527377A2811D2B6EBC396A939", mac: "1A965A5CB2CE62DA"),
        Vector(id: "B2 Visa CVN10 + current PIN", method: .visa(applicationTransactionCounter: "001C"), current: true,
               message: "8424000118001C29CCA15AE665FA2E", block: "2EE025E554BCD87E11D2B6EBC396A939", mac: "C4A8393B57DD2F3F"),
        Vector(id: "B3 Visa CVN18", method: .visa(applicationTransactionCounter: "001C"), current: false,
               message: "8424000218001C7A788EA6B8A3E733", block: "BB221AF527377A2811D2B6EBC396A939", mac: "1A22B480EF312F40"),
        Vector(id: "B4 Visa CVN18 + current PIN", method: .amex(applicationTransactionCounter: "001C"), current: true,
               message: "8424000118001C7A788EA6B8A3E733", block: "2EE025E554BCD87E11D2B6EBC396A939", mac: "0FB94A4E4EC10F41"),
        Vector(id: "B5 Mastercard CVN16", method: .mastercard(applicationCryptogram: "24CCF3DEE3158C70"), current: false,
               message: "8424000210001C24CCF3DEE3158C70", block: "00859B8FE53F316D", mac: "EB4B64C36BF88E39"),
        Vector(id: "B6 Mastercard CVN17", method: .mastercard(applicationCryptogram: "EAE8A620A75648D8"), current: false,
               message: "8424000210001CEAE8A620A75648D8", block: "8661C474E4940A43", mac: "78390C64CB96756E"),
        Vector(id: "B7 Mastercard CVN20", method: .mastercard(applicationCryptogram: "CD29615D6452E70E"), current: false,
               message: "8424000210001CCD29615D6452E70E", block: "7647E71F85AA6A35", mac: "AE4B4E838666773D"),
        Vector(id: "B8 Mastercard CVN21", method: .mastercard(applicationCryptogram: "C30E54BE496CF5E5"), current: false,
               message: "8424000210001CC30E54BE496CF5E5", block: "D9F5896BE8E283C6", mac: "82264E1D32DF1D51"),
    ]

    @Test("Published PIN change vectors [HSM], for every incoming PIN block format", arguments: vectors)
    func published(_ v: Vector) throws {
        for format in EMVIncomingPinBlockFormat.allCases {
            let current = v.current ? EMVEncryptedPin(pinEncryptionKey: Self.imkAC, encryptedPinBlock: try Self.encrypted("8888", format: format, key: Self.imkAC)) : nil
            let out = try EMVPinChange.generate(
                newPin: EMVEncryptedPin(pinEncryptionKey: Self.pek, encryptedPinBlock: try Self.encrypted("9999", format: format)),
                format: format, integrityKey: Self.imkSMI, confidentialityKey: Self.imkSMC, authorizationRequestKey: Self.imkAC,
                currentPin: current, masterKeyOption: .optionA, pan: Self.pan, psn: "00", method: v.method, messageData: v.message)
            #expect(out == EMVPinChange.Output(encryptedPinBlock: v.block, mac: v.mac), "\(format)")
        }
    }

    @Test("EmvCommon encipherment options (pyemv tests/test_sm_hsm.py [HSM])")
    func emvCommonOptions() throws {
        let smc = try EMVKeyDerivation.commonSessionKey(masterKey: EMVKeyDerivation.iccMasterKeyOptionA(
            issuerMasterKey: h("11111111111111112222222222222222"), pan: Self.pan, psn: "01"), r: h("ABCDEF1234567890"))
        let smi = try EMVKeyDerivation.commonSessionKey(masterKey: EMVKeyDerivation.iccMasterKeyOptionA(
            issuerMasterKey: h("0123456789ABCDEFFEDCBA9876543210"), pan: Self.pan, psn: "01"), r: h("ABCDEF1234567890"))
        let block = EMVPinChange.format2PinBlock("9999")
        #expect(hx(block) == "249999FFFFFFFFFF")
        func run(_ e: EMVPinBlockEncipherment) throws -> EMVPinChange.Output {
            try EMVPinChange.script(target: block, confidentialitySessionKey: smc, integritySessionKey: smi,
                                    method: .emvCommon(applicationCryptogram: "ABCDEF1234567890", encipherment: e), message: h("8424000210"))
        }
        #expect(try run(.init(cbc: true, iso7816Padding: false, lengthInFront: false)) == .init(encryptedPinBlock: "28367E05DE3381C2", mac: "8C4D10091A093B5B"))
        #expect(try run(.init(cbc: true, iso7816Padding: true, lengthInFront: false))
                == .init(encryptedPinBlock: "28367E05DE3381C29D30A6055A8DEB86", mac: "69DA1EE208823022"))
    }

    @Test("VIS = EmvCommon ECB/ISO_IEC_7816_4/FRONT_OF_PIN_BLOCK under Visa SM keys (test_sm_hsm.py::test_vis_pin_change [HSM])")
    func vis() throws {
        let smc = try EMVKeyDerivation.visaSessionKey(masterKey: EMVKeyDerivation.iccMasterKeyOptionA(
            issuerMasterKey: h("11111111111111112222222222222222"), pan: Self.pan, psn: "01"), atc: h("FFFF"))
        let smi = try EMVKeyDerivation.visaSessionKey(masterKey: EMVKeyDerivation.iccMasterKeyOptionA(
            issuerMasterKey: h("0123456789ABCDEFFEDCBA9876543210"), pan: Self.pan, psn: "01"), atc: h("FFFF"))
        let e = EMVPinBlockEncipherment(cbc: false, iso7816Padding: true, lengthInFront: true)
        let out = try EMVPinChange.script(target: h("049999FFC4B001F1"), confidentialitySessionKey: smc, integritySessionKey: smi,
                                          method: .emvCommon(applicationCryptogram: "0000000000000000", encipherment: e), message: h("8424000210"))
        #expect(out == .init(encryptedPinBlock: "D421231A6FD2F0FAEE671384F0D3A7B9", mac: "F67E37E67B06AB99"))
        // The Visa member enciphers the same way.
        let visa = try EMVPinChange.script(target: h("049999FFC4B001F1"), confidentialitySessionKey: smc, integritySessionKey: smi,
                                           method: .visa(applicationTransactionCounter: "FFFF"), message: h("8424000210"))
        #expect(visa == out)
    }

    @Test("PIN blocks: format 2, VIS, format 0 decoding (psec and pyemv docstrings)")
    func pinBlocks() throws {
        #expect(hx(EMVPinChange.format2PinBlock("1234")) == "241234FFFFFFFFFF")
        #expect(hx(EMVPinChange.visPinBlock(masterKeyAC: h("0123456789ABCDEFFEDCBA9876543210"), pin: "1234", currentPin: nil)) == "041234FF76543210")
        // psec: format 0 of 1234 with PAN 5544332211009966 is 041277CDDEEFF669; here under an all-zero-effect key check.
        let key = h("0123456789ABCDEFFEDCBA9876543210")
        let enc = hx(try TripleDES(key: key).encryptECB(h("041277CDDEEFF669")))
        #expect(try EMVPinChange.decodePin(EMVEncryptedPin(pinEncryptionKey: key, encryptedPinBlock: enc), format: .isoFormat0,
                                           pan: "5544332211009966", field: "NewEncryptedPinBlock") == "1234")
    }

    @Test("Bad PIN blocks and options are refused naming the field")
    func refusals() throws {
        func gen(_ block: String, format: EMVIncomingPinBlockFormat = .isoFormat0, method: EMVPinChangeMethod = .mastercard(applicationCryptogram: "0000000000000000"),
                 message: String = "0000000000000000", option: EMVMasterKeyOption = .optionA) -> String? {
            do {
                _ = try EMVPinChange.generate(newPin: EMVEncryptedPin(pinEncryptionKey: Self.pek, encryptedPinBlock: block), format: format,
                                              integrityKey: Self.imkSMI, confidentialityKey: Self.imkSMC, authorizationRequestKey: nil,
                                              currentPin: nil, masterKeyOption: option, pan: Self.pan, psn: "00", method: method, messageData: message)
                return nil
            } catch {
                return error.field
            }
        }
        let good = try Self.encrypted("9999", format: .isoFormat0)
        #expect(gen(good) == nil)
        #expect(gen(good, format: .isoFormat3) == "NewEncryptedPinBlock")
        #expect(gen(good, format: .isoFormat1) == "NewEncryptedPinBlock")
        #expect(gen(hx(try TripleDES(key: Self.pek).encryptECB(h("0000000000000000")))) == "NewEncryptedPinBlock")
        #expect(gen("123") == "NewEncryptedPinBlock")
        #expect(gen(good, message: "00") == "MessageData")
        #expect(gen(good, message: "000000000000000000") == nil)
        #expect(gen(good, message: "0000000000000000000") == "MessageData")
        #expect(gen(good, option: .optionB) == "DerivationMethodAttributes.Mastercard.MajorKeyDerivationMode")
        #expect(gen(good, method: .mastercard(applicationCryptogram: "00")) == "DerivationMethodAttributes.Mastercard.ApplicationCryptogram")
        #expect(gen(good, method: .emvCommon(applicationCryptogram: "0000000000000000",
                                             encipherment: .init(cbc: true, iso7816Padding: false, lengthInFront: true)))
                == "DerivationMethodAttributes.EmvCommon.PinBlockPaddingType")
        #expect(gen(good, method: .visa(applicationTransactionCounter: "001")) == "DerivationMethodAttributes.Visa.ApplicationTransactionCounter")
    }
}
