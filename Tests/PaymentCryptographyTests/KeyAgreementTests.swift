import Testing
@testable import PaymentCryptography

/// Known answers of ECC CDH and the two ECDH key derivation functions (NIST SP 800-56A Rev. 3 §5.7.1.2, SP 800-56C Rev. 2 §4.1, ANSI X9.63 §5.6.3).
@Suite("ECDH and its KDFs: published vectors")
struct KeyAgreementTests {
    /// NIST CAVS 14.1 KAS_ECC_CDH_PrimitiveTest, COUNT = 0 of each curve (also in Go's crypto/ecdh tests).
    @Test("ECC CDH, CAVS 14.1 COUNT 0", arguments: [
        (ECCCurve.p256,
         "7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",
         "700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287",
         "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
         "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b"),
        (.p384,
         "3cc3122a68f0d95027ad38c067916ba0eb8c38894d22e1b15618b6818a661774ad463b205da88cf699ab4d43c9cf98a1",
         "a7c76b970c3b5fe8b05d2838ae04ab47697b9eaf52e764592efda27fe7513272734466b400091adbf2d68c58e0c50066",
         "ac68f19f2e1cb879aed43a9969b91a0839c4c38a49749b661efedf243451915ed0905a32b060992b468c64766fc8437a",
         "5f9d29dc5e31a163060356213669c8ce132e22f57c9a04f40ba7fcead493b457e5621e766c40a2e3d4d6a04b25e533f1"),
        (.p521,
         "017eecc07ab4b329068fba65e56a1f8890aa935e57134ae0ffcce802735151f4eac6564f6ee9974c5e6887a1fefee5743ae2241bfeb95d5ce31ddcb6f9edb4d6fc47",
         "00685a48e86c79f0f0875f7bc18d25eb5fc8c0b07e5da4f4370f3a9490340854334b1e1b87fa395464c60626124a4e70d0f785601d37c09870ebf176666877a2046d",
         "01ba52c56fc8776d9e8f5db4f0cc27636d0b741bbe05400697942e80b739884a83bde99e0f6716939e632bc8986fa18dccd443a348b6c3e522497955a4f3c302f676",
         "005fc70477c3e63bc3954bd0df3ea0d1f41ee21746ed95fc5e1fdf90930d5e136672d72cc770742d1711c3c3a4c334a0ad9759436a4d3c5bf6e74b9578fac148c831"),
    ])
    func cdh(curve: ECCCurve, d: String, qx: String, qy: String, z: String) throws {
        let shared = try ECDH.sharedSecret(curve, privateKey: h(d), publicKey: [0x04] + h(qx) + h(qy))
        #expect(hx(shared) == z.uppercased())
        #expect(shared.count == curve.coordinateByteCount)
    }

    @Test("A public key off the curve is refused")
    func offCurve() throws {
        let d = h("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534")
        var q = [0x04] + h("700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287")
            + h("db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac")
        q[64] ^= 1
        #expect(throws: KeyAgreementError.publicKeyNotOnCurve(.p256)) {
            try ECDH.sharedSecret(.p256, privateKey: d, publicKey: q)
        }
    }

    /// SP 800-56C one-step KDF: pyca/cryptography test_concatkdf.py (SHA-256), Botan sp800_56a.vec (SHA-384, SHA-512).
    @Test("SP 800-56C one-step KDF (AWS NIST_SP800)", arguments: [
        (KDFHash.sha256, "52169af5c485dcc2321eb8d26d5efa21fb9b93c98e38412ee2484cf14f0d0d23",
         "a1b2c3d4e53728157e634612c12d6d5223e204aeea4341565369647bd184bcd246f72971f292badaa2fe4124612cba",
         "1c3bc9e7c4547c5191c0d478cccaed55"),
        (.sha384, "31959754B0F25A059CB5DC822BF2C50D4EA35A6A2C6B5195",
         "5CF8056657ACA01CCCBEA17896F29AD012C80AE667566F3CF45553087F36C3C0",
         "392948A8F8C534E3ACFA99FB840F68336A3D55836675B61C1EB6C1853C7D4D92AC0D"),
        (.sha512, "66529B931640F301531F4FA68EE95A97BA4DE7673C08429A7F724CADBE8727B0",
         "9C0F11D1AB916378EBEBF5D549A7FA80874C70E9A4B2FAE3B0DFD9A714167A4E",
         "26D9804352D8ADC9793D7DA22590C33D527E553E9C1D98425E0B3A5ED7FBA2D5D57BCC"),
    ])
    func oneStep(hash: KDFHash, z: String, info: String, expected: String) throws {
        let n = expected.count / 2
        #expect(hx(try KeyAgreementKDF.oneStep.derive(hash: hash, z: h(z), info: h(info), length: n)) == expected.uppercased())
        // Shorter keys are the first L bytes.
        #expect(hx(try KeyAgreementKDF.oneStep.derive(hash: hash, z: h(z), info: h(info), length: 16)) == String(expected.uppercased().prefix(32)))
    }

    /// ANSI X9.63 KDF: NIST CAVP ansx963_2001.rsp, COUNT = 0.
    @Test("ANSI X9.63 KDF (AWS ANSI_X963)", arguments: [
        (KDFHash.sha256, "96c05619d56c328ab95fe84b18264b08725b85e33fd34f08", "", "443024c3dae66b95e6f5670601558f71"),
        (.sha384, "d8554db1b392cd55c3fe957bed76af09c13ac2a9392f88f6", "", "671a46aada145162f8ddf1ca586a1cda"),
        (.sha512, "87fc0d8c4477485bb574f5fcea264b30885dc8d90ad82782", "", "947665fbb9152153ef460238506a0245"),
    ])
    func x963(hash: KDFHash, z: String, info: String, expected: String) throws {
        #expect(hx(try KeyAgreementKDF.x963.derive(hash: hash, z: h(z), info: h(info), length: 16)) == expected.uppercased())
    }

    @Test("ANSI_X963 KDF with SharedInfo, 128 bytes (CAVP ansx963_2001.rsp)")
    func x963SharedInfo() throws {
        let out = try KeyAgreementKDF.x963.derive(hash: .sha256, z: h("22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d"),
                                                       info: h("75eef81aa3041e33b80971203d2c0c52"), length: 128)
        #expect(out.count == 128)
        #expect(hx(Array(out.prefix(16))) == "C498AF77161CC59F2962B9A713E2B215")
    }

    @Test("Output lengths outside 1...1024 are refused")
    func lengths() {
        #expect(throws: KeyAgreementError.invalidOutputLength(0)) { try KeyAgreementKDF.x963.derive(hash: .sha256, z: [1], info: [], length: 0) }
    }
}
