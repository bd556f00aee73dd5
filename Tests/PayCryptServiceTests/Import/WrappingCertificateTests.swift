import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import _CryptoExtras

@testable import PayCryptService

/// The service's certificate authority and the wrapping-key certificates of GetParametersForImport.
@Suite("Import wrapping certificates")
struct WrappingCertificateTests {
    typealias T = ImportTestSupport

    /// One authority per key type for the whole suite: RSA-2048 generation is the slow part.
    static let rsaAuthority = Result { try ImportCertificateAuthority.generate(keyAlgorithm: .rsa2048) }
    static let p256Authority = Result { try ImportCertificateAuthority.generate(keyAlgorithm: .p256) }

    static func authority(_ algorithm: ImportCertificateAuthority.KeyAlgorithm) throws -> ImportCertificateAuthority {
        switch algorithm {
        case .rsa2048: return try rsaAuthority.get()
        case .p256: return try p256Authority.get()
        }
    }

    @Test("The authority is a self-signed CA: O=paycrypt, CN=paycrypt wrapping CA", arguments: ImportCertificateAuthority.KeyAlgorithm.allCases)
    func authorityCertificate(algorithm: ImportCertificateAuthority.KeyAlgorithm) throws {
        let ca = try Self.authority(algorithm).certificate
        #expect(ca.subject == ca.issuer)
        #expect(ca.subject.description == "CN=paycrypt wrapping CA,O=paycrypt")
        #expect(ca.publicKey.isValidSignature(ca.signature, for: ca))
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try ca.extensions.keyUsage == X509.KeyUsage(keyCertSign: true, cRLSign: true))
        #expect(ca.signatureAlgorithm == (algorithm == .rsa2048 ? .sha256WithRSAEncryption : .ecdsaWithSHA256))
        #expect(ca.notValidAfter.timeIntervalSince(ca.notValidBefore) > 19 * 365 * 24 * 3600)
    }

    @Test("The leaf holds the wrapping public key, is signed by the CA, keyEncipherment only, 30 days", arguments: ImportCertificateAuthority.KeyAlgorithm.allCases)
    func leaf(algorithm: ImportCertificateAuthority.KeyAlgorithm) throws {
        let authority = try Self.authority(algorithm)
        let now = Date(timeIntervalSince1970: 1_800_000_000.75)
        let parameters = try WrappingKeyFactory.makeKeyCryptogramParameters(size: .bits2048, authority: authority, now: now)

        // Parsed back from the PEM the client gets.
        let leaf = try Certificate(pemEncoded: parameters.certificatePEM)
        #expect(leaf == parameters.certificate)
        #expect(try leaf.publicKey.serializeAsPEM().derBytes == parameters.wrappingKey.publicKeyDER)
        #expect(authority.certificate.publicKey.isValidSignature(leaf.signature, for: leaf))
        #expect(!leaf.publicKey.isValidSignature(leaf.signature, for: leaf))  // not self-signed
        #expect(leaf.issuer == authority.certificate.subject)
        #expect(leaf.subject.description == "CN=paycrypt import wrapping key,O=paycrypt")
        #expect(try leaf.extensions.keyUsage == X509.KeyUsage(keyEncipherment: true))
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try leaf.extensions.authorityKeyIdentifier?.keyIdentifier == authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        #expect(try leaf.extensions.subjectKeyIdentifier == SubjectKeyIdentifier(hash: leaf.publicKey))
        #expect(leaf.notValidBefore == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(leaf.notValidAfter == Date(timeIntervalSince1970: 1_800_000_000 + 30 * 24 * 3600))
        #expect(parameters.validUntil == leaf.notValidAfter)

        // The chain is the CA certificate.
        let chain = try Certificate(pemEncoded: parameters.certificateChainPEM)
        #expect(chain == authority.certificate)
        #expect(parameters.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(parameters.certificateChainPEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))

        // PEM → DER → PEM round trip.
        let der = try ImportCertificateAuthority.der(leaf)
        #expect(try ImportCertificateAuthority.pem(Certificate(derEncoded: der)) == parameters.certificatePEM)
    }

    @Test("Each call gives a new key and a new random serial")
    func fresh() throws {
        let authority = try Self.authority(.p256)
        let a = try WrappingKeyFactory.makeKeyCryptogramParameters(size: .bits2048, authority: authority)
        let b = try WrappingKeyFactory.makeKeyCryptogramParameters(size: .bits2048, authority: authority)
        #expect(a.wrappingKey.publicKeyDER != b.wrappingKey.publicKeyDER)
        #expect(a.certificate.serialNumber != b.certificate.serialNumber)
        #expect(a.certificateChainPEM == b.certificateChainPEM)
    }

    @Test("The client flow: wrap with the leaf certificate's key, load the stored key, unwrap", arguments: ImportCertificateAuthority.KeyAlgorithm.allCases)
    func clientFlow(algorithm: ImportCertificateAuthority.KeyAlgorithm) throws {
        let parameters = try WrappingKeyFactory.makeKeyCryptogramParameters(size: .bits2048, authority: Self.authority(algorithm))
        let stored = parameters.wrappingKey.derRepresentation

        let leaf = try Certificate(pemEncoded: parameters.certificatePEM)
        let rsa = try #require(_RSA.Signing.PublicKey(leaf.publicKey))
        let clientKey = try _RSA.Encryption.PublicKey(derRepresentation: rsa.derRepresentation)
        let aesKey = (0..<16).map { UInt8($0) }
        let cryptogram = Array(try clientKey.encrypt(aesKey, padding: .PKCS1_OAEP_SHA256))

        let wrappingKey = try ImportWrappingKey(derRepresentation: stored)
        #expect(try wrappingKey.decrypt(keyCryptogram: cryptogram, spec: .rsaOAEPSHA256) == aesKey)
    }

    @Test("RSA_4096 (the one 4096-bit generation in the tests, about a second): certificate and round trip")
    func rsa4096() throws {
        let parameters = try WrappingKeyFactory.makeKeyCryptogramParameters(size: .bits4096, authority: Self.authority(.p256))
        let rsa = try #require(_RSA.Signing.PublicKey(parameters.certificate.publicKey))
        #expect(rsa.keySizeInBits == 4096)
        let clientKey = try _RSA.Encryption.PublicKey(derRepresentation: rsa.derRepresentation)
        let hmacKey = (0..<64).map { UInt8($0) }
        let cryptogram = Array(try clientKey.encrypt(hmacKey, padding: .PKCS1_OAEP_SHA256))
        #expect(cryptogram.count == 512)
        let stored = try ImportWrappingKey(derRepresentation: parameters.wrappingKey.derRepresentation)
        #expect(stored.size == .bits4096)
        #expect(try stored.decrypt(keyCryptogram: cryptogram, spec: .rsaOAEPSHA256) == hmacKey)
    }

    @Test("The authority survives persistence as PEM and as DER, and still signs", arguments: ImportCertificateAuthority.KeyAlgorithm.allCases)
    func authorityPersistence(algorithm: ImportCertificateAuthority.KeyAlgorithm) throws {
        let authority = try Self.authority(algorithm)
        let pem = authority.pemRepresentation
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.contains("-----BEGIN CERTIFICATE-----\n"))

        let fromPEM = try ImportCertificateAuthority(pemRepresentation: pem)
        #expect(fromPEM.certificate == authority.certificate)
        #expect(fromPEM.privateKeyDER == authority.privateKeyDER)
        #expect(fromPEM.pemRepresentation == pem)
        let fromDER = try ImportCertificateAuthority(certificateDER: authority.certificateDER, privateKeyDER: authority.privateKeyDER)
        #expect(fromDER.certificate == authority.certificate)

        let parameters = try WrappingKeyFactory.makeKeyCryptogramParameters(size: .bits2048, authority: fromPEM)
        #expect(authority.certificate.publicKey.isValidSignature(parameters.certificate.signature, for: parameters.certificate))
    }

    @Test("A stored authority whose key is not its certificate's, or that is garbled, is refused")
    func authorityMismatch() throws {
        let rsa = try Self.authority(.rsa2048)
        let p256 = try Self.authority(.p256)
        #expect(throws: WrappingKeyError.authorityKeyMismatch) {
            try ImportCertificateAuthority(certificateDER: rsa.certificateDER, privateKeyDER: p256.privateKeyDER)
        }
        #expect(throws: WrappingKeyError.invalidPrivateKey) {
            try ImportCertificateAuthority(certificateDER: rsa.certificateDER, privateKeyDER: [1, 2, 3])
        }
        #expect(throws: WrappingKeyError.self) {
            try ImportCertificateAuthority(certificateDER: [1, 2, 3], privateKeyDER: rsa.privateKeyDER)
        }
        #expect(throws: WrappingKeyError.self) {
            try ImportCertificateAuthority(pemRepresentation: rsa.certificatePEM)  // no key block
        }
    }
}

/// The certificates and cryptograms as OpenSSL sees them: what AWS's own instructions use to wrap
/// a key for KEY_CRYPTOGRAM import (`openssl pkeyutl -encrypt -certin ...`).
@Suite("Import wrapping certificates with OpenSSL", .enabled(if: ImportTestSupport.executable("openssl") != nil))
struct WrappingCertificateOpenSSLTests {
    typealias T = ImportTestSupport

    @Test("openssl x509 reads the leaf and the chain, and openssl verify accepts the leaf under the chain", arguments: ImportCertificateAuthority.KeyAlgorithm.allCases)
    func x509(algorithm: ImportCertificateAuthority.KeyAlgorithm) throws {
        let openssl = try #require(T.executable("openssl"))
        let parameters = try WrappingKeyFactory.makeKeyCryptogramParameters(
            size: .bits2048, authority: WrappingCertificateTests.authority(algorithm)
        )
        let directory = try T.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let leaf = directory.appendingPathComponent("leaf.pem")
        let chain = directory.appendingPathComponent("chain.pem")
        try parameters.certificatePEM.write(to: leaf, atomically: true, encoding: .utf8)
        try parameters.certificateChainPEM.write(to: chain, atomically: true, encoding: .utf8)

        let text = try T.run(openssl, ["x509", "-noout", "-text", "-in", leaf.path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Key Encipherment"))
        #expect(text.stdout.contains("Public-Key: (2048 bit)"))
        #expect(text.stdout.contains("CA:FALSE"))
        let caText = try T.run(openssl, ["x509", "-noout", "-text", "-in", chain.path])
        #expect(caText.status == 0, "\(caText.stderr)")
        #expect(caText.stdout.contains("CA:TRUE"))

        let verify = try T.run(openssl, ["verify", "-CAfile", chain.path, leaf.path])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains(": OK"))
    }

    @Test("A key wrapped by openssl pkeyutl with the leaf certificate unwraps, for both specs", arguments: KeyCryptogramWrappingSpec.allCases)
    func pkeyutl(spec: KeyCryptogramWrappingSpec) throws {
        let openssl = try #require(T.executable("openssl"))
        let parameters = try WrappingKeyFactory.makeKeyCryptogramParameters(
            size: .bits3072, authority: WrappingCertificateTests.authority(.p256)
        )
        let directory = try T.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let leaf = directory.appendingPathComponent("leaf.pem")
        let clear = directory.appendingPathComponent("key.bin")
        let wrapped = directory.appendingPathComponent("wrapped.bin")
        try parameters.certificatePEM.write(to: leaf, atomically: true, encoding: .utf8)
        let key = T.bytes("0123456789ABCDEFFEDCBA9876543210")
        try Data(key).write(to: clear)

        let md = spec == .rsaOAEPSHA256 ? "sha256" : "sha512"
        let result = try T.run(openssl, [
            "pkeyutl", "-encrypt", "-certin", "-inkey", leaf.path, "-in", clear.path, "-out", wrapped.path,
            "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:\(md)", "-pkeyopt", "rsa_mgf1_md:\(md)",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let cryptogram = Array(try Data(contentsOf: wrapped))
        #expect(cryptogram.count == 384)

        let stored = try ImportWrappingKey(derRepresentation: parameters.wrappingKey.derRepresentation)
        #expect(try stored.decrypt(keyCryptogram: cryptogram, spec: spec) == key)
    }
}
