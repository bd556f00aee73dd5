/// Known-answer tests run at start: one published vector per algorithm family, so that a build
/// whose DES, MAC, KCV or key-derivation code is broken refuses to serve instead of answering
/// with wrong MACs.
///
/// The vectors are published ones (NIST SP 800-67 and SP 800-38B, ISO/IEC 9797-1 Annex B, ANSI
/// X9.24-1/-3, RFC 4231), the same ones the unit tests pin (`Tests/PaymentCryptographyTests`). Their keys are public test keys; a ``Failure`` names the
/// test only and never carries key bytes or computed values.
public enum SelfTest {
    /// A known-answer test that did not produce its published value (or threw).
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The test's name, e.g. `"DES (FIPS 81)"`.
        public let name: String

        /// Creates a failure of the named test.
        /// - Parameter name: the test's name.
        public init(name: String) {
            self.name = name
        }

        /// The test's name.
        public var description: String { name }
    }

    /// The outcome of one known-answer test.
    public struct Outcome: Sendable, Equatable {
        /// The test's name.
        public let name: String
        /// Whether it produced its published value.
        public let passed: Bool
    }

    /// Runs every known-answer test.
    ///
    /// - Returns: the tests that failed, in the order of ``names``; empty when all pass.
    public static func run() -> [Failure] {
        results().filter { !$0.passed }.map { Failure(name: $0.name) }
    }

    /// Runs every known-answer test and reports each one.
    ///
    /// - Returns: one outcome per test, in the order of ``names``.
    public static func results() -> [Outcome] {
        results(of: cases)
    }

    /// Runs the given tests; a test that throws has failed.
    static func results(of cases: [Case]) -> [Outcome] {
        cases.map { test in
            let passed: Bool
            do {
                passed = try test.check()
            } catch {
                passed = false
            }
            return Outcome(name: test.name, passed: passed)
        }
    }

    /// The names of the known-answer tests, in the order they run.
    public static var names: [String] { cases.map(\.name) }

    // MARK: Cases

    /// One known-answer test: its name and a check that returns whether the published value came out.
    struct Case: Sendable {
        let name: String
        let check: @Sendable () throws -> Bool
    }

    /// A hex literal of this file did not parse (a bug in this file, reported as a failure).
    private struct BadLiteral: Error {}

    private static func hex(_ literal: String) throws -> [UInt8] {
        guard let bytes = Bytes.fromHex(literal.filter { $0 != " " }) else { throw BadLiteral() }
        return bytes
    }

    private static func block(_ literal: String) throws -> UInt64 {
        let bytes = try hex(literal)
        guard bytes.count == 8 else { throw BadLiteral() }
        return Bytes.uint64(bytes, at: 0)
    }

    /// ISO/IEC 9797-1:2011 Annex B data string 1, "Now is the time for all ".
    private static let annexBData1 = Array("Now is the time for all ".utf8)

    /// NIST SP 800-38B Appendix D / RFC 4493 §4 example message (64 bytes).
    private static let sp800_38BMessage = """
        6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 \
        30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710
        """

    /// RFC 4231 test case 1: key 0x0b × 20, data "Hi There".
    private static func rfc4231TC1(_ hash: HMACHash, _ expected: String) -> Case {
        Case(name: "HMAC-\(hash.rawValue.uppercased()) (RFC 4231 TC1)") {
            let key = [UInt8](repeating: 0x0B, count: 20)
            return HMACAlgorithm.authenticationCode(hash: hash, key: key, message: Array("Hi There".utf8)) == (try hex(expected))
        }
    }

    static let cases: [Case] = [
        // FIPS 81 (and the classic DES example): "Now is t" under 0123456789ABCDEF.
        Case(name: "DES (FIPS 81)") {
            let des = try DES(key: hex("0123456789ABCDEF"))
            let plaintext = try block("4E6F772069732074")
            let ciphertext = try block("3FA40E8A984D4815")
            return des.encrypt(block: plaintext) == ciphertext && des.decrypt(block: ciphertext) == plaintext
        },
        // Two-key TDEA (keying option 2, SP 800-67), pycryptodome test_DES3.
        Case(name: "TDES 2-key (SP 800-67)") {
            let tdes = try TripleDES(key: hex("9B397EBF81B1181E282F4BB8ADBADC6B"))
            let plaintext = try block("21E81B7ADE88A259")
            let ciphertext = try block("5C577D4D9B20C0F8")
            return tdes.encrypt(block: plaintext) == ciphertext && tdes.decrypt(block: ciphertext) == plaintext
        },
        // SP 800-67 B.1: three-key TDEA, ECB, three blocks.
        Case(name: "TDES 3-key (SP 800-67 B.1)") {
            let tdes = try TripleDES(key: hex("0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123"))
            let plaintext = Array("The qufck brown fox jump".utf8)
            let ciphertext = try hex("A826FD8CE53B855FCCE21C8112256FE668D5C05DD9B6B900")
            let encrypted = try tdes.encryptECB(plaintext)
            let decrypted = try tdes.decryptECB(ciphertext)
            return encrypted == ciphertext && decrypted == plaintext
        },
        // ISO/IEC 9797-1 Annex B: algorithm 1 with DES, data string 1, padding method 1.
        Case(name: "ISO 9797-1 MAC algorithm 1 (Annex B)") {
            let key = try TripleDES(key: hex("0123456789ABCDEF"))
            return MACAlgorithm1.mac(key: key, message: annexBData1, padding: .method1) == (try hex("70A30640CC76DD8B"))
        },
        // ISO/IEC 9797-1:2011 B.4: algorithm 3 (retail MAC), data string 1, padding method 1.
        Case(name: "ISO 9797-1 MAC algorithm 3 (Annex B)") {
            let mac = try RetailMAC(k: hex("0123456789ABCDEF"), kPrime: hex("FEDCBA9876543210"))
            return mac.mac(annexBData1, padding: .method1) == (try hex("A1C72E74EA3FA9B6"))
        },
        // SP 800-38B D.6 (updated examples): three-key TDEA, 20-byte message (a partial last block).
        Case(name: "TDES-CMAC (SP 800-38B)") {
            let cmac = TDESCMAC(key: try TripleDES(key: hex("8aa83bf8cbda1062 0bc1bf19fbb6cd58 bc313d4a371ca8b5")))
            return cmac.mac(Array(try hex(sp800_38BMessage).prefix(20))) == (try hex("743ddbe0ce2dc2ed"))
        },
        // SP 800-38B D.1 / RFC 4493 example 3: AES-128, 40-byte message (a partial last block).
        Case(name: "AES-CMAC (SP 800-38B)") {
            let aes = try AESKey(key: hex("2b7e151628aed2a6abf7158809cf4f3c"))
            return aes.cmac(Array(try hex(sp800_38BMessage).prefix(40))) == (try hex("dfa66747de9ae63030ca32611497c827"))
        },
        rfc4231TC1(.sha224, "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22"),
        rfc4231TC1(.sha256, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        rfc4231TC1(.sha384, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"),
        rfc4231TC1(.sha512, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"),
        // Key check values: ANSI X9.24 of the AWS docs' test key (08D7B4), CMAC of an AES-128 key (BE7ED6).
        Case(name: "KCV (ANSI X9.24 and CMAC)") {
            let tdes = try KeyCheckValue.tdes(hex("0123456789ABCDEFFEDCBA9876543210"))
            let aes = try KeyCheckValue.aes(hex("000102030405060708090A0B0C0D0E0F"))
            let expectedTDES = try hex("08D7B4")
            let expectedAES = try hex("BE7ED6")
            return tdes == expectedTDES && aes == expectedAES
        },
        // ANSI X9.24-1:2009 A.4: the IPEK, and the MAC request key of KSN FFFF9876543210E00001.
        Case(name: "TDES DUKPT (X9.24-1)") {
            let bdk = try hex("0123456789ABCDEFFEDCBA9876543210")
            let ipek = try TDESDUKPT.initialKey(bdk: bdk, ksn: hex("FFFF9876543210E00000"))
            let transactionKey = try TDESDUKPT.transactionKey(bdk: bdk, ksn: hex("FFFF9876543210E00001"))
            let macRequest = try TDESDUKPT.workingKey(transactionKey: transactionKey, variant: .macRequest)
            let expectedIPEK = try hex("6AC292FAA1315B4D858AB3A3D7D5933A")
            let expectedMacRequest = try hex("042666B4918430A368DE9628D03984C9")
            return ipek == expectedIPEK && macRequest == expectedMacRequest
        },
        // ANSI X9.24-3:2017: AES-128 BDK, counter 1, the AES-128 MAC generation key.
        Case(name: "AES DUKPT (X9.24-3)") {
            let key = try AESDUKPT.workingKey(bdk: hex("FEDCBA9876543210F1F1F1F1F1F1F1F1"), ksn: hex("123456789012345600000001"),
                                              usage: .macGeneration, type: .aes128)
            return key == (try hex("A2DC23DE6FDE0824A2BC321E08E4B8B7"))
        },
        // pyemv HSM vector: ICC master key option A, common session key (R = AC), EMV MAC.
        Case(name: "EMV (pyemv HSM vector)") {
            let masterKey = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: hex("0123456789ABCDEFFEDCBA9876543210"),
                                                                     pan: "1234567890123456", psn: "01")
            let sessionKey = try EMVKeyDerivation.commonSessionKey(masterKey: masterKey, r: hex("ABCDEF1234567890"))
            let mac = try EMVMAC.mac(sessionKey: sessionKey, message: hex("8424000008"))
            return mac == (try hex("CF323F09A0F6AB9E"))
        },
    ]
}
