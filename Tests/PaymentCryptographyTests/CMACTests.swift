import Testing
@testable import PaymentCryptography

/// NIST SP 800-38B Appendix D (with the updated examples) and RFC 4493 §4.
@Suite("CMAC with AES and TDES")
struct CMACTests {
    static let m = h("6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710")

    @Test("AES-128/192/256, messages of 0, 16, 40, 64 bytes", arguments: [
        ("2b7e151628aed2a6abf7158809cf4f3c", 0, "bb1d6929e95937287fa37d129b756746"),
        ("2b7e151628aed2a6abf7158809cf4f3c", 16, "070a16b46b4d4144f79bdd9dd04a287c"),
        ("2b7e151628aed2a6abf7158809cf4f3c", 40, "dfa66747de9ae63030ca32611497c827"),
        ("2b7e151628aed2a6abf7158809cf4f3c", 64, "51f0bebf7e3b9d92fc49741779363cfe"),
        ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", 0, "d17ddf46adaacde531cac483de7a9367"),
        ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", 16, "9e99a7bf31e710900662f65e617c5184"),
        ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", 40, "8a1de5be2eb31aad089a82e6ee908b0e"),
        ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", 64, "a1d5df0eed790f794d77589659f39a11"),
        ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", 0, "028962f61b7bf89efc6b551f4667d983"),
        ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", 16, "28a7023f452e8f82bd4bf28d8c37c35c"),
        ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", 40, "aaf3d8f1de5640c232f5b169b9c911e6"),
        ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", 64, "e1992190549f6ed5696a2c056c315410"),
    ])
    func aes(_ key: String, _ length: Int, _ tag: String) throws {
        #expect(hx(try AESKey(key: h(key)).cmac(Array(Self.m.prefix(length)))) == tag.uppercased())
    }

    @Test("TDES-CMAC subkeys (SP 800-38B D.5, D.6)")
    func subkeys() throws {
        let three = TDESCMAC(key: try TripleDES(key: h("8aa83bf8cbda1062 0bc1bf19fbb6cd58 bc313d4a371ca8b5")))
        #expect(three.k1 == u64("9198E9D314E6535F"))
        #expect(three.k2 == u64("2331D3A629CCA6A5"))
        let two = TDESCMAC(key: try TripleDES(key: h("4cf15134a2850dd5 8a3d10ba80570d38")))
        #expect(two.k1 == u64("8ECF373ED71AFAEF"))
        #expect(two.k2 == u64("1D9E6E7DAE35F5C5"))
    }

    @Test("TDES-CMAC: three-key and two-key TDEA, messages of 0, 8, 20, 32 bytes", arguments: [
        ("8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5", 0, "b7a688e122ffaf95"),
        ("8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5", 8, "8e8f293136283797"),
        ("8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5", 20, "743ddbe0ce2dc2ed"),
        ("8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5", 32, "33e6b1092400eae5"),
        ("4cf15134a2850dd58a3d10ba80570d38", 0, "bd2ebf9a3ba00361"),
        ("4cf15134a2850dd58a3d10ba80570d38", 8, "4ff2ab813c53ce83"),
        ("4cf15134a2850dd58a3d10ba80570d38", 20, "62dd1b471902bd4e"),
        ("4cf15134a2850dd58a3d10ba80570d38", 32, "31b1e431dabc4eb8"),
    ])
    func tdes(_ key: String, _ length: Int, _ tag: String) throws {
        #expect(hx(TDESCMAC(key: try TripleDES(key: h(key))).mac(Array(Self.m.prefix(length)))) == tag.uppercased())
    }
}
