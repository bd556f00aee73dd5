import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import _CryptoExtras

@testable import PayCryptService

/// The TR-34 fixture (`tr34_vectors.json`, made by `make_tr34_vectors.py` with the independent
/// Python builder in `Tests/acceptance/tr34_builder.py`) and helpers to make chains in Swift.
enum TR34TestSupport {
    struct Fixture: Decodable {
        struct WrappingKey: Decodable {
            let privateKey: String
            let certificate: String
        }

        struct Vector: Decodable, CustomTestStringConvertible, Sendable {
            let name: String
            let kdhCertificate: String
            let wrappingKeyBits: Int
            let key: String
            let header: String
            let nonce: String?
            let error: String?
            let block: String
            var testDescription: String { name }
        }

        let now: String
        let caCertificate: String
        let kdhPrivateKey: String
        let wrappingKeys: [String: WrappingKey]
        let vectors: [Vector]
    }

    /// The directory of this file (the fixture sits beside it).
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// The repository root (for `Tests/acceptance/tr34_builder.py`).
    static let repositoryRoot = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The decoded fixture (a broken fixture is a test bug, so it traps).
    static let fixture: Fixture = {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent("tr34_vectors.json"))
            return try JSONDecoder().decode(Fixture.self, from: data)
        } catch {
            fatalError("cannot read tr34_vectors.json: \(error)")
        }
    }()

    static var positiveVectors: [Fixture.Vector] { fixture.vectors.filter { $0.error == nil } }
    static var negativeVectors: [Fixture.Vector] { fixture.vectors.filter { $0.error != nil } }

    /// The fixture's validity instant.
    static var now: Date {
        ISO8601DateFormatter().date(from: fixture.now) ?? Date(timeIntervalSince1970: 0)
    }

    static func certificate(_ pem: String) throws -> Certificate { try Certificate(pemEncoded: pem) }

    static var caCertificate: Certificate { get throws { try certificate(fixture.caCertificate) } }

    static var kdhPrivateKey: _RSA.Signing.PrivateKey {
        get throws { try _RSA.Signing.PrivateKey(pemRepresentation: fixture.kdhPrivateKey) }
    }

    static func wrapping(_ bits: Int) throws -> (key: ImportWrappingKey, certificate: Certificate) {
        guard let entry = fixture.wrappingKeys[String(bits)] else { fatalError("no \(bits)-bit wrapping key in the fixture") }
        return (try ImportWrappingKey(pemRepresentation: entry.privateKey), try certificate(entry.certificate))
    }

    /// Unwraps a fixture vector with the fixture's CA and wrapping key, optionally overriding parts.
    static func unwrap(
        _ vector: Fixture.Vector,
        block: [UInt8]? = nil,
        kdhCertificate: Certificate? = nil,
        caCertificate: Certificate? = nil,
        wrappingBits: Int? = nil,
        wrappingCertificate: Certificate? = nil,
        nonce: [UInt8]?? = nil,
        now: Date? = nil
    ) throws -> TR34UnwrappedKey {
        let wrapping = try wrapping(wrappingBits ?? vector.wrappingKeyBits)
        return try TR34.unwrap(
            block: block ?? bytes(vector.block),
            kdhCertificate: kdhCertificate ?? certificate(vector.kdhCertificate),
            caCertificate: caCertificate ?? Self.caCertificate,
            wrappingKey: wrapping.key,
            wrappingCertificate: wrappingCertificate ?? wrapping.certificate,
            randomNonce: nonce ?? vector.nonce.map(bytes),
            now: now ?? Self.now
        )
    }

    // MARK: Chains made in Swift

    /// A certificate authority or end-entity made with swift-certificates.
    struct Party {
        let key: _RSA.Signing.PrivateKey
        let certificate: Certificate
        let name: DistinguishedName
    }

    static func name(_ commonName: String) throws -> DistinguishedName {
        // The order of AWS's sample and of the fixture: CN, then O.
        try DistinguishedName {
            CommonName(commonName)
            OrganizationName("The Organization")
        }
    }

    /// A self-signed RSA-2048 CA.
    static func makeAuthority(commonName: String = "Desktop HSM CA", notBefore: Date, notAfter: Date) throws -> Party {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let subject = try name(commonName)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(100), publicKey: .init(key.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: subject, subject: subject,
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions { Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil)) },
            issuerPrivateKey: .init(key)
        )
        return Party(key: key, certificate: certificate, name: subject)
    }

    /// An RSA end-entity certificate for `key` (fresh RSA-2048 when nil) issued by `issuer`.
    static func issue(
        commonName: String, key: _RSA.Signing.PrivateKey? = nil, by issuer: Party, serial: Int = 200,
        notBefore: Date, notAfter: Date
    ) throws -> Party {
        let key = try key ?? _RSA.Signing.PrivateKey(keySize: .bits2048)
        let subject = try name(commonName)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(serial), publicKey: .init(key.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer.name, subject: subject,
            signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions(),
            issuerPrivateKey: .init(issuer.key)
        )
        return Party(key: key, certificate: certificate, name: subject)
    }

    /// PEM of a certificate.
    static func pem(_ certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return PEMDocument(type: "CERTIFICATE", derBytes: serializer.serializedBytes).pemString
    }

    /// Where the EnvelopedData octets sit in a block (to tamper with them after signing).
    static func envelopeRange(in block: [UInt8]) throws -> Range<Int> {
        let envelope = try TR34.SignedParts(parsing: block).envelopedData
        guard let range = block.firstRange(of: envelope) else { fatalError("envelope not found in its block") }
        return range
    }

    // MARK: Bytes and processes

    static func bytes(_ hex: String) -> [UInt8] { ImportTestSupport.bytes(hex) }
    static func hex(_ bytes: some Sequence<UInt8>) -> String { ImportTestSupport.hex(bytes) }

    /// python3 if it can import `cryptography` (the builder's only dependency), else nil.
    static let python: String? = {
        guard let python = ImportTestSupport.executable("python3"),
              let result = try? ImportTestSupport.run(python, ["-c", "import cryptography"]), result.status == 0
        else { return nil }
        return python
    }()
}
