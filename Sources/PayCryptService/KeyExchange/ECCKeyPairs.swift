import Crypto
import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import Synchronization
import X509

/// The certificates GetPublicKeyCertificate has issued for ECC key pairs, by key ARN: the same
/// certificate is returned while at least 30 days of its 90 remain (AWS API reference,
/// GetPublicKeyCertificate; README Decisions, "GetPublicKeyCertificate"). Like the authority that signs them, they
/// live as long as the process.
final class PublicKeyCertificateCache: Sendable {
    private let issued = Mutex<[String: (notValidAfter: Double, pem: String)]>([:])

    /// The cached certificate of `arn` if it is valid for at least `minimum` more seconds at `now`.
    func certificate(arn: String, now: Double, minimum: Double) -> String? {
        issued.withLock { m in
            guard let c = m[arn], c.notValidAfter - now >= minimum else { return nil }
            return c.pem
        }
    }

    func store(arn: String, notValidAfter: Double, pem: String) {
        issued.withLock { $0[arn] = (notValidAfter, pem) }
    }
}

extension PaymentCryptographyService {
    /// A certificate's lifetime and the least that must remain for it to be returned again.
    static let eccCertificateLifetime: Double = 90 * 86_400
    static let eccCertificateMinimumRemaining: Double = 30 * 86_400

    /// CreateKey for an ECC key agreement key pair (TR31_K3, ECC_NIST_P256/P384/P521, {DeriveKey};
    /// README Decisions, "ECC key pairs"). The private scalar is sealed like any key material; the check
    /// value is SHA-1 over the public key's SubjectPublicKeyInfo, first 3 bytes (decision, same row).
    func createECCKeyPair(_ input: ControlPlane.CreateKeyInput, curve: ECCCurve, modes: KeyModes,
                          context: RequestContext) async throws -> ControlPlane.CreateKeyOutput {
        let a = input.keyAttributes
        let (privateKey, publicKey) = ECDH.generate(curve)
        let spki: [UInt8]
        do { spki = try ECDH.subjectPublicKeyInfo(curve, publicKey: publicKey) } catch {
            throw ServiceError(.internalServer, "The key pair could not be generated.")
        }
        let kcv = Bytes.hex(Insecure.SHA1.hash(data: spki).prefix(3))
        let now = clock()
        let enabled = input.enabled ?? true
        let keyId = KeyIdentifiers.newKeyId()
        let arn = KeyRecord.arn(region: context.region, account: context.account, keyId: keyId)
        let record = KeyRecord(
            keyId: keyId, account: context.account, region: context.region, keyUsage: a.keyUsage.rawValue, keyClass: a.keyClass.rawValue,
            keyAlgorithm: curve.rawValue, modes: modes, keyCheckValue: kcv, keyCheckValueAlgorithm: "SHA_1",
            enabled: enabled, exportable: input.exportable, state: .CREATE_COMPLETE, origin: "AWS_PAYMENT_CRYPTOGRAPHY",
            deriveKeyUsage: input.deriveKeyUsage?.rawValue,
            createTimestamp: now, usageStartTimestamp: enabled ? now : nil, usageStopTimestamp: enabled ? nil : now,
            tags: Self.mergeTags([], (input.tags ?? []).map { TagRecord(key: $0.key, value: $0.value) }),
            sealedMaterial: try masterKey.seal(privateKey, context: arn))
        try await insertWithinQuota(record, context)
        logger.info("key pair created", metadata: ["keyArn": "\(arn)", "keyUsage": "\(a.keyUsage.rawValue)", "keyAlgorithm": "\(curve.rawValue)"])
        return ControlPlane.CreateKeyOutput(key: try wireKey(record))
    }

    /// The private scalar of a stored ECC key pair.
    func eccPrivateKey(_ record: KeyRecord) throws -> (ECCCurve, [UInt8]) {
        guard record.keyClass == "ASYMMETRIC_KEY_PAIR", let curve = ECCCurve(rawValue: record.keyAlgorithm) else {
            throw ServiceError.validation("Key \(record.arn) is not an ECC key pair.")
        }
        do {
            return (curve, try masterKey.open(record.sealedMaterial, context: record.arn))
        } catch {
            throw ServiceError(.internalServer, "The key pair of \(record.arn) cannot be read with this server's master key.")
        }
    }

    /// GetPublicKeyCertificate of an ECC key pair: a certificate (keyUsage keyAgreement) valid
    /// for 90 days from issue, signed by the service's CA; the same one while 30 days remain.
    func eccPublicKeyCertificate(_ record: KeyRecord) throws -> ControlPlane.GetPublicKeyCertificateOutput {
        let authority = try importAuthority.get()
        let chain = Data(authority.certificatePEM.utf8).base64EncodedString()
        let now = clock()
        if let pem = publicKeyCertificates.certificate(arn: record.arn, now: now, minimum: Self.eccCertificateMinimumRemaining) {
            return ControlPlane.GetPublicKeyCertificateOutput(keyCertificate: Data(pem.utf8).base64EncodedString(), keyCertificateChain: chain)
        }
        let (curve, privateKey) = try eccPrivateKey(record)
        do {
            let spki = try ECDH.subjectPublicKeyInfo(curve, publicKey: try ECDH.publicKey(curve, privateKey: privateKey))
            let start = Date(timeIntervalSince1970: now.rounded(.down))
            let end = start.addingTimeInterval(Self.eccCertificateLifetime)
            let certificate = try authority.issueCertificate(
                publicKey: try Certificate.PublicKey(derEncoded: spki), notValidBefore: start, notValidAfter: end,
                commonName: "paycrypt key \(record.keyId)", keyUsage: X509.KeyUsage(keyAgreement: true))
            let pem = try ImportCertificateAuthority.pem(certificate)
            publicKeyCertificates.store(arn: record.arn, notValidAfter: end.timeIntervalSince1970, pem: pem)
            return ControlPlane.GetPublicKeyCertificateOutput(keyCertificate: Data(pem.utf8).base64EncodedString(), keyCertificateChain: chain)
        } catch {
            throw ServiceError(.internalServer, "The certificate could not be issued.")
        }
    }
}
