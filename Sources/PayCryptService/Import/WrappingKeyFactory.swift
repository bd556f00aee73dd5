import Foundation
import X509

/// What `GetParametersForImport` with `KeyMaterialType: KEY_CRYPTOGRAM` hands out: a fresh RSA
/// wrapping key and its certificate.
public struct KeyCryptogramImportParameters: Sendable {
    /// The wrapping key. The service stores ``ImportWrappingKey/derRepresentation`` with the
    /// import token and never returns it.
    public let wrappingKey: ImportWrappingKey
    /// The wrapping key's certificate, signed by the service's authority.
    public let certificate: Certificate
    /// ``certificate`` as PEM text. AWS's `WrappingKeyCertificate` is this text base64-encoded
    /// once more; the caller does that encoding.
    public let certificatePEM: String
    /// The authority's certificate as PEM text. AWS's `WrappingKeyCertificateChain` is this text
    /// base64-encoded once more; the caller does that encoding.
    public let certificateChainPEM: String
    /// The end of the certificate's validity: the `ParametersValidUntilTimestamp` to return and
    /// the import token's expiry (whole seconds).
    public let validUntil: Date
}

/// Makes the wrapping keys and certificates of `GetParametersForImport` for `KEY_CRYPTOGRAM`.
public enum WrappingKeyFactory {
    /// How long import parameters stay valid: 30 days, as AWS documents.
    public static let parametersLifetime: TimeInterval = 30 * 24 * 60 * 60

    /// A fresh wrapping key of the requested size and its certificate, valid from `now` for
    /// `lifetime`, signed by `authority`.
    /// - Parameters:
    ///   - size: From the request's `WrappingKeyAlgorithm`.
    ///   - authority: The service's certificate authority (the same one on every call).
    ///   - now: The time of the request.
    ///   - lifetime: How long the parameters are valid; 30 days by default.
    /// - Throws: ``WrappingKeyError`` if key generation or signing fails.
    public static func makeKeyCryptogramParameters(
        size: WrappingKeySize,
        authority: ImportCertificateAuthority,
        now: Date = Date(),
        lifetime: TimeInterval = parametersLifetime
    ) throws(WrappingKeyError) -> KeyCryptogramImportParameters {
        let start = ImportCertificateAuthority.wholeSeconds(now)
        let end = start.addingTimeInterval(lifetime.rounded(.down))
        let wrappingKey = try ImportWrappingKey.generate(size: size)
        let certificate = try authority.issueWrappingKeyCertificate(
            for: wrappingKey, notValidBefore: start, notValidAfter: end
        )
        return KeyCryptogramImportParameters(
            wrappingKey: wrappingKey,
            certificate: certificate,
            certificatePEM: try ImportCertificateAuthority.pem(certificate),
            certificateChainPEM: authority.certificatePEM,
            validUntil: end
        )
    }
}
