import Testing
@testable import PaymentCryptography

/// ANSI X9.24-3:2017 Supplement Test Vectors.
@Suite("AES DUKPT (ANSI X9.24-3:2017)")
struct AESDUKPTTests {
    @Test("Initial keys of the AES-128 and AES-256 BDKs")
    func initialKeys() throws {
        #expect(hx(try AESDUKPT.initialKey(bdk: h(AESDUKPTVectors.bdk128), initialKeyID: h("1234567890123456"))) == AESDUKPTVectors.ik128)
        #expect(hx(try AESDUKPT.initialKey(bdk: h(AESDUKPTVectors.bdk256), initialKeyID: h("1234567890123456"))) == AESDUKPTVectors.ik256)
    }

    @Test("AES-128 BDK: derivation key and every AES-128 working key", arguments: AESDUKPTVectors.aes128.indices)
    func aes128(_ i: Int) throws { try check(AESDUKPTVectors.aes128[i], ik: AESDUKPTVectors.ik128) }

    @Test("AES-256 BDK: derivation key and AES-128 working keys", arguments: AESDUKPTVectors.aes256.indices)
    func aes256(_ i: Int) throws { try check(AESDUKPTVectors.aes256[i], ik: AESDUKPTVectors.ik256) }

    func check(_ v: AESDUKPTVector, ik: String) throws {
        let ksn = h(v.ksn)
        let dk = try AESDUKPT.derivationKey(initialKey: h(ik), ksn: ksn)
        #expect(hx(dk) == v.derivationKey)
        func wk(_ usage: AESDUKPT.KeyUsage) throws -> String { hx(try AESDUKPT.workingKey(derivationKey: dk, ksn: ksn, usage: usage, type: .aes128)) }
        #expect(try wk(.pinEncryption) == v.pinKey)
        #expect(try wk(.macGeneration) == v.macGenKey)
        #expect(try wk(.macVerification) == v.macVerKey)
        #expect(try wk(.macBothWays) == v.macBothKey)
        #expect(try wk(.dataEncryption) == v.dataEncKey)
    }

    @Test("AES-256 BDK: AES-256 MAC working keys", arguments: AESDUKPTVectors.aes256MacKeys.indices)
    func aes256MacKeys(_ i: Int) throws {
        let v = AESDUKPTVectors.aes256MacKeys[i]
        let bdk = h(AESDUKPTVectors.bdk256)
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk, ksn: h(v.ksn), usage: .macGeneration, type: .aes256)) == v.macGenKey)
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk, ksn: h(v.ksn), usage: .macVerification, type: .aes256)) == v.macVerKey)
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk, ksn: h(v.ksn), usage: .macBothWays, type: .aes256)) == v.macBothKey)
    }

    @Test("Other published values: TDES working keys, KEK, PIN AES-256, update key")
    func others() throws {
        let bdk128 = h(AESDUKPTVectors.bdk128)
        let ksn1 = h("123456789012345600000001")
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk128, ksn: ksn1, usage: .macGeneration, type: .tdes2)) == "5D8FD787E8A796D07035FFCA9B5800BB")
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk128, ksn: ksn1, usage: .macGeneration, type: .tdes3)) == "2A1061A6EAC2C14FAC3758EA07B3648A624B24E942785BF1")
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk128, ksn: ksn1, usage: .pinEncryption, type: .tdes2)) == "630C706D9546E47D4449313F61C4D4AB")
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk128, ksn: ksn1, usage: .dataEncryption, type: .tdes3)) == "F716DFBC6B2D2D5825B694EEEE181A013F2F1C09380BBE0C")
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk128, ksn: ksn1, usage: .keyEncryptionKey, type: .aes128)) == "36A724B7BEFA5A25F5E7B5782A4554A2")
        #expect(hx(try AESDUKPT.workingKey(bdk: h(AESDUKPTVectors.bdk256), ksn: ksn1, usage: .pinEncryption, type: .aes256)) == "8C1AB7BEE973829E30242E0BBBDD4946D540C98FC1B5BDCF94790001A23FD502")
        let update = h("1234567890123456FFFFFFFF")
        let ik = try AESDUKPT.initialKey(bdk: bdk128, initialKeyID: h("1234567890123456"))
        let dk = try AESDUKPT.derivationKey(initialKey: ik, ksn: update)
        #expect(hx(dk) == "36C6EBBCC0536FC91C1D50660D4F82AE")
        #expect(hx(try AESDUKPT.workingKey(derivationKey: dk, ksn: update, usage: .keyEncryptionKey, type: .aes128)) == "9A9770AEE1ACD1B13473D0463A1883B9")
        #expect(hx(try AESDUKPT.workingKey(derivationKey: dk, ksn: update, usage: .keyEncryptionKey, type: .tdes2)) == "4744A5ECBC62B5C4BB76FBEAE1E244A3")
        let dk256 = try AESDUKPT.derivationKey(initialKey: try AESDUKPT.initialKey(bdk: h(AESDUKPTVectors.bdk256), initialKeyID: h("1234567890123456")), ksn: update)
        #expect(hx(dk256) == "39064FDC8373D710AFAA823E757E59190C92DD8FBF86B87B673632F4E04C97D2")
        #expect(hx(try AESDUKPT.workingKey(derivationKey: dk256, ksn: update, usage: .keyEncryptionKey, type: .aes256)) == "AEFB210C136278A1279F7C8815F446DB8EBE2AA910B157AA4E6484D8DE9C4807")
    }

    @Test("HMAC-128 working key (openemv usage) and MACs [COMP] of the X9.24-3:2017 supplement")
    func macs() throws {
        let bdk128 = h(AESDUKPTVectors.bdk128)
        let ksn1 = h("123456789012345600000001")
        let msg = ascii("4012345678909D987")
        let hmacKey = try AESDUKPT.workingKey(bdk: bdk128, ksn: ksn1, usage: .macGeneration, type: .hmac128)
        #expect(hx(hmacKey) == "27D99DA9C091C20DEC0D1C56244ADF8C")
        #expect(hx(HMACAlgorithm.authenticationCode(hash: .sha256, key: hmacKey, message: msg)) == "B6F8B3159CD4E140159DA87A68C0FB7AF2F123D222662E98988C76386E8E8A02")
        let gen = try AESDUKPT.workingKey(bdk: bdk128, ksn: ksn1, usage: .macGeneration, type: .aes128)
        #expect(hx(try AESKey(key: gen).cmac(msg)) == "A2EB5C1C35809E58404E873C3C411E31")
        let tdesGen = try AESDUKPT.workingKey(bdk: bdk128, ksn: ksn1, usage: .macGeneration, type: .tdes2)
        #expect(hx(MACAlgorithm1.mac(key: try TripleDES(key: tdesGen), message: msg, padding: .method1)) == "F4A426BC923E004B")
        #expect(hx(try RetailMAC(tdesKey: tdesGen).mac(msg, padding: .method1)) == "5DE83BDC6195961D")
        #expect(hx(TDESCMAC(key: try TripleDES(key: tdesGen)).mac(msg)) == "44992DECE189AEDB")
        let gen256 = try AESDUKPT.workingKey(bdk: h(AESDUKPTVectors.bdk256), ksn: ksn1, usage: .macGeneration, type: .aes256)
        #expect(hx(try AESKey(key: gen256).cmac(msg)) == "B2072B93EACB70AF0A7FA3F81F25EC31")
    }

    @Test("A working key stronger than the BDK is refused")
    func strength() {
        #expect(throws: PaymentCryptographyError.self) {
            try AESDUKPT.workingKey(bdk: h(AESDUKPTVectors.bdk128), ksn: h("123456789012345600000001"), usage: .macGeneration, type: .aes256)
        }
        #expect(throws: PaymentCryptographyError.self) {
            try AESDUKPT.workingKey(bdk: h(AESDUKPTVectors.bdk128), ksn: h("123456789012345600000001"), usage: .macGeneration, type: .hmac192)
        }
    }
}
