import Crypto
import Foundation
import Testing
import PayCryptModel
import PaymentCryptography
import _CryptoExtras
@testable import PayCryptService

/// The `Asymmetric` member against pycryptodome and pyca cryptography (the `rsa` cases of
/// Tests/oracle/gen_encryption_fixture.py): every PaddingType's ciphertext decrypts to the
/// oracle's plaintext; unpadded encryption, and OAEP encoding with the oracle's recorded seed,
/// give the oracle's ciphertext. The committed fixture always runs; `PAYCRYPT_ENCRYPTION_FIXTURE`
/// adds a freshly generated one.
@Suite("RSA data encryption differential test against pycryptodome and cryptography")
struct RSAEncryptionDifferentialTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let keyAlgorithm, privateKey, oaepSeed, plainText, cipherText: String
            let paddingType: String?
        }
        let seed: Int
        let rsa: [Case]
    }

    static func fixtures() throws -> [(String, Fixture)] {
        let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PaymentCryptographyTests/Fixtures/encryption.json")
        var out = [("committed", try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: committed)))]
        if let extra = ProcessInfo.processInfo.environment["PAYCRYPT_ENCRYPTION_FIXTURE"], !extra.isEmpty {
            out.append((extra, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: extra)))))
        }
        return out
    }

    static func b(_ hex: String) -> [UInt8] { Bytes.fromHex(hex) ?? [] }

    @Test("Every PaddingType decrypts; unpadded and seeded OAEP encryption give the oracle's ciphertext")
    func rsa() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.rsa.count >= 40, "\(name) has too few RSA cases")
            #expect(Set(fixture.rsa.map { $0.paddingType ?? "none" }) == ["PKCS1", "OAEP_SHA1", "OAEP_SHA256", "OAEP_SHA512", "none"])
            for c in fixture.rsa {
                let label = "\(name) seed \(fixture.seed): \(c.keyAlgorithm) \(c.paddingType ?? "none")"
                let pair = try ImportWrappingKey(derRepresentation: Self.b(c.privateKey))
                let key = RSADataKey(publicKeyDER: pair.publicKeyDER, byteCount: pair.size.byteCount, pair: pair)
                let padding = c.paddingType.flatMap(DataPlane.PaddingType.init(rawValue:))
                let plain = try RSADataEncryption.run(Self.b(c.cipherText), key: key, padding: padding, encrypting: false, dataField: "CipherText")
                #expect(Bytes.hex(plain) == c.plainText, "\(label): decrypt")
                let k = pair.size.byteCount
                let publicKey = try _RSA.Encryption.PublicKey(derRepresentation: pair.publicKeyDER).getKeyPrimitives()
                let n = Array(publicKey.modulus), e = Array(publicKey.publicExponent)
                let encoded: [UInt8]?
                switch padding {
                case nil: encoded = Self.b(c.plainText)
                case .oaepSha1: encoded = RSADataEncryption.emeOAEPEncode(Self.b(c.plainText), k: k, hash: Insecure.SHA1.self, seed: Self.b(c.oaepSeed))
                case .oaepSha256: encoded = RSADataEncryption.emeOAEPEncode(Self.b(c.plainText), k: k, hash: SHA256.self, seed: Self.b(c.oaepSeed))
                case .oaepSha512: encoded = RSADataEncryption.emeOAEPEncode(Self.b(c.plainText), k: k, hash: SHA512.self, seed: Self.b(c.oaepSeed))
                case .pkcs1: encoded = nil
                }
                if let encoded {
                    #expect(Bytes.hex(try RSAPublicOperation.rsaep(message: encoded, modulus: n, exponent: e)) == c.cipherText, "\(label): encrypt")
                }
                if padding == nil {
                    let ct = try RSADataEncryption.run(Self.b(c.plainText), key: key, padding: nil, encrypting: true, dataField: "PlainText")
                    #expect(Bytes.hex(ct) == c.cipherText, "\(label): EncryptData")
                }
            }
            print("RSA encryption differential (\(name), seed \(fixture.seed)): \(fixture.rsa.count) cases")
        }
    }
}
