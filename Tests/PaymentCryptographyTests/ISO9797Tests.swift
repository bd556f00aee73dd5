import Testing
@testable import PaymentCryptography

/// ISO/IEC 9797-1:2011 Annex B examples ("Now is the time for all " and "Now is the time for it")
/// and the ANSI X9.24-1 DUKPT MAC example.
@Suite("ISO/IEC 9797-1 padding and MAC algorithms 1 and 3")
struct ISO9797Tests {
    static let s1 = ascii("Now is the time for all ")
    static let s2 = ascii("Now is the time for it")

    @Test("Padding method 1: zeros to a block; nothing when aligned; empty becomes one zero block")
    func padding1() {
        #expect(ISO9797Padding.method1.pad([1, 2, 3], blockSize: 8) == [1, 2, 3, 0, 0, 0, 0, 0])
        #expect(ISO9797Padding.method1.pad([UInt8](repeating: 7, count: 8), blockSize: 8).count == 8)
        #expect(ISO9797Padding.method1.pad([], blockSize: 8) == [UInt8](repeating: 0, count: 8))
    }

    @Test("Padding method 2: always 0x80 then zeros")
    func padding2() {
        #expect(ISO9797Padding.method2.pad([1], blockSize: 8) == [1, 0x80, 0, 0, 0, 0, 0, 0])
        #expect(ISO9797Padding.method2.pad([UInt8](repeating: 7, count: 8), blockSize: 8).count == 16)
        #expect(ISO9797Padding.method2.pad([], blockSize: 16) == [0x80] + [UInt8](repeating: 0, count: 15))
    }

    @Test("Padding method 3: a bit-length block first")
    func padding3() {
        #expect(ISO9797Padding.method3.pad([1, 2, 3], blockSize: 8) == [0, 0, 0, 0, 0, 0, 0, 24, 1, 2, 3, 0, 0, 0, 0, 0])
    }

    @Test("Annex B, algorithm 1 with DES: S1 and S2 with paddings 1, 2, 3", arguments: [
        (1, 1, "70A30640CC76DD8B"), (1, 2, "10E1F0F108341B6D"), (1, 3, "2C58FB8FF12AAEAC"),
        (2, 1, "E45B3AD2B7CC0856"), (2, 2, "A924C72136149211"), (2, 3, "B1ECD6FC8B37C392"),
    ])
    func algorithm1DES(_ data: Int, _ padding: Int, _ mac: String) throws {
        let key = try TripleDES(key: h("0123456789ABCDEF"))
        let msg = data == 1 ? Self.s1 : Self.s2
        #expect(hx(MACAlgorithm1.mac(key: key, message: msg, padding: ISO9797Padding(rawValue: padding)!)) == mac)
    }

    @Test("Annex B, algorithm 3 (retail MAC): S1 and S2", arguments: [
        (1, 1, "A1C72E74EA3FA9B6"), (1, 2, "E9086230CA3BE796"), (1, 3, "AB059463D7A7D170"),
        (2, 1, "2E2B1428CC78254F"), (2, 2, "5A692CE64F404145"),
    ])
    func algorithm3(_ data: Int, _ padding: Int, _ mac: String) throws {
        let m = try RetailMAC(k: h("0123456789ABCDEF"), kPrime: h("FEDCBA9876543210"))
        let msg = data == 1 ? Self.s1 : Self.s2
        #expect(hx(m.mac(msg, padding: ISO9797Padding(rawValue: padding)!)) == mac)
    }

    @Test("ANSI X9.24-1 A.4: X9.19 MAC under the DUKPT MAC request key")
    func dukptMAC() throws {
        let m = try RetailMAC(tdesKey: h("042666B4918430A368DE9628D03984C9"))
        #expect(hx(m.mac(ascii("4012345678909D987"), padding: .method1)) == "9CCC78173FC4FB64")
    }

    @Test("Algorithm 1 and 3 agree on a single block, and equal E_K(0) on an empty message with method 1")
    func singleBlock() throws {
        let key = h("0123456789ABCDEFFEDCBA9876543210")
        let a1 = MACAlgorithm1.mac(key: try TripleDES(key: key), message: [], padding: .method1)
        let a3 = try RetailMAC(tdesKey: key).mac([], padding: .method1)
        #expect(hx(a1) == "08D7B4FB629D0885")
        #expect(a1 == a3)
    }

    @Test("Unpadded forms refuse data that is not whole blocks")
    func unpadded() throws {
        let key = try TripleDES(key: h("0123456789ABCDEFFEDCBA9876543210"))
        #expect(throws: PaymentCryptographyError.invalidDataLength(9)) { try MACAlgorithm1.macUnpadded(key: key, message: [UInt8](repeating: 0, count: 9)) }
        #expect(throws: PaymentCryptographyError.invalidDataLength(0)) { try RetailMAC(tdesKey: h("0123456789ABCDEFFEDCBA9876543210")).macUnpadded([]) }
    }
}
