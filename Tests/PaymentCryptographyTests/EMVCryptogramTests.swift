import Testing
@testable import PaymentCryptography

/// ARQC and ARPC known answers: every published vector (AWS user guide examples,
/// pyemv 1.5.0 tests/test_cvn_hsm.py and test_kd_hsm.py [HSM], AWS's Amex sample UDK), the
/// building blocks (pyemv docstrings), and the refusals of bad input.
@Suite("EMV ARQC / ARPC known answers")
struct EMVCryptogramTests {
    static let imk = h("0123456789ABCDEFFEDCBA9876543210")
    static let t10 = "000000004000" + "000000000000" + "0124" + "8000048000" + "0124" + "191105" + "01" + "52BF4585" + "1800" + "001C"
    static let tm = "000000009999" + "000000000000" + "0124" + "8000000000" + "0124" + "209906" + "00" + "ABCDEF12" + "1800" + "001C"

    static func pad1(_ s: String) -> String { s + String(repeating: "0", count: (16 - s.count % 16) % 16) }
    static func pad2(_ s: String) -> String { pad1(s + "80") }

    struct Vector: Sendable, CustomTestStringConvertible {
        let id: String
        let imk: [UInt8]
        let attributes: ARQCAttributes
        let data: String
        let arqc: String
        let response: ARPCMethod?
        let arpc: String?
        var testDescription: String { id }
    }

    static func card(_ option: EMVMasterKeyOption, _ pan: String, _ psn: String, _ scheme: ARQCSessionKeyScheme) -> ARQCAttributes {
        ARQCAttributes(masterKeyOption: option, primaryAccountNumber: pan, panSequenceNumber: psn, scheme: scheme)
    }

    static func card(_ pan: String, _ psn: String, _ scheme: ARQCSessionKeyScheme) -> ARQCAttributes {
        card(.optionA, pan, psn, scheme)
    }

    static let mc = ARQCSessionKeyScheme.mastercard(applicationTransactionCounter: "001C", unpredictableNumber: "ABCDEF12")
    static let vectors: [Vector] = [
        Vector(id: "A1 Visa CVN10 (AWS guide)", imk: imk, attributes: card("9137631040001422", "01", .visa),
               data: "00000000170000000000000008400080008000084016051700000000093800000B03011203000000", arqc: "D791093C8A921769",
               response: nil, arpc: nil),
        Vector(id: "A2 EmvCommon CVN18 (AWS guide)", imk: imk,
               attributes: card("9137631040001422", "01", .emvCommon(applicationTransactionCounter: "000B")),
               data: "00000000170000000000000008400080008000084016051700000000093800000B1F2201030000000000000000000000000000000000000000000000000000008000000000000000",
               arqc: "61EDCC708B4C97B4", response: nil, arpc: nil),
        Vector(id: "A3 Visa CVN10 [HSM]", imk: imk, attributes: card("1234567890123456", "00", .visa),
               data: pad1(t10 + "03A06010"), arqc: "29CCA15AE665FA2E", response: .method1(authResponseCode: "3030"), arpc: "28993816AFAE4AEB"),
        Vector(id: "A4 EmvCommon CVN18 [HSM]", imk: imk,
               attributes: card("1234567890123456", "00", .emvCommon(applicationTransactionCounter: "001C")),
               data: pad2(t10 + "06011203A0B800"), arqc: "7A788EA6B8A3E733",
               response: .method2(cardStatusUpdate: "00000000", proprietaryAuthenticationData: nil), arpc: "9AF514C1"),
        Vector(id: "A5 Mastercard CVN16 [HSM]", imk: imk, attributes: card("1234567890123456", "00", mc),
               data: pad2(tm + "A00003220000"), arqc: "24CCF3DEE3158C70", response: .method1(authResponseCode: "0010"), arpc: "73F6BBF389A6586C"),
        Vector(id: "A6 Mastercard CVN17 [HSM]", imk: imk, attributes: card("1234567890123456", "00", mc),
               data: pad2(tm + "A00003220000" + "00000000000322FF"), arqc: "EAE8A620A75648D8",
               response: .method1(authResponseCode: "0010"), arpc: "29CF11FBDB9CA650"),
        Vector(id: "A7 EmvCommon CVN20 [HSM]", imk: imk,
               attributes: card("1234567890123456", "00", .emvCommon(applicationTransactionCounter: "001C")),
               data: pad2(tm + "A00003220000"), arqc: "CD29615D6452E70E", response: .method1(authResponseCode: "0010"), arpc: "DFD0956606B68D64"),
        Vector(id: "A8 Mastercard (Interac CVN133) [HSM]", imk: imk, attributes: card("1234567890123456", "00", mc),
               data: pad2(tm + "1501850440B100000000B00000000000000000000000"), arqc: "18932FECA2D84326", response: nil, arpc: nil),
        Vector(id: "A9 EmvCommon option B [HSM]", imk: imk,
               attributes: card(.optionB, "000000000000000005", "23", .emvCommon(applicationTransactionCounter: "001C")),
               data: pad2("0000000040000000000000000124800004800001241911050152BF45851800001C06011203A0B800"), arqc: "8CAD6F2489C640B1",
               response: .method2(cardStatusUpdate: "00000000", proprietaryAuthenticationData: "12345678"), arpc: "E39F1876"),
        Vector(id: "A10 Amex (AWS sample UDK)", imk: h("6786D3D6F2266E19B67302438ACE7551"), attributes: card("3677481447555329", "00", .amex),
               data: "00000005230900000000000001240000000000012425121900123456780000000B03212121000000", arqc: "3540ECB772D51C5A",
               response: nil, arpc: nil),
    ]

    @Test("Published ARQC vectors: generate reproduces them", arguments: vectors)
    func generate(_ v: Vector) throws {
        #expect(try AuthRequestCryptogram.generate(issuerMasterKey: v.imk, attributes: v.attributes, transactionData: v.data) == v.arqc)
        // Hex input is case-insensitive.
        #expect(try AuthRequestCryptogram.generate(issuerMasterKey: v.imk, attributes: v.attributes, transactionData: v.data.lowercased()) == v.arqc)
    }

    @Test("Published ARQC vectors verify, with the published ARPC", arguments: vectors)
    func verify(_ v: Vector) throws {
        let arpc = try AuthRequestCryptogram.verify(issuerMasterKey: v.imk, attributes: v.attributes, transactionData: v.data,
                                                    cryptogram: v.arqc.lowercased(), response: v.response)
        #expect(arpc == v.arpc)
        var wrong = Array(v.arqc)
        wrong[15] = wrong[15] == "0" ? "1" : "0"
        #expect(throws: EMVCryptogramError(.verificationFailed, field: nil, message: EMVCryptogramError.verificationFailedMessage)) {
            try AuthRequestCryptogram.verify(issuerMasterKey: v.imk, attributes: v.attributes, transactionData: v.data,
                                             cryptogram: String(wrong), response: v.response)
        }
    }

    @Test("A10: the option A master key is the Amex sample's published UDK")
    func amexUDK() throws {
        let mk = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: h("6786D3D6F2266E19B67302438ACE7551"), pan: "3677481447555329", psn: "00")
        #expect(hx(mk) == "F289BA5704E534512301B6BF5DDCC4BF")
    }

    @Test("Building blocks (pyemv docstrings): AC MAC, ARPC methods 1 and 2")
    func buildingBlocks() throws {
        let sk = h("29B33180E567CE38EA4CBC9D753B0E61")
        let ac = try AuthRequestCryptogram.arqc(key: sk, data: h(Self.pad2("0123456789ABCDEF0123456789ABCDEF")))
        #expect(hx(ac) == "FA624250B008B59A")
        #expect(hx(try ARPC.method1(key: sk, arqc: ac, authResponseCode: h("0000"))) == "45D4255EEF10C920")
        #expect(hx(try ARPC.method2(key: sk, arqc: ac, cardStatusUpdate: h("00000000"))) == "CB56FA40")
    }

    @Test("Mastercard and UnionPay session keys: the rules of the README Decisions")
    func sessionKeys() throws {
        let mk = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: Self.imk, pan: "1234567890123456", psn: "00")
        // [HSM] Mastercard AC session key R = ATC‖0000‖UN (pyemv test_cvn_hsm.py).
        #expect(hx(try EMVKeyDerivation.mastercardSessionKey(masterKey: mk, atc: h("001C"), unpredictableNumber: h("ABCDEF12")))
                == "5D8F37BCD9E5DA68048CDFA2EA255D9E")
        // UnionPay: no published vector; the two halves are TDES_MK of the ATC and of its complement.
        let sk = try EMVKeyDerivation.unionPaySessionKey(masterKey: mk, atc: h("001C"))
        let tdes = try TripleDES(key: mk)
        #expect(hx(sk) == hx(EMVKeyDerivation.oddParity(try tdes.encryptECB(h("000000000000001C") + h("000000000000FFE3")))))
    }

    @Test("Unaligned data gets zero bytes, an odd digit count a trailing 0 (README Decisions)")
    func padding() throws {
        let a = Self.card("1234567890123456", "00", .visa)
        let odd = try AuthRequestCryptogram.generate(issuerMasterKey: Self.imk, attributes: a, transactionData: "ABC")
        #expect(odd == (try AuthRequestCryptogram.generate(issuerMasterKey: Self.imk, attributes: a, transactionData: "ABC0")))
        #expect(odd == (try AuthRequestCryptogram.generate(issuerMasterKey: Self.imk, attributes: a, transactionData: "ABC0000000000000")))
    }

    static func refusal(_ field: String?, _ body: () throws(EMVCryptogramError) -> Void) {
        do {
            try body()
            Issue.record("no refusal for \(field ?? "the key")")
        } catch {
            #expect(error.kind != .verificationFailed)
            #expect(error.field == field)
        }
    }

    @Test("Bad input is refused naming the field, before any cryptography")
    func refusals() {
        let imk = Self.imk
        func gen(_ a: ARQCAttributes, _ data: String = "0011223344556677") -> () throws(EMVCryptogramError) -> Void {
            { () throws(EMVCryptogramError) in _ = try AuthRequestCryptogram.generate(issuerMasterKey: imk, attributes: a, transactionData: data) }
        }
        let base = "SessionKeyDerivationAttributes"
        Self.refusal("\(base).Visa.PrimaryAccountNumber", gen(Self.card("12345678901", "00", .visa)))
        Self.refusal("\(base).Visa.PrimaryAccountNumber", gen(Self.card("1234567890123456A", "00", .visa)))
        Self.refusal("\(base).Amex.PanSequenceNumber", gen(Self.card("1234567890123456", "0", .amex)))
        Self.refusal("\(base).EmvCommon.ApplicationTransactionCounter", gen(Self.card("1234567890123456", "00", .emvCommon(applicationTransactionCounter: "1C"))))
        Self.refusal("\(base).UnionPay.ApplicationTransactionCounter", gen(Self.card("1234567890123456", "00", .unionPay(applicationTransactionCounter: "00GG"))))
        Self.refusal("\(base).Mastercard.UnpredictableNumber",
                     gen(Self.card("1234567890123456", "00", .mastercard(applicationTransactionCounter: "0001", unpredictableNumber: "1234"))))
        Self.refusal("MajorKeyDerivationMode", gen(Self.card(.optionB, "1234567890123456", "00", .visa)))
        Self.refusal("TransactionData", gen(Self.card("1234567890123456", "00", .visa), "0"))
        Self.refusal("TransactionData", gen(Self.card("1234567890123456", "00", .visa), "XYZW"))
        Self.refusal("TransactionData", gen(Self.card("1234567890123456", "00", .visa), String(repeating: "0", count: 1026)))
        Self.refusal(nil) { () throws(EMVCryptogramError) in
            _ = try AuthRequestCryptogram.generate(issuerMasterKey: [UInt8](repeating: 1, count: 24), attributes: Self.card("1234567890123456", "00", .visa),
                                                   transactionData: "00")
        }
        let a = Self.card("1234567890123456", "00", .visa)
        func ver(_ arqc: String, _ r: ARPCMethod?) -> () throws(EMVCryptogramError) -> Void {
            { () throws(EMVCryptogramError) in _ = try AuthRequestCryptogram.verify(issuerMasterKey: imk, attributes: a, transactionData: "00", cryptogram: arqc, response: r) }
        }
        Self.refusal("AuthRequestCryptogram", ver("1234", nil))
        Self.refusal("AuthResponseAttributes.ArpcMethod1.AuthResponseCode", ver("0000000000000000", .method1(authResponseCode: "123")))
        Self.refusal("AuthResponseAttributes.ArpcMethod2.CardStatusUpdate", ver("0000000000000000", .method2(cardStatusUpdate: "00", proprietaryAuthenticationData: nil)))
        Self.refusal("AuthResponseAttributes.ArpcMethod2.ProprietaryAuthenticationData",
                     ver("0000000000000000", .method2(cardStatusUpdate: "00000000", proprietaryAuthenticationData: String(repeating: "0", count: 17))))
    }
}
