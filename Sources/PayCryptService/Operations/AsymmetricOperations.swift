import Crypto
import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import X509

extension PaymentCryptographyService {
    /// CreateKey for an RSA key pair (KeyClass ASYMMETRIC_KEY_PAIR): the private key is sealed like
    /// any key material; its check value is the first 3 bytes of SHA-1 over the public key's
    /// SubjectPublicKeyInfo (KeyCheckValueAlgorithm SHA_1, a decision).
    func createKeyPair(_ input: ControlPlane.CreateKeyInput, modes: KeyModes, context: RequestContext) async throws -> ControlPlane.CreateKeyOutput {
        let a = input.keyAttributes
        let size: WrappingKeySize
        switch a.keyAlgorithm {
        case .rsa2048: size = .bits2048
        case .rsa3072: size = .bits3072
        case .rsa4096: size = .bits4096
        default:
            guard let curve = KeyExchangeNames.curve(a.keyAlgorithm.rawValue) else {
                throw ServiceError.validation("KeyAlgorithm \(a.keyAlgorithm.rawValue) is not a key pair algorithm.", field: "KeyAttributes.KeyAlgorithm")
            }
            return try await createECCKeyPair(input, curve: curve, modes: modes, context: context)
        }
        let pair: ImportWrappingKey
        do { pair = try ImportWrappingKey.generate(size: size) } catch {
            throw ServiceError(.internalServer, "The key pair could not be generated.")
        }
        let kcv = Bytes.hex(Insecure.SHA1.hash(data: pair.publicKeyDER).prefix(3))
        let now = clock()
        let enabled = input.enabled ?? true
        let keyId = KeyIdentifiers.newKeyId()
        let arn = KeyRecord.arn(region: context.region, account: context.account, keyId: keyId)
        let record = KeyRecord(
            keyId: keyId, account: context.account, region: context.region, keyUsage: a.keyUsage.rawValue, keyClass: a.keyClass.rawValue,
            keyAlgorithm: a.keyAlgorithm.rawValue, modes: modes, keyCheckValue: kcv, keyCheckValueAlgorithm: "SHA_1",
            enabled: enabled, exportable: input.exportable, state: .CREATE_COMPLETE, origin: "AWS_PAYMENT_CRYPTOGRAPHY",
            createTimestamp: now, usageStartTimestamp: enabled ? now : nil, usageStopTimestamp: enabled ? nil : now,
            tags: Self.mergeTags([], (input.tags ?? []).map { TagRecord(key: $0.key, value: $0.value) }),
            sealedMaterial: try masterKey.seal(pair.derRepresentation, context: arn))
        try await insertWithinQuota(record, context)
        logger.info("key pair created", metadata: ["keyArn": "\(arn)", "keyUsage": "\(a.keyUsage.rawValue)", "keyAlgorithm": "\(a.keyAlgorithm.rawValue)"])
        return ControlPlane.CreateKeyOutput(key: try wireKey(record))
    }

    /// GetPublicKeyCertificate: a certificate for the public half of one of the service's key
    /// pairs, issued by the service's certificate authority (chain = that authority's certificate),
    /// base64 of PEM as AWS returns them.
    public func getPublicKeyCertificate(_ input: ControlPlane.GetPublicKeyCertificateInput, context: RequestContext) async throws -> ControlPlane.GetPublicKeyCertificateOutput {
        let record = try await resolveKey(input.keyIdentifier, context, operation: "GetPublicKeyCertificate")
        guard record.keyClass == "ASYMMETRIC_KEY_PAIR" else {
            throw ServiceError.validation("Key \(record.arn) is not an asymmetric key pair.", field: "KeyIdentifier")
        }
        if KeyExchangeNames.curve(record.keyAlgorithm) != nil { return try eccPublicKeyCertificate(record) }
        let pair: ImportWrappingKey
        do {
            pair = try ImportWrappingKey(derRepresentation: try masterKey.open(record.sealedMaterial, context: record.arn))
        } catch {
            throw ServiceError(.internalServer, "The key pair of \(record.arn) cannot be read with this server's master key.")
        }
        let authority = try importAuthority.get()
        let start = Date(timeIntervalSince1970: record.createTimestamp.rounded(.down))
        do {
            let certificate = try authority.issueWrappingKeyCertificate(
                for: pair, notValidBefore: start, notValidAfter: start.addingTimeInterval(365 * 86_400),
                commonName: "paycrypt key \(record.keyId)")
            let pem = try ImportCertificateAuthority.pem(certificate)
            return ControlPlane.GetPublicKeyCertificateOutput(
                keyCertificate: Data(pem.utf8).base64EncodedString(),
                keyCertificateChain: Data(authority.certificatePEM.utf8).base64EncodedString())
        } catch {
            throw ServiceError(.internalServer, "The certificate could not be issued.")
        }
    }
}
