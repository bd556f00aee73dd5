import Crypto
import Testing
@testable import PaymentCryptography

/// RFC 4231 test cases 1-7 for HMAC-SHA-224/256/384/512, and FIPS 180-4 examples for SHA-224.
@Suite("HMAC and SHA-224")
struct HMACTests {
    static let cases: [(key: [UInt8], data: [UInt8], macs: [String])] = [
        ([UInt8](repeating: 0x0b, count: 20), ascii("Hi There"), [
            "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"]),
        (ascii("Jefe"), ascii("what do ya want for nothing?"), [
            "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"]),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50), [
            "7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea",
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"]),
        (Array(1...25), [UInt8](repeating: 0xcd, count: 50), [
            "6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a",
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
            "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"]),
        ([UInt8](repeating: 0x0c, count: 20), ascii("Test With Truncation"), [
            "0e2aea68a90c8d37c988bcdb9fca6fa8", "a3b6167473100ee06e0c796c2955552b",
            "3abf34c3503b2a23a46efc619baef897", "415fad6271580a531d4179bc891d87a6"]),
        ([UInt8](repeating: 0xaa, count: 131), ascii("Test Using Larger Than Block-Size Key - Hash Key First"), [
            "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"]),
        ([UInt8](repeating: 0xaa, count: 131), ascii("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."), [
            "3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
            "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"]),
    ]

    @Test("RFC 4231 test cases 1-7", arguments: 0..<7)
    func rfc4231(_ i: Int) {
        let c = Self.cases[i]
        for (j, hash) in HMACHash.allCases.enumerated() {
            let mac = hx(HMACAlgorithm.authenticationCode(hash: hash, key: c.key, message: c.data))
            let expected = c.macs[j].uppercased()
            // Test case 5 prints only the leftmost 128 bits.
            #expect(mac.hasPrefix(expected), "TC\(i + 1) \(hash)")
            #expect(mac.count == 2 * hash.byteCount)
        }
    }

    @Test("RFC 4231 test cases 1-7 through a keyed HMAC reused for several messages", arguments: 0..<7)
    func rfc4231Keyed(_ i: Int) throws {
        let c = Self.cases[i]
        for (j, hash) in HMACHash.allCases.enumerated() where hash != .sha224 {
            let keyed = try #require(KeyedHMAC(hash: hash, key: c.key))
            // A first message must not change what the second one gets.
            _ = keyed.authenticationCode(ascii("another message first"))
            let mac = hx(keyed.authenticationCode(c.data))
            #expect(mac.hasPrefix(c.macs[j].uppercased()), "TC\(i + 1) \(hash)")
            #expect(keyed.authenticationCode(c.data) == HMACAlgorithm.authenticationCode(hash: hash, key: c.key, message: c.data))
        }
        #expect(KeyedHMAC(hash: .sha224, key: c.key) == nil)
    }

    @Test("the precomputed HMAC agrees with swift-crypto's HMAC on random keys (shorter, equal to and longer than the block) and messages")
    func precomputedAgainstSwiftCrypto() {
        var rng = SystemRandomNumberGenerator()  // a failure prints the key and message
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        for _ in 0..<300 {
            let key = bytes(Int.random(in: 0...200, using: &rng))
            let message = bytes(Int.random(in: 0...300, using: &rng))
            let k = SymmetricKey(data: key)
            let p256 = PrecomputedHMAC<SHA256>(key: key)
            let p384 = PrecomputedHMAC<SHA384>(key: key)
            let p512 = PrecomputedHMAC<SHA512>(key: key)
            let context = "key \(hx(key)) message \(hx(message))"
            #expect(Array(p256.authenticationCode(message)) == Array(HMAC<SHA256>.authenticationCode(for: message, using: k)), "\(context)")
            #expect(Array(p384.authenticationCode(message)) == Array(HMAC<SHA384>.authenticationCode(for: message, using: k)), "\(context)")
            #expect(Array(p512.authenticationCode(message)) == Array(HMAC<SHA512>.authenticationCode(for: message, using: k)), "\(context)")
            #expect(p512.authenticationCodeBytes(message) == Array(HMAC<SHA512>.authenticationCode(for: message, using: k)), "\(context)")
            // Reused: a second message starts from the same keyed state.
            #expect(Array(p256.authenticationCode(message)) == Array(HMAC<SHA256>.authenticationCode(for: message, using: k)), "\(context)")
        }
    }

    @Test("FIPS 180-4 SHA-224 examples: empty, 'abc', two-block message, one million 'a'")
    func sha224() {
        #expect(hx(SHA224.hash([])) == "D14A028C2A3A2BC9476102BB288234C415A2B01F828EA62AC5B3E42F")
        #expect(hx(SHA224.hash(ascii("abc"))) == "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7")
        #expect(hx(SHA224.hash(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) == "75388B16512776CC5DBA5DA1FD890150B0C6455CB4F58B1952522525")
        #expect(hx(SHA224.hash([UInt8](repeating: 0x61, count: 1_000_000))) == "20794655980C91D8BBB4C1EA97618A4BF03F42581948B2EE4EE7AD67")
    }
}
