import Foundation
import Testing
@testable import PaymentCryptography

/// The data-encryption differential test: ciphertexts computed by independent oracles
/// (pycryptodome, pyca cryptography, OpenSSL, pydukpt, Tests/oracle/aes_dukpt.py, pyemv; see
/// Tests/oracle/gen_encryption_fixture.py) must be produced by EncryptData's algorithm and
/// decrypted back by DecryptData's. The committed fixture always runs;
/// `PAYCRYPT_ENCRYPTION_FIXTURE` adds a freshly generated one.
@Suite("Data encryption differential test against pycryptodome, cryptography, OpenSSL, pydukpt and pyemv")
struct EncryptionDifferentialTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let member, keyAlgorithm, key, plainText, cipherText: String
            let attributes: [String: String]
            let workingKey: String?
        }
        struct WrappedCase: Decodable {
            let kbpkAlgorithm, kbpk, block, keyAlgorithm, keyCheckValue, plainText, cipherText: String
            let attributes: [String: String]
        }
        let seed: Int
        let cases: [Case]
        let wrapped: [WrappedCase]
    }

    struct FixtureMissing: Error {}
    struct UnknownValue: Error { let value: String }

    static func fixtures() throws -> [(String, Fixture)] {
        guard let url = Bundle.module.url(forResource: "encryption", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing()
        }
        var out = [("committed", try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)))]
        if let extra = ProcessInfo.processInfo.environment["PAYCRYPT_ENCRYPTION_FIXTURE"], !extra.isEmpty {
            out.append((extra, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: extra)))))
        }
        return out
    }

    /// The key that ciphers the data, and its mode, as the service derives them.
    static func cipherKey(_ c: Fixture.Case) throws -> (SymmetricKeyMaterial, EncryptionMode) {
        guard let algorithm = KeyAlgorithm(rawValue: c.keyAlgorithm) else { throw UnknownValue(value: c.keyAlgorithm) }
        let key = try SymmetricKeyMaterial(algorithm: algorithm, bytes: h(c.key))
        let a = c.attributes
        switch c.member {
        case "Symmetric":
            guard let mode = EncryptionMode(rawValue: a["Mode"] ?? "") else { throw UnknownValue(value: a["Mode"] ?? "") }
            return (key, mode)
        case "Dukpt":
            let wk = try DataEncryption.dukptWorkingKey(bdk: key, keySerialNumber: a["KeySerialNumber"] ?? "",
                                                        derivationType: a["DukptKeyDerivationType"].flatMap(DukptDerivationType.init(rawValue:)),
                                                        variant: a["DukptKeyVariant"].flatMap(DukptKeyVariant.init(rawValue:)), path: "Dukpt")
            return (wk, a["Mode"] == "ECB" ? .ECB : .CBC)
        case "Emv":
            guard let option = MajorKeyDerivationMode(rawValue: a["MajorKeyDerivationMode"] ?? "") else { throw UnknownValue(value: "option") }
            let sk = try DataEncryption.emvSessionKey(issuerMasterKey: key, option: option, pan: a["PrimaryAccountNumber"] ?? "",
                                                      psn: a["PanSequenceNumber"] ?? "", sessionDerivationData: a["SessionDerivationData"] ?? "", path: "Emv")
            return (sk, a["Mode"] == "ECB" ? .ECB : .CBC)
        default:
            throw UnknownValue(value: c.member)
        }
    }

    @Test("EncryptData gives every oracle ciphertext and DecryptData every plaintext, for every member, mode and key algorithm")
    func encryptAndDecrypt() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.cases.count >= 200, "\(name) has too few cases")
            #expect(Set(fixture.cases.map(\.member)) == ["Symmetric", "Dukpt", "Emv"], "\(name) misses a member")
            let modes = Set(fixture.cases.filter { $0.member == "Symmetric" }.map { "\($0.keyAlgorithm) \($0.attributes["Mode"] ?? "")" })
            #expect(modes.count == 5 * 8 - 2, "\(name) misses a mode or key algorithm")
            for c in fixture.cases {
                let label = "\(name) seed \(fixture.seed): \(c.member) \(c.keyAlgorithm) \(c.attributes["Mode"] ?? "-")"
                let (key, mode) = try Self.cipherKey(c)
                if let wk = c.workingKey { #expect(hx(key.bytes) == wk, "\(label): working key") }
                let iv = c.attributes["InitializationVector"]
                let ct = try DataEncryption.symmetric(h(c.plainText), key: key, mode: mode, initializationVector: iv, encrypting: true,
                                                      dataField: "PlainText", path: c.member)
                #expect(hx(ct) == c.cipherText, "\(label): encrypt")
                let pt = try DataEncryption.symmetric(h(c.cipherText), key: key, mode: mode, initializationVector: iv, encrypting: false,
                                                      dataField: "CipherText", path: c.member)
                #expect(hx(pt) == c.plainText.uppercased(), "\(label): decrypt")
            }
            print("encryption differential (\(name), seed \(fixture.seed)): \(fixture.cases.count) cases, each encrypted and decrypted")
        }
    }

    @Test("WrappedKey: psec's TR-31 D0 blocks unwrap to keys of the oracle's check value that cipher as the oracle does")
    func wrappedKeys() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.wrapped.count >= 40, "\(name) has too few wrapped-key cases")
            for c in fixture.wrapped {
                let label = "\(name) seed \(fixture.seed): \(c.block.prefix(16)) under \(c.kbpkAlgorithm)"
                let kbpk: TR31ProtectionKey
                if c.kbpkAlgorithm.hasPrefix("TDES") { kbpk = try TR31ProtectionKey(tdes: h(c.kbpk)) } else { kbpk = try TR31ProtectionKey(aes: h(c.kbpk)) }
                let unwrapped = try TR31KeyBlock.unwrap(c.block, using: kbpk)
                guard let algorithm = KeyAlgorithm(rawValue: c.keyAlgorithm) else { throw UnknownValue(value: c.keyAlgorithm) }
                let key = try SymmetricKeyMaterial(algorithm: algorithm, bytes: unwrapped.key)
                #expect(try key.keyCheckValue() == c.keyCheckValue, "\(label): check value")
                guard let mode = EncryptionMode(rawValue: c.attributes["Mode"] ?? "") else { throw UnknownValue(value: "mode") }
                let iv = c.attributes["InitializationVector"]
                let ct = try DataEncryption.symmetric(h(c.plainText), key: key, mode: mode, initializationVector: iv, encrypting: true,
                                                      dataField: "PlainText", path: "Symmetric")
                #expect(hx(ct) == c.cipherText, "\(label): encrypt")
                let pt = try DataEncryption.symmetric(h(c.cipherText), key: key, mode: mode, initializationVector: iv, encrypting: false,
                                                      dataField: "CipherText", path: "Symmetric")
                #expect(hx(pt) == c.plainText.uppercased(), "\(label): decrypt")
            }
        }
    }
}
