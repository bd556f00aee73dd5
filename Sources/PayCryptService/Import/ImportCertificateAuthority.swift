import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// The service's own certificate authority: it signs the certificate of every import wrapping
/// key, and its certificate is the `WrappingKeyCertificateChain` that `GetParametersForImport`
/// returns.
///
/// Create it once with ``generate(keyAlgorithm:now:lifetime:)``, persist
/// ``pemRepresentation`` (or ``certificateDER`` and ``privateKeyDER``), and load it back on
/// start with ``init(pemRepresentation:)`` (or ``init(certificateDER:privateKeyDER:)``), so that
/// clients that pinned the chain keep trusting it across restarts.
public struct ImportCertificateAuthority: Sendable {
    /// The kind of key the authority signs with.
    public enum KeyAlgorithm: Sendable, CaseIterable {
        /// RSA-2048, certificates signed with sha256WithRSAEncryption (what AWS's own chains use).
        case rsa2048
        /// ECDSA on P-256, certificates signed with ecdsa-with-SHA256.
        case p256
    }

    /// The authority's self-signed certificate.
    public let certificate: Certificate

    /// The authority's certificate, DER-encoded.
    public let certificateDER: [UInt8]

    /// The authority's private key, for signing.
    let privateKey: Certificate.PrivateKey

    /// The authority's private key as DER-encoded PKCS#8 `PrivateKeyInfo`.
    public let privateKeyDER: [UInt8]

    /// The subject (and issuer) name of a generated authority: `O=paycrypt, CN=paycrypt wrapping CA`.
    static func defaultSubject() throws -> DistinguishedName {
        try DistinguishedName {
            OrganizationName("paycrypt")
            CommonName("paycrypt wrapping CA")
        }
    }

    /// Creates a new authority with a fresh key and a self-signed certificate.
    /// - Parameters:
    ///   - keyAlgorithm: The authority's key type.
    ///   - now: The start of the certificate's validity.
    ///   - lifetime: How long the certificate is valid; 20 years by default.
    /// - Throws: ``WrappingKeyError/cryptographicFailure(_:)`` if key generation or signing fails.
    public static func generate(
        keyAlgorithm: KeyAlgorithm = .rsa2048,
        now: Date = Date(),
        lifetime: TimeInterval = 20 * 365 * 24 * 60 * 60
    ) throws(WrappingKeyError) -> ImportCertificateAuthority {
        do {
            let pkcs8: [UInt8]
            switch keyAlgorithm {
            case .rsa2048:
                pkcs8 = Array(try _RSA.Signing.PrivateKey(keySize: .bits2048).pkcs8DERRepresentation)
            case .p256:
                pkcs8 = Array(P256.Signing.PrivateKey().derRepresentation)
            }
            let key = try Certificate.PrivateKey(derBytes: pkcs8)
            let subject = try defaultSubject()
            let start = wholeSeconds(now)
            let publicKey = key.publicKey
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: start,
                notValidAfter: start.addingTimeInterval(lifetime),
                issuer: subject,
                subject: subject,
                signatureAlgorithm: keyAlgorithm == .rsa2048 ? .sha256WithRSAEncryption : .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(X509.KeyUsage(keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: publicKey)
                },
                issuerPrivateKey: key
            )
            return ImportCertificateAuthority(
                certificate: certificate, certificateDER: try der(certificate), privateKey: key, privateKeyDER: pkcs8
            )
        } catch {
            throw .cryptographicFailure("creating the certificate authority failed: \(error)")
        }
    }

    private init(certificate: Certificate, certificateDER: [UInt8], privateKey: Certificate.PrivateKey, privateKeyDER: [UInt8]) {
        self.certificate = certificate
        self.certificateDER = certificateDER
        self.privateKey = privateKey
        self.privateKeyDER = privateKeyDER
    }

    /// Loads a stored authority from its certificate and PKCS#8 private key.
    /// - Parameters:
    ///   - certificateDER: ``certificateDER`` as stored.
    ///   - privateKeyDER: ``privateKeyDER`` as stored.
    /// - Throws: ``WrappingKeyError/invalidCertificate(_:)``, ``WrappingKeyError/invalidPrivateKey``,
    ///   or ``WrappingKeyError/authorityKeyMismatch`` when the key is not the certificate's.
    public init(certificateDER: [UInt8], privateKeyDER: [UInt8]) throws(WrappingKeyError) {
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: certificateDER)
        } catch {
            throw .invalidCertificate("\(error)")
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(derBytes: privateKeyDER)
        } catch {
            throw .invalidPrivateKey
        }
        guard key.publicKey == certificate.publicKey else { throw .authorityKeyMismatch }
        guard Self.signatureAlgorithm(for: key) != nil else { throw .invalidPrivateKey }
        self.init(certificate: certificate, certificateDER: certificateDER, privateKey: key, privateKeyDER: privateKeyDER)
    }

    /// Loads a stored authority from ``pemRepresentation``: a `PRIVATE KEY` block and a
    /// `CERTIFICATE` block, in either order.
    /// - Parameter pemRepresentation: The PEM text.
    /// - Throws: As ``init(certificateDER:privateKeyDER:)``; ``WrappingKeyError/invalidCertificate(_:)``
    ///   if the text does not hold exactly one block of each kind.
    public init(pemRepresentation: String) throws(WrappingKeyError) {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: pemRepresentation)
        } catch {
            throw .invalidCertificate("not PEM: \(error)")
        }
        let keys = documents.filter { $0.discriminator == "PRIVATE KEY" }
        let certificates = documents.filter { $0.discriminator == "CERTIFICATE" }
        guard keys.count == 1, let key = keys.first else { throw .invalidPrivateKey }
        guard certificates.count == 1, let certificate = certificates.first else {
            throw .invalidCertificate("expected one CERTIFICATE block, found \(certificates.count)")
        }
        try self.init(certificateDER: certificate.derBytes, privateKeyDER: key.derBytes)
    }

    /// The authority's certificate as PEM: the `WrappingKeyCertificateChain` before the service
    /// base64-encodes it once more.
    public var certificatePEM: String {
        PEMDocument(type: "CERTIFICATE", derBytes: certificateDER).pemString
    }

    /// The private key (`PRIVATE KEY`, PKCS#8) followed by the certificate, as PEM: what to
    /// persist and give back to ``init(pemRepresentation:)``.
    public var pemRepresentation: String {
        PEMDocument(type: "PRIVATE KEY", derBytes: privateKeyDER).pemString + "\n" + certificatePEM + "\n"
    }

    /// Issues the certificate of an import wrapping key: its RSA public key, signed by this
    /// authority, with keyUsage keyEncipherment only.
    /// - Parameters:
    ///   - wrappingKey: The key whose public half the certificate carries.
    ///   - notValidBefore: The start of validity.
    ///   - notValidAfter: The end of validity (the import token's expiry).
    ///   - commonName: The subject's common name.
    /// - Throws: ``WrappingKeyError/cryptographicFailure(_:)`` if signing fails.
    public func issueWrappingKeyCertificate(
        for wrappingKey: ImportWrappingKey,
        notValidBefore: Date,
        notValidAfter: Date,
        commonName: String = "paycrypt import wrapping key"
    ) throws(WrappingKeyError) -> Certificate {
        try issueCertificate(publicKey: Certificate.PublicKey(wrappingKey.key.publicKey), notValidBefore: notValidBefore,
                             notValidAfter: notValidAfter, commonName: commonName, keyUsage: X509.KeyUsage(keyEncipherment: true))
    }

    /// Issues an end-entity certificate for any public key (an RSA wrapping key, an ECC key
    /// agreement key), signed by this authority.
    /// - Parameters:
    ///   - publicKey: The subject public key.
    ///   - notValidBefore: The start of validity.
    ///   - notValidAfter: The end of validity.
    ///   - commonName: The subject's common name.
    ///   - keyUsage: The X.509 key usage (RFC 5280 §4.2.1.3), marked critical.
    /// - Throws: ``WrappingKeyError/cryptographicFailure(_:)`` if signing fails.
    public func issueCertificate(
        publicKey: Certificate.PublicKey,
        notValidBefore: Date,
        notValidAfter: Date,
        commonName: String,
        keyUsage: X509.KeyUsage
    ) throws(WrappingKeyError) -> Certificate {
        guard let signatureAlgorithm = Self.signatureAlgorithm(for: privateKey) else { throw .invalidPrivateKey }
        do {
            let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
                ?? SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
            return try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: Self.wholeSeconds(notValidBefore),
                notValidAfter: Self.wholeSeconds(notValidAfter),
                issuer: certificate.subject,
                subject: try DistinguishedName {
                    OrganizationName("paycrypt")
                    CommonName(commonName)
                },
                signatureAlgorithm: signatureAlgorithm,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(keyUsage)
                    SubjectKeyIdentifier(hash: publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
                },
                issuerPrivateKey: privateKey
            )
        } catch {
            throw .cryptographicFailure("issuing a certificate failed: \(error)")
        }
    }

    /// A certificate as PEM text (`CERTIFICATE`).
    /// - Parameter certificate: The certificate.
    /// - Throws: ``WrappingKeyError/invalidCertificate(_:)`` if it cannot be serialised.
    public static func pem(_ certificate: Certificate) throws(WrappingKeyError) -> String {
        PEMDocument(type: "CERTIFICATE", derBytes: try der(certificate)).pemString
    }

    /// A certificate DER-encoded.
    /// - Parameter certificate: The certificate.
    /// - Throws: ``WrappingKeyError/invalidCertificate(_:)`` if it cannot be serialised.
    public static func der(_ certificate: Certificate) throws(WrappingKeyError) -> [UInt8] {
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        } catch {
            throw .invalidCertificate("cannot serialise: \(error)")
        }
    }

    /// What the authority signs with: SHA-256 with its RSA or ECDSA key; nil for other keys.
    private static func signatureAlgorithm(for key: Certificate.PrivateKey) -> Certificate.SignatureAlgorithm? {
        let supported = key.supportedSignatureAlgorithms
        if supported.contains(.sha256WithRSAEncryption) { return .sha256WithRSAEncryption }
        if supported.contains(.ecdsaWithSHA256) { return .ecdsaWithSHA256 }
        return nil
    }

    /// Certificates hold whole seconds; rounding down first keeps the caller's dates and the
    /// certificate's equal.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
