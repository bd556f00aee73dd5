import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// GetCertificateSigningRequest (README, Decisions: GetCertificateSigningRequest; AWS guide "Bring Your Own Certificate
    /// Authority"): a PKCS#10 request for the public half of one of the service's key pairs, signed
    /// with its private half by `SigningAlgorithm`, as base64 of its PEM text.
    ///
    /// Refusals (README Decisions, "GetCertificateSigningRequest"): a key that is not an
    /// `ASYMMETRIC_KEY_PAIR` (a symmetric key, an imported certificate, which has no private key),
    /// and a key that is not `CREATE_COMPLETE` or is disabled (signing uses the private key), are
    /// ValidationException. Not a cross-account operation (AWS Payment Cryptography User Guide, "Resource-based policies").
    public func getCertificateSigningRequest(_ input: ControlPlane.GetCertificateSigningRequestInput,
                                             context: RequestContext) async throws -> ControlPlane.GetCertificateSigningRequestOutput {
        let record = try await resolveKey(input.keyIdentifier, context, operation: "GetCertificateSigningRequest")
        guard record.keyClass == "ASYMMETRIC_KEY_PAIR" else {
            throw ServiceError.validation("Key \(record.arn) is not an asymmetric key pair: a certificate signing request needs its private key.",
                                          field: "KeyIdentifier")
        }
        guard record.state == .CREATE_COMPLETE, record.enabled else {
            throw ServiceError.validation("Key \(record.arn) is not usable (\(record.enabled ? record.state.rawValue : "disabled")).",
                                          field: "KeyIdentifier")
        }
        let s = input.certificateSubject
        // The model's pattern for EmailAddress admits U+2019, which an IA5String cannot hold.
        if let email = s.emailAddress, !email.unicodeScalars.allSatisfy(\.isASCII) {
            throw ServiceError.validation("EmailAddress must be ASCII (an IA5String, RFC 5280).", field: "CertificateSubject.EmailAddress")
        }
        let subject = CertificationRequest.subject(
            commonName: s.commonName, organizationUnit: s.organizationUnit, organization: s.organization, city: s.city,
            country: s.country, stateOrProvince: s.stateOrProvince, emailAddress: s.emailAddress)
        guard let hash = CertificationRequest.Hash(rawValue: input.signingAlgorithm.rawValue) else {
            throw ServiceError.validation("SigningAlgorithm \(input.signingAlgorithm.rawValue) is not supported.", field: "SigningAlgorithm")
        }
        let key: CertificationRequest.SigningKey
        let spki: [UInt8]
        if KeyExchangeNames.curve(record.keyAlgorithm) != nil {
            let (curve, scalar) = try eccPrivateKey(record)
            do {
                spki = try ECDH.subjectPublicKeyInfo(curve, publicKey: try ECDH.publicKey(curve, privateKey: scalar))
            } catch {
                throw ServiceError(.internalServer, "The key pair of \(record.arn) cannot be read.")
            }
            key = .ecc(curve, scalar: scalar)
        } else {
            let pair: ImportWrappingKey
            do {
                pair = try ImportWrappingKey(derRepresentation: try masterKey.open(record.sealedMaterial, context: record.arn))
            } catch {
                throw ServiceError(.internalServer, "The key pair of \(record.arn) cannot be read with this server's master key.")
            }
            spki = pair.publicKeyDER
            key = .rsa(der: pair.derRepresentation)
        }
        let der: [UInt8]
        do {
            der = try CertificationRequest.der(subject: subject, subjectPublicKeyInfo: spki, key: key, hash: hash)
        } catch {
            throw ServiceError(.internalServer, "The certificate signing request could not be signed.")
        }
        return ControlPlane.GetCertificateSigningRequestOutput(
            certificateSigningRequest: Data(CertificationRequest.pem(der).utf8).base64EncodedString())
    }
}
