import Testing
@testable import PaymentCryptography

@Suite("DES and TDES known-answer tests")
struct DESTests {
    @Test("FIPS 81: DES 0123456789ABCDEF encrypts 'Now is t' to 3FA40E8A984D4815")
    func fips81() throws {
        let des = try DES(key: h("0123456789ABCDEF"))
        #expect(des.encrypt(block: u64("4E6F772069732074")) == u64("3FA40E8A984D4815"))
        #expect(des.decrypt(block: u64("3FA40E8A984D4815")) == u64("4E6F772069732074"))
    }

    @Test("SP 800-17 Table B.1: variable plaintext, all 64", arguments: DESVectors.sp800_17_B1.indices)
    func variablePlaintext(_ i: Int) throws { try check(DESVectors.sp800_17_B1[i]) }

    @Test("SP 800-17 Table B.2: variable key, all 56", arguments: DESVectors.sp800_17_B2.indices)
    func variableKey(_ i: Int) throws { try check(DESVectors.sp800_17_B2[i]) }

    @Test("SP 800-20 Table A.4: substitution table, all 19", arguments: DESVectors.sp800_20_sbox.indices)
    func substitutionTable(_ i: Int) throws { try check(DESVectors.sp800_20_sbox[i]) }

    func check(_ v: DESVector) throws {
        let des = try DES(key: h(v.key))
        #expect(des.encrypt(block: u64(v.plaintext)) == u64(v.ciphertext), "key \(v.key) pt \(v.plaintext)")
        #expect(des.decrypt(block: u64(v.ciphertext)) == u64(v.plaintext))
        // Keying option 3 (K1 = K2 = K3) of TDES is single DES; the SP 800-17 tables are used that way.
        let tdes = try TripleDES(key: h(v.key + v.key + v.key))
        #expect(tdes.encrypt(block: u64(v.plaintext)) == u64(v.ciphertext))
    }

    @Test("SP 800-67 B.1: three-key TDEA, ECB, three blocks")
    func sp800_67() throws {
        let k = try TripleDES(key: h("0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123"))
        let pt = ascii("The qufck brown fox jump")
        let ct = try k.encryptECB(pt)
        #expect(hx(ct) == "A826FD8CE53B855FCCE21C8112256FE668D5C05DD9B6B900")
        #expect(try k.decryptECB(ct) == pt)
    }

    @Test("Two-key TDES (pycryptodome test_DES3) and the test key 0123...3210 under zeros")
    func twoKey() throws {
        let k = try TripleDES(key: h("9B397EBF81B1181E282F4BB8ADBADC6B"))
        #expect(k.encrypt(block: u64("21E81B7ADE88A259")) == u64("5C577D4D9B20C0F8"))
        #expect(k.decrypt(block: u64("5C577D4D9B20C0F8")) == u64("21E81B7ADE88A259"))
        let test = try TripleDES(key: h("0123456789ABCDEFFEDCBA9876543210"))
        #expect(test.encrypt(block: 0) == u64("08D7B4FB629D0885"))
    }

    @Test("CBC round trip and IV use")
    func cbc() throws {
        let k = try TripleDES(key: h("0123456789ABCDEFFEDCBA9876543210"))
        let iv = h("1122334455667788")
        let pt = ascii("sixteen byte msg") + ascii("and 8 mo")
        let ct = try k.encryptCBC(pt, iv: iv)
        #expect(try k.decryptCBC(ct, iv: iv) == pt)
        // First block is E(P1 xor IV).
        #expect(Array(ct.prefix(8)) == (try k.encryptECB(zip(pt.prefix(8), iv).map { $0 ^ $1 })))
    }

    @Test("Wrong key and data lengths are refused")
    func refusals() {
        #expect(throws: PaymentCryptographyError.invalidKeyLength(7)) { try DES(key: [UInt8](repeating: 1, count: 7)) }
        #expect(throws: PaymentCryptographyError.invalidKeyLength(17)) { try TripleDES(key: [UInt8](repeating: 1, count: 17)) }
        #expect(throws: PaymentCryptographyError.invalidDataLength(9)) {
            try TripleDES(key: h("0123456789ABCDEFFEDCBA9876543210")).encryptECB([UInt8](repeating: 0, count: 9))
        }
    }
}
