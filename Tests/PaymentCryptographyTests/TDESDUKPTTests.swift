import Testing
@testable import PaymentCryptography

/// ANSI X9.24-1:2009 Annex A.4: the initial sequence and the rollover sequence (34 KSNs).
@Suite("TDES DUKPT (ANSI X9.24-1:2009)")
struct TDESDUKPTTests {
    let bdk = h(TDESDUKPTVectors.bdk)

    @Test("IPEK of BDK 0123...3210 and KSN FFFF9876543210E00000 is 6AC292FAA1315B4D858AB3A3D7D5933A")
    func ipek() throws {
        #expect(hx(try TDESDUKPT.initialKey(bdk: bdk, ksn: h("FFFF9876543210E00000"))) == "6AC292FAA1315B4D858AB3A3D7D5933A")
        // The counter bits of the KSN do not change the IPEK.
        #expect(hx(try TDESDUKPT.initialKey(bdk: bdk, ksn: h("FFFF9876543210E00015"))) == "6AC292FAA1315B4D858AB3A3D7D5933A")
    }

    @Test("Every row: transaction key, all five variants, MACs and encrypted data", arguments: TDESDUKPTVectors.rows.indices)
    func row(_ i: Int) throws {
        let v = TDESDUKPTVectors.rows[i]
        let ksn = h(v.ksn)
        let tk = try TDESDUKPT.transactionKey(bdk: bdk, ksn: ksn)
        #expect(hx(tk) == v.transactionKey)
        #expect(hx(try TDESDUKPT.workingKey(transactionKey: tk, variant: .pinEncryption)) == v.pinKey)
        let req = try TDESDUKPT.workingKey(transactionKey: tk, variant: .macRequest)
        let resp = try TDESDUKPT.workingKey(transactionKey: tk, variant: .macResponse)
        #expect(hx(req) == v.macRequestKey)
        #expect(hx(resp) == v.macResponseKey)
        let data = try TDESDUKPT.workingKey(transactionKey: tk, variant: .dataRequest)
        #expect(hx(data) == v.dataRequestKey)
        let message = ascii("4012345678909D987")
        #expect(hx(try RetailMAC(tdesKey: req).mac(message, padding: .method1)).hasPrefix(v.macRequest4))
        #expect(hx(try RetailMAC(tdesKey: resp).mac(message, padding: .method1)).hasPrefix(v.macResponse4))
        #expect(hx(TDESCMAC(key: try TripleDES(key: req)).mac(message)) == v.cmacRequest)
        let padded = message + [UInt8](repeating: 0, count: 7)
        #expect(hx(try TripleDES(key: data).encryptCBC(padded)) == v.encryptedData)
        // PIN block: ISO 9564 format 0, PIN 1234, PAN 4012345678909: clear block 041274EDCBA9876F.
        let pinKey = try TDESDUKPT.workingKey(transactionKey: tk, variant: .pinEncryption)
        #expect(hx(try TripleDES(key: pinKey).encryptECB(h("041274EDCBA9876F"))) == v.epb)
    }

    @Test("The maximum counter 1FF800 ([COMP], ANSI X9.24-1:2009 A.4)")
    func maximumCounter() throws {
        #expect(hx(try TDESDUKPT.transactionKey(bdk: bdk, ksn: h("FFFF9876543210FFF800"))) == "4124BC9650E70B10DED3378C9F4E2E42")
    }

    @Test("Data response key with the one-way function (ANSI X9.24-1:2009 A.4 [COMP])")
    func dataResponse() throws {
        let tk = try TDESDUKPT.transactionKey(bdk: bdk, ksn: h("FFFF9876543210E00001"))
        #expect(hx(try TDESDUKPT.workingKey(transactionKey: tk, variant: .dataResponse)) == "AD7BFC8B06AD3A08A560B4105CF8D9E5")
    }

    @Test("Sizes are checked")
    func sizes() {
        #expect(throws: PaymentCryptographyError.invalidKeyLength(8)) { try TDESDUKPT.initialKey(bdk: [UInt8](repeating: 0, count: 8), ksn: h("FFFF9876543210E00000")) }
        #expect(throws: PaymentCryptographyError.invalidDataLength(8)) { try TDESDUKPT.initialKey(bdk: h(TDESDUKPTVectors.bdk), ksn: [UInt8](repeating: 0, count: 8)) }
    }
}
