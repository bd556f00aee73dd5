import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import PayCryptService

/// The RSA wrapping key of GetParametersForImport (KEY_CRYPTOGRAM): sizes and persistence.
@Suite("Import wrapping key")
struct ImportWrappingKeyTests {
    @Test("Generated keys have the requested size (RSA_2048, RSA_3072)", arguments: [WrappingKeySize.bits2048, .bits3072])
    func generate(size: WrappingKeySize) throws {
        let key = try ImportWrappingKey.generate(size: size)
        #expect(key.size == size)
        #expect(key.key.keySizeInBits == size.bitCount)
        let publicKey = try _RSA.Encryption.PublicKey(derRepresentation: key.publicKeyDER)
        #expect(publicKey.keySizeInBits == size.bitCount)
    }

    @Test("Sizes in bits and bytes")
    func sizes() {
        #expect(WrappingKeySize.allCases.map(\.bitCount) == [2048, 3072, 4096])
        #expect(WrappingKeySize.allCases.map(\.byteCount) == [256, 384, 512])
    }

    @Test("The stored forms load back to the same key: PKCS#1 DER, PEM and PKCS#8 DER")
    func persistence() throws {
        let key = try ImportWrappingKey(pemRepresentation: #require(OAEPVectors.keys[2048]))
        let fromDER = try ImportWrappingKey(derRepresentation: key.derRepresentation)
        #expect(fromDER.derRepresentation == key.derRepresentation)
        #expect(fromDER.publicKeyDER == key.publicKeyDER)
        let fromPEM = try ImportWrappingKey(pemRepresentation: key.pemRepresentation)
        #expect(fromPEM.derRepresentation == key.derRepresentation)
        let pkcs8 = Array(key.key.pkcs8DERRepresentation)
        #expect(try ImportWrappingKey(derRepresentation: pkcs8).publicKeyDER == key.publicKeyDER)
        #expect(key.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        #expect(key.pemRepresentation.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
    }

    @Test("Bytes that are not an RSA private key are refused")
    func invalid() throws {
        #expect(throws: WrappingKeyError.invalidPrivateKey) { try ImportWrappingKey(derRepresentation: []) }
        #expect(throws: WrappingKeyError.invalidPrivateKey) { try ImportWrappingKey(derRepresentation: [0x30, 0x03, 0x02, 0x01, 0x00]) }
        #expect(throws: WrappingKeyError.invalidPrivateKey) { try ImportWrappingKey(pemRepresentation: "not a key") }
        let ecKey = Array(P256.Signing.PrivateKey().derRepresentation)
        #expect(throws: WrappingKeyError.invalidPrivateKey) { try ImportWrappingKey(derRepresentation: ecKey) }
    }

    @Test("An RSA key of another size is refused with its size (1024, 2560)")
    func otherSizes() throws {
        for bits in [1024, 2560] {
            let key = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: bits))
            #expect(throws: WrappingKeyError.unsupportedKeySize(bits)) {
                try ImportWrappingKey(derRepresentation: Array(key.derRepresentation))
            }
        }
    }
}
