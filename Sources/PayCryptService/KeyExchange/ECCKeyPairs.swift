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
        let (privateKey, _) = ECDH.generate(curve)
        let record = try await insertECCKeyPair(
            keyId: KeyIdentifiers.newKeyId(), curve: curve, privateKey: privateKey, usage: a.keyUsage.rawValue, modes: modes,
            enabled: input.enabled ?? true, exportable: input.exportable, origin: "AWS_PAYMENT_CRYPTOGRAPHY",
            deriveKeyUsage: input.deriveKeyUsage?.rawValue,
            tags: Self.mergeTags([], (input.tags ?? []).map { TagRecord(key: $0.key, value: $0.value) }), context: context)
        logger.info("key pair created", metadata: ["keyArn": "\(record.arn)", "keyUsage": "\(record.keyUsage)", "keyAlgorithm": "\(record.keyAlgorithm)"])
        return ControlPlane.CreateKeyOutput(key: try wireKey(record))
    }

    /// Stores an ECC key pair of a given private scalar: the record CreateKey makes, with its check value.
    func insertECCKeyPair(keyId: String, curve: ECCCurve, privateKey: [UInt8], usage: String, modes: KeyModes, enabled: Bool,
                          exportable: Bool, origin: String, deriveKeyUsage: String?, tags: [TagRecord],
                          context: RequestContext) async throws -> KeyRecord {
        let spki: [UInt8]
        do { spki = try ECDH.subjectPublicKeyInfo(curve, publicKey: try ECDH.publicKey(curve, privateKey: privateKey)) } catch {
            throw ServiceError.validation("The private key is not a valid \(KeyExchangeNames.keyAlgorithm(curve)) key.")
        }
        let kcv = Bytes.hex(Insecure.SHA1.hash(data: spki).prefix(3))
        let now = clock()
        let arn = KeyRecord.arn(region: context.region, account: context.account, keyId: keyId)
        let record = KeyRecord(
            keyId: keyId, account: context.account, region: context.region, keyUsage: usage, keyClass: "ASYMMETRIC_KEY_PAIR",
            keyAlgorithm: KeyExchangeNames.keyAlgorithm(curve), modes: modes, keyCheckValue: kcv, keyCheckValueAlgorithm: "SHA_1",
            enabled: enabled, exportable: exportable, state: .CREATE_COMPLETE, origin: origin,
            deriveKeyUsage: deriveKeyUsage,
            createTimestamp: now, usageStartTimestamp: enabled ? now : nil, usageStopTimestamp: enabled ? nil : now,
            tags: tags, sealedMaterial: try masterKey.seal(privateKey, context: arn))
        try await insertWithinQuota(record, context)
        return record
    }

    /// A TR31_K3 ECC key pair of a known private scalar, named by an alias, for `paycrypt offline`
    /// (README, "The offline calculator"): the key CreateKey would make, with `KeyOrigin` EXTERNAL.
    /// - Parameters:
    ///   - keyId: the key's id (16 to 64 letters and digits).
    ///   - keyAlgorithm: `ECC_NIST_P256`, `ECC_NIST_P384` or `ECC_NIST_P521`.
    ///   - privateKey: the private scalar, big-endian, the curve's field length (SEC 1 §2.3.7).
    ///   - modes: the `KeyModesOfUse` names; the K3 rules of CreateKey apply.
    ///   - alias: the alias that names the key (`alias/...`).
    /// - Returns: the key's ARN.
    /// - Throws: ``ServiceError`` (validation) for an algorithm, modes or scalar CreateKey would refuse.
    public func insertKnownECCKeyPair(keyId: String, keyAlgorithm: String, privateKey: [UInt8], modes: [String], alias: String,
                                      context: RequestContext) async throws -> String {
        let usage = "TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT"
        guard let curve = KeyExchangeNames.curve(keyAlgorithm) else {
            throw ServiceError.validation("A key agreement key pair is ECC_NIST_P256, ECC_NIST_P384 or ECC_NIST_P521; not \(keyAlgorithm).")
        }
        let set = Set(modes)
        if let problem = KeyAttributeRules.check(keyUsage: usage, keyClass: "ASYMMETRIC_KEY_PAIR", keyAlgorithm: keyAlgorithm, modes: set) {
            throw ServiceError.validation(problem)
        }
        let keyModes = KeyModes(encrypt: set.contains("Encrypt"), decrypt: set.contains("Decrypt"), wrap: set.contains("Wrap"),
                                unwrap: set.contains("Unwrap"), generate: set.contains("Generate"), sign: set.contains("Sign"),
                                verify: set.contains("Verify"), deriveKey: set.contains("DeriveKey"), noRestrictions: set.contains("NoRestrictions"))
        let record = try await insertECCKeyPair(keyId: keyId, curve: curve, privateKey: privateKey, usage: usage, modes: keyModes, enabled: true,
                                                exportable: true, origin: "EXTERNAL", deriveKeyUsage: nil, tags: [], context: context)
        try await store.insertAlias(AliasRecord(aliasName: alias, account: context.account, region: context.region, keyId: keyId))
        return record.arn
    }

    /// The private scalar of a stored ECC key pair.
    func eccPrivateKey(_ record: KeyRecord) throws -> (ECCCurve, [UInt8]) {
        guard record.keyClass == "ASYMMETRIC_KEY_PAIR", let curve = KeyExchangeNames.curve(record.keyAlgorithm) else {
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
