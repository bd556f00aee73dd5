import Testing
@testable import PaymentCryptography

/// EMV Book 2 vectors (pyemv's HSM-checked test files and doctests).
@Suite("EMV key derivation and MAC")
struct EMVTests {
    let testKey = h("0123456789ABCDEFFEDCBA9876543210")
    let imk2 = h("FEDCBA98765432100123456789ABCDEF")

    @Test("Common session key with R = AC, and the issuer-script MAC [HSM]")
    func commonSessionKey() throws {
        let mk = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: testKey, pan: "1234567890123456", psn: "01")
        #expect(hx(mk) == "A7CD8A644A2FA829D0675210C4B001F1")
        let sk = try EMVKeyDerivation.commonSessionKey(masterKey: mk, r: h("ABCDEF1234567890"))
        #expect(hx(sk) == "38758097AE8C9410581945610D85986B")
        #expect(hx(try EMVMAC.mac(sessionKey: sk, message: h("8424000008"))) == "CF323F09A0F6AB9E")
    }

    @Test("Visa secure messaging [HSM]: session key and two MACs")
    func visa() throws {
        let mk = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: imk2, pan: "1234567890123456", psn: "00")
        #expect(hx(mk) == "94F867167C64EF3EEAB0CB627A7A3480")
        let sk = try EMVKeyDerivation.visaSessionKey(masterKey: mk, atc: h("001C"))
        #expect(hx(sk) == "94F867167C64EF23EAB0CB627A7ACB62")
        #expect(hx(try EMVMAC.mac(sessionKey: sk, message: h("8418000008001C29CCA15AE665FA2E"))) == "DB56BA60087CEFD3")
        #expect(hx(try EMVMAC.mac(sessionKey: sk, message: h("8418000008001C7A788EA6B8A3E733"))) == "04EDE90BC24CC35E")
    }

    @Test("Mastercard-style secure messaging: CSK with R = ARQC [HSM]")
    func mastercard() throws {
        let mk = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: imk2, pan: "1234567890123456", psn: "00")
        let sk = try EMVKeyDerivation.commonSessionKey(masterKey: mk, r: h("18932FECA2D84326"))
        #expect(hx(sk) == "458FCDD3F707AD75C47961E926F40D4F")
        #expect(hx(try EMVMAC.mac(sessionKey: sk, message: h("8424000008"))) == "B574ABB0A485A330")
    }

    @Test("Mastercard AC session key, R = ATC||0000||UN [HSM]")
    func mastercardAC() throws {
        let mk = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: testKey, pan: "1234567890123456", psn: "00")
        #expect(hx(mk) == "154F349D8585CB7F6B0798E9839B10C1")
        #expect(hx(try EMVKeyDerivation.commonSessionKey(masterKey: mk, r: h("001C0000ABCDEF12"))) == "5D8F37BCD9E5DA68048CDFA2EA255D9E")
    }

    @Test("pyemv doctests: CSK with R = ATC, Visa SM key, EMV2000 tree")
    func doctests() throws {
        #expect(hx(try EMVKeyDerivation.commonSessionKey(masterKey: testKey, r: h("001C000000000000"))) == "E9FB384AF807B940FEDCEA613461B0C4")
        #expect(hx(try EMVKeyDerivation.visaSessionKey(masterKey: testKey, atc: h("001C"))) == "0123456789ABCDF2FEDCBA987654CDF2")
        #expect(hx(try EMVKeyDerivation.emv2000SessionKey(masterKey: testKey, atc: h("001C"))) == "E5BF6D1067F194B0A89B7F5D83BC64A2")
        #expect(hx(try EMVKeyDerivation.emv2000SessionKey(masterKey: testKey, atc: h("001C"), branchFactor: 2, height: 16)) == "5BD69B2676F464F4B3D3D549C1737C61")
    }

    @Test("ICC master keys, options A and B", arguments: [
        ("A", "12345678901234567", "01", "73AD54688CEF2934B0979857E3C719F1"),
        ("A", "99012345678901234", "45", "67F8292358083E5EA7AB7FDA58D53B6B"),
        ("B", "12345678901234567", "01", "AD406D7F6D7570916D75E5DCAB8CF737"),
        ("B", "12345678901234567", "45", "F767ECC2263B2C543775CB62AB6B57D6"),
        ("B", "123456789012345679", "00", "1083E9C8A72AA26BDC9B10570B73BACB"),
        ("B", "000000000000000005", "23", "2608BAA2378C92DAE0948A97E0CD230B"),
    ])
    func masterKeys(_ option: String, _ pan: String, _ psn: String, _ expected: String) throws {
        let mk = option == "A"
            ? try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: testKey, pan: pan, psn: psn)
            : try EMVKeyDerivation.iccMasterKeyOptionB(issuerMasterKey: testKey, pan: pan, psn: psn)
        #expect(hx(mk) == expected)
    }

    @Test("Option A, PAN 12345678901234567 PSN 45 has KCV FF08 [HSM]; option B PSN 45 has KCV 0BAF")
    func kcvs() throws {
        let a = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: testKey, pan: "12345678901234567", psn: "45")
        #expect(hx(try KeyCheckValue.tdes(a, length: 2)) == "FF08")
        let b = try EMVKeyDerivation.iccMasterKeyOptionB(issuerMasterKey: testKey, pan: "12345678901234567", psn: "45")
        #expect(hx(try KeyCheckValue.tdes(b, length: 2)) == "0BAF")
    }
}
