import Crypto
import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import SwiftASN1
import X509
import _CryptoExtras

/// Public key certificates as keys (ImportKey with RootCertificatePublicKey and
/// TrustedCertificatePublicKey): the certificate DER is the key's material (sealed like any other).
enum CertificateSupport {
    /// Parses AWS's `CertificateType`: base64 of PEM text (also accepted: PEM itself, or base64 of DER).
    static func parse(_ value: String, field: String) throws -> Certificate {
        var candidates: [String] = [value]
        if let decoded = Data(base64Encoded: value, options: .ignoreUnknownCharacters), let text = String(data: decoded, encoding: .utf8) {
            candidates.insert(text, at: 0)
        }
        for text in candidates where text.contains("-----BEGIN CERTIFICATE-----") {
            if let certificate = try? Certificate(pemEncoded: text) { return certificate }
        }
        if let der = Data(base64Encoded: value, options: .ignoreUnknownCharacters),
           let certificate = try? Certificate(derEncoded: Array(der)) {
            return certificate
        }
        // The text decodes but X509 refused it: say so when the reason is an EC point off its curve.
        var ders: [[UInt8]] = []
        for text in candidates where text.contains("-----BEGIN CERTIFICATE-----") {
            if let document = try? PEMDocument(pemString: text) { ders.append(document.derBytes) }
        }
        if let der = Data(base64Encoded: value, options: .ignoreUnknownCharacters) { ders.append(Array(der)) }
        for der in ders {
            if let curve = curveOfPointNotOnCurve(der) {
                throw ServiceError.validation("The certificate's public key is not a point on the named curve \(curve) (SP 800-56A Rev. 3 §5.6.2.3.4).", field: field)
            }
        }
        throw ServiceError.validation("The certificate is not a base64-encoded PEM X.509 certificate.", field: field)
    }

    /// For a DER certificate whose SubjectPublicKeyInfo (RFC 5480) is an id-ecPublicKey on a named
    /// curve P-256, P-384 or P-521 but whose point does not decode on that curve, the curve's AWS
    /// name; nil otherwise (not such a certificate, or the point is fine).
    static func curveOfPointNotOnCurve(_ der: [UInt8]) -> String? {
        let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
        guard let root = try? DER.parse(der), case .constructed(let certificate) = root.content,
              let tbs = certificate.first(where: { _ in true }), case .constructed(let fields) = tbs.content else { return nil }
        for field in fields {
            // SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE { OID, parameters }, subjectPublicKey BIT STRING }
            guard case .constructed(let spki) = field.content else { continue }
            let parts = Array(spki)
            guard parts.count == 2, case .constructed(let algorithm) = parts[0].content else { continue }
            let identifiers = Array(algorithm)
            guard identifiers.count == 2,
                  let oid = try? ASN1ObjectIdentifier(derEncoded: identifiers[0]), oid == ecPublicKey,
                  let named = try? ASN1ObjectIdentifier(derEncoded: identifiers[1]),
                  let bits = try? ASN1BitString(derEncoded: parts[1]) else { continue }
            let point = Array(bits.bytes)
            switch named {
            case [1, 2, 840, 10045, 3, 1, 7]:
                return (try? P256.Signing.PublicKey(x963Representation: point)) == nil && (try? P256.Signing.PublicKey(compressedRepresentation: point)) == nil ? "ECC_NIST_P256" : nil
            case [1, 3, 132, 0, 34]:
                return (try? P384.Signing.PublicKey(x963Representation: point)) == nil && (try? P384.Signing.PublicKey(compressedRepresentation: point)) == nil ? "ECC_NIST_P384" : nil
            case [1, 3, 132, 0, 35]:
                return (try? P521.Signing.PublicKey(x963Representation: point)) == nil && (try? P521.Signing.PublicKey(compressedRepresentation: point)) == nil ? "ECC_NIST_P521" : nil
            default:
                return nil
            }
        }
        return nil
    }

    /// The AWS KeyAlgorithm of a certificate's public key.
    static func keyAlgorithm(_ certificate: Certificate) -> String? {
        if let rsa = _RSA.Signing.PublicKey(certificate.publicKey) {
            switch rsa.keySizeInBits {
            case 2048: return "RSA_2048"
            case 3072: return "RSA_3072"
            case 4096: return "RSA_4096"
            default: return nil
            }
        }
        if P256.Signing.PublicKey(certificate.publicKey) != nil { return "ECC_NIST_P256" }
        if P384.Signing.PublicKey(certificate.publicKey) != nil { return "ECC_NIST_P384" }
        if P521.Signing.PublicKey(certificate.publicKey) != nil { return "ECC_NIST_P521" }
        return nil
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// Decision: the check value of a public key is the first 3 bytes of SHA-1 over the DER of its
    /// SubjectPublicKeyInfo (KeyCheckValueAlgorithm `SHA_1`).
    static func checkValue(_ certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate.publicKey)
        return Bytes.hex(Insecure.SHA1.hash(data: serializer.serializedBytes).prefix(3))
    }
}

extension PaymentCryptographyService {
    /// The certificate of a PUBLIC_KEY key.
    func certificate(of record: KeyRecord) throws -> Certificate {
        guard record.keyClass == "PUBLIC_KEY" else {
            throw ServiceError.validation("Key \(record.arn) is not a public key certificate.")
        }
        do {
            return try Certificate(derEncoded: try masterKey.open(record.sealedMaterial, context: record.arn))
        } catch {
            throw ServiceError(.internalServer, "The certificate of \(record.arn) cannot be read.")
        }
    }

    /// A CA certificate key in the service (TR31_S0 PUBLIC_KEY with Verify), usable now.
    func certificateAuthority(_ identifier: String, field: String, operation: String, _ context: RequestContext) async throws -> (KeyRecord, Certificate) {
        let record = try await resolveKey(identifier, context, operation: operation)
        guard record.state == .CREATE_COMPLETE, record.enabled else {
            throw ServiceError.validation("The certificate authority key \(record.arn) is not usable (\(record.enabled ? record.state.rawValue : "disabled")).", field: field)
        }
        guard record.keyClass == "PUBLIC_KEY", record.keyUsage == "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE" else {
            throw ServiceError.validation("Key \(record.arn) is not a certificate authority public key (TR31_S0, PUBLIC_KEY).", field: field)
        }
        return (record, try certificate(of: record))
    }

    /// ImportKey with RootCertificatePublicKey (self-signed) or TrustedCertificatePublicKey (signed
    /// by a root already imported).
    func importCertificate(attributes a: ControlPlane.KeyAttributes, pem: String, authority: String?, input: ControlPlane.ImportKeyInput,
                           path: String, context: RequestContext) async throws -> ControlPlane.ImportKeyOutput {
        let modes = KeyModes(wire: a.keyModesOfUse)
        try checkAttributes(usage: a.keyUsage.rawValue, keyClass: a.keyClass.rawValue, algorithm: a.keyAlgorithm.rawValue, modes: modes,
                            field: "\(path).KeyAttributes")
        guard a.keyClass == .publicKey else {
            throw ServiceError.validation("A certificate is imported as KeyClass PUBLIC_KEY.", field: "\(path).KeyAttributes.KeyClass")
        }
        let certificate = try CertificateSupport.parse(pem, field: "\(path).PublicKeyCertificate")
        guard CertificateSupport.keyAlgorithm(certificate) == a.keyAlgorithm.rawValue else {
            throw ServiceError.validation("The certificate's public key is not \(a.keyAlgorithm.rawValue).", field: "\(path).KeyAttributes.KeyAlgorithm")
        }
        let now = Date(timeIntervalSince1970: clock())
        guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else {
            throw ServiceError.validation("The certificate is not valid now (\(certificate.notValidBefore) to \(certificate.notValidAfter)).", field: "\(path).PublicKeyCertificate")
        }
        if let authority {
            let (_, ca) = try await certificateAuthority(authority, field: "\(path).CertificateAuthorityPublicKeyIdentifier", operation: "ImportKey", context)
            guard certificate.issuer == ca.subject, ca.publicKey.isValidSignature(certificate.signature, for: certificate) else {
                throw ServiceError.validation("The certificate is not signed by the certificate authority \(authority).", field: "\(path).PublicKeyCertificate")
            }
        } else {
            guard certificate.issuer == certificate.subject, certificate.publicKey.isValidSignature(certificate.signature, for: certificate) else {
                throw ServiceError.validation("A root certificate must be self-signed.", field: "\(path).PublicKeyCertificate")
            }
        }
        try authorize("ImportKey", newKeyResource(context), context)
        let der = try CertificateSupport.der(certificate)
        let kcv = try CertificateSupport.checkValue(certificate)
        let now2 = clock()
        let keyId = KeyIdentifiers.newKeyId()
        let arn = KeyRecord.arn(region: context.region, account: context.account, keyId: keyId)
        let record = KeyRecord(
            keyId: keyId, account: context.account, region: context.region, keyUsage: a.keyUsage.rawValue, keyClass: a.keyClass.rawValue,
            keyAlgorithm: a.keyAlgorithm.rawValue, modes: modes, keyCheckValue: kcv, keyCheckValueAlgorithm: "SHA_1",
            enabled: input.enabled ?? true, exportable: true, state: .CREATE_COMPLETE, origin: "EXTERNAL", createTimestamp: now2,
            usageStartTimestamp: now2, tags: Self.mergeTags([], (input.tags ?? []).map { TagRecord(key: $0.key, value: $0.value) }),
            sealedMaterial: try masterKey.seal(der, context: arn))
        try await insertWithinQuota(record, context)
        return ControlPlane.ImportKeyOutput(key: try wireKey(record))
    }
}
