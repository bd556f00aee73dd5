import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import Synchronization

/// The service's import certificate authority: made on first use and kept for the life of the
/// process (tokens already issued keep working across restarts: each token stores its own
/// wrapping key and certificate).
final class ImportAuthorityHolder: Sendable {
    private let authority = Mutex<ImportCertificateAuthority?>(nil)

    func get() throws -> ImportCertificateAuthority {
        try authority.withLock { current in
            if let current { return current }
            let made = try ImportCertificateAuthority.generate()
            current = made
            return made
        }
    }
}

extension PaymentCryptographyService {
    /// GetParametersForImport with `KeyMaterialType: KEY_CRYPTOGRAM`: a fresh RSA wrapping key,
    /// its certificate (base64 of PEM) and chain, and an import token valid for 30 days.
    public func getParametersForImport(_ input: ControlPlane.GetParametersForImportInput, context: RequestContext) async throws -> ControlPlane.GetParametersForImportOutput {
        try authorize("GetParametersForImport", "*", context)
        switch input.keyMaterialType {
        case .keyCryptogram, .tr34KeyBlock: break
        default:
            throw ServiceError.validation("KeyMaterialType \(input.keyMaterialType.rawValue) is not valid for GetParametersForImport; use KEY_CRYPTOGRAM or TR34_KEY_BLOCK.", field: "KeyMaterialType")
        }
        let size: WrappingKeySize
        switch input.wrappingKeyAlgorithm {
        case .rsa2048: size = .bits2048
        case .rsa3072: size = .bits3072
        case .rsa4096: size = .bits4096
        default:
            throw ServiceError.validation("WrappingKeyAlgorithm must be RSA_2048, RSA_3072 or RSA_4096.", field: "WrappingKeyAlgorithm")
        }
        if let reused = try await reusableToken(input.reuseLastGeneratedToken, type: input.keyMaterialType.rawValue,
                                                algorithm: input.wrappingKeyAlgorithm.rawValue, context) {
            return ControlPlane.GetParametersForImportOutput(
                wrappingKeyCertificate: Data(reused.certificatePEM.utf8).base64EncodedString(),
                wrappingKeyCertificateChain: Data(reused.certificateChainPEM.utf8).base64EncodedString(),
                wrappingKeyAlgorithm: input.wrappingKeyAlgorithm, importToken: reused.token,
                parametersValidUntilTimestamp: reused.validUntil)
        }
        let now = Date(timeIntervalSince1970: clock())
        let parameters = try KeyCryptogramImportParameters.make(size: size, authority: try importAuthority.get(), now: now)
        let token = "import-token-" + KeyIdentifiers.newKeyId() + KeyIdentifiers.newKeyId()
        let record = ImportTokenRecord(
            token: token, account: context.account, region: context.region, keyMaterialType: input.keyMaterialType.rawValue,
            wrappingKeyAlgorithm: input.wrappingKeyAlgorithm.rawValue,
            sealedPrivateKey: try masterKey.seal(parameters.wrappingKey.derRepresentation, context: "import-token:\(token)"),
            certificatePEM: parameters.certificatePEM, certificateChainPEM: parameters.certificateChainPEM,
            validUntil: parameters.validUntil.timeIntervalSince1970)
        try await store.insertImportToken(record)
        lastTokens.remember(record)
        return ControlPlane.GetParametersForImportOutput(
            wrappingKeyCertificate: Data(parameters.certificatePEM.utf8).base64EncodedString(),
            wrappingKeyCertificateChain: Data(parameters.certificateChainPEM.utf8).base64EncodedString(),
            wrappingKeyAlgorithm: input.wrappingKeyAlgorithm,
            importToken: token,
            parametersValidUntilTimestamp: record.validUntil)
    }

    /// ImportKey: the key material of `KeyMaterial`; with `ReplicationRegions` (or the region
    /// defaults) a primary with its replicas (README, Decisions: `ReplicationRegions` on CreateKey/ImportKey); a root certificate imported while
    /// a Multi-party approval team is associated is approved at once (README, Decisions: MPA-guarded import).
    public func importKey(_ input: ControlPlane.ImportKeyInput, context: RequestContext) async throws -> ControlPlane.ImportKeyOutput {
        try authorize("ImportKey", newKeyResource(context), context)
        let approval = try await rootImportApproval(input, context)
        let plan = try await replicationPlan(input.replicationRegions, context)
        if let plan, !plan.usingDefaults {
            switch input.keyMaterial {
            case .rootCertificatePublicKey, .trustedCertificatePublicKey:
                throw ServiceError.validation("Only exportable symmetric keys can be replicated; a certificate is a PUBLIC_KEY.", field: "ReplicationRegions")
            default: break
            }
        }
        let imported = try await importSingleRegionKey(input, context: context)
        if let approval, case .key(_, _, let keyId)? = KeyIdentifiers.parse(imported.key.keyArn),
           let record = try await store.key(account: context.account, region: context.region, keyId: keyId) {
            return ControlPlane.ImportKeyOutput(key: try wireKey(try await changeKey(record) { $0.mpaApproval = approval }))
        }
        guard let primary = try await applyReplication(plan, toNewKey: imported.key.keyArn, context) else { return imported }
        return ControlPlane.ImportKeyOutput(key: primary)
    }

    /// ImportKey without replication. With `KeyCryptogram`: the key wrapped by RSA-OAEP under the
    /// token's wrapping key. paycrypt accepts every symmetric algorithm here (AWS: TDES and AES-128),
    /// a documented superset.
    func importSingleRegionKey(_ input: ControlPlane.ImportKeyInput, context: RequestContext) async throws -> ControlPlane.ImportKeyOutput {
        let kc: ControlPlane.ImportKeyCryptogram
        switch input.keyMaterial {
        case .keyCryptogram(let k): kc = k
        case .tr31KeyBlock(let block): return try await importTR31(block, input: input, context: context)
        case .tr34KeyBlock(let block): return try await importTR34(block, input: input, context: context)
        case .diffieHellmanTr31KeyBlock(let block): return try await namingField { try await importECDH(block, input: input, context: context) }
        case .as2805KeyCryptogram(let c): return try await namingField { try await importAS2805(c, input: input, context: context) }
        case .rootCertificatePublicKey(let root):
            return try await importCertificate(attributes: root.keyAttributes, pem: root.publicKeyCertificate, authority: nil, input: input,
                                               path: "KeyMaterial.RootCertificatePublicKey", context: context)
        case .trustedCertificatePublicKey(let trusted):
            return try await importCertificate(attributes: trusted.keyAttributes, pem: trusted.publicKeyCertificate,
                                               authority: trusted.certificateAuthorityPublicKeyIdentifier, input: input,
                                               path: "KeyMaterial.TrustedCertificatePublicKey", context: context)
        }
        let path = "KeyMaterial.KeyCryptogram"
        let a = kc.keyAttributes
        let modes = KeyModes(wire: a.keyModesOfUse)
        try checkAttributes(usage: a.keyUsage.rawValue, keyClass: a.keyClass.rawValue, algorithm: a.keyAlgorithm.rawValue,
                            modes: modes, field: "\(path).KeyAttributes")
        guard a.keyClass == .symmetricKey, let algorithm = PaymentCryptography.KeyAlgorithm(rawValue: a.keyAlgorithm.rawValue) else {
            throw ServiceError.validation("A KeyCryptogram carries a SYMMETRIC_KEY with a TDES, AES or HMAC algorithm.", field: "\(path).KeyAttributes")
        }
        guard let token = try await store.importToken(account: context.account, region: context.region, token: kc.importToken),
              token.keyMaterialType == "KEY_CRYPTOGRAM" else {
            throw ServiceError.validation("ImportToken is not valid: get one with GetParametersForImport and KeyMaterialType KEY_CRYPTOGRAM.", field: "\(path).ImportToken")
        }
        guard clock() <= token.validUntil else {
            throw ServiceError.validation("ImportToken has expired; get new parameters with GetParametersForImport.", field: "\(path).ImportToken")
        }
        guard let cryptogram = Bytes.fromHex(kc.wrappedKeyCryptogram) else {
            throw ServiceError.validation("WrappedKeyCryptogram must be hex.", field: "\(path).WrappedKeyCryptogram")
        }
        let wrappingKey: ImportWrappingKey
        do {
            wrappingKey = try ImportWrappingKey(derRepresentation: try masterKey.open(token.sealedPrivateKey, context: "import-token:\(token.token)"))
        } catch {
            throw ServiceError(.internalServer, "The wrapping key of this import token cannot be read with this server's master key.")
        }
        let spec: KeyCryptogramWrappingSpec = kc.wrappingSpec == .rsaOaepSha512 ? .rsaOAEPSHA512 : .rsaOAEPSHA256
        let clear: [UInt8]
        do {
            clear = try RSAOAEP.decrypt(cryptogram, with: wrappingKey, spec: spec)
        } catch {
            throw ServiceError.validation("WrappedKeyCryptogram cannot be unwrapped with the import token's wrapping key and \(kc.wrappingSpec?.rawValue ?? "RSA_OAEP_SHA_256") (\(error)).",
                                          field: "\(path).WrappedKeyCryptogram")
        }
        let material: SymmetricKeyMaterial
        do {
            material = try SymmetricKeyMaterial(algorithm: algorithm, bytes: clear)
        } catch {
            let r = algorithm.keyByteCounts
            let expected = r.count == 1 ? "\(r.lowerBound)" : "\(r.lowerBound) to \(r.upperBound)"
            throw ServiceError.validation("The unwrapped key has \(clear.count) bytes; a \(algorithm.rawValue) key has \(expected).",
                                          field: "\(path).WrappedKeyCryptogram")
        }
        let record = try await insertNewKey(
            material: material, usage: a.keyUsage.rawValue, keyClass: a.keyClass.rawValue, modes: modes,
            kcvAlgorithm: input.keyCheckValueAlgorithm?.rawValue, enabled: input.enabled ?? true, exportable: kc.exportable,
            origin: "EXTERNAL", deriveKeyUsage: nil, tags: (input.tags ?? []).map { TagRecord(key: $0.key, value: $0.value) },
            context: context)
        return ControlPlane.ImportKeyOutput(key: try wireKey(record))
    }
}

extension KeyCryptogramImportParameters {
    static func make(size: WrappingKeySize, authority: ImportCertificateAuthority, now: Date) throws -> KeyCryptogramImportParameters {
        do {
            return try WrappingKeyFactory.makeKeyCryptogramParameters(size: size, authority: authority, now: now)
        } catch {
            throw ServiceError(.internalServer, "The import wrapping key could not be made.")
        }
    }
}
