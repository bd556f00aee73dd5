import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import X509

extension PaymentCryptographyService {
    /// ImportKey with `Tr34KeyBlock` (X9_TR34_2012): the block is verified against the sending
    /// host's certificate, which must chain to a root imported first, and opened with the wrapping
    /// key of the import token (from GetParametersForImport with `TR34_KEY_BLOCK`).
    func importTR34(_ block: ControlPlane.ImportTr34KeyBlock, input: ControlPlane.ImportKeyInput, context: RequestContext) async throws -> ControlPlane.ImportKeyOutput {
        let path = "KeyMaterial.Tr34KeyBlock"
        let (_, ca) = try await certificateAuthority(block.certificateAuthorityPublicKeyIdentifier,
                                                     field: "\(path).CertificateAuthorityPublicKeyIdentifier", operation: "ImportKey", context)
        let kdh = try CertificateSupport.parse(block.signingKeyCertificate, field: "\(path).SigningKeyCertificate")
        guard let tokenId = block.importToken else {
            throw ServiceError.validation("ImportToken is required: get one with GetParametersForImport and KeyMaterialType TR34_KEY_BLOCK.", field: "\(path).ImportToken")
        }
        guard let token = try await store.importToken(account: context.account, region: context.region, token: tokenId),
              token.keyMaterialType == "TR34_KEY_BLOCK" else {
            throw ServiceError.validation("ImportToken is not valid: get one with GetParametersForImport and KeyMaterialType TR34_KEY_BLOCK.", field: "\(path).ImportToken")
        }
        guard clock() <= token.validUntil else {
            throw ServiceError.validation("ImportToken has expired; get new parameters with GetParametersForImport.", field: "\(path).ImportToken")
        }
        guard let blockBytes = Bytes.fromHex(block.wrappedKeyBlock) else {
            throw ServiceError.validation("WrappedKeyBlock must be hex.", field: "\(path).WrappedKeyBlock")
        }
        var nonce: [UInt8]?
        if let n = block.randomNonce {
            guard let bytes = Bytes.fromHex(n) else { throw ServiceError.validation("RandomNonce must be hex.", field: "\(path).RandomNonce") }
            nonce = bytes
        }
        let wrappingKey: ImportWrappingKey
        let wrappingCertificate: Certificate
        do {
            wrappingKey = try ImportWrappingKey(derRepresentation: try masterKey.open(token.sealedPrivateKey, context: "import-token:\(token.token)"))
            wrappingCertificate = try Certificate(pemEncoded: token.certificatePEM)
        } catch {
            throw ServiceError(.internalServer, "The wrapping key of this import token cannot be read with this server's master key.")
        }
        let unwrapped: TR34UnwrappedKey
        do {
            unwrapped = try TR34.unwrap(block: blockBytes, kdhCertificate: kdh, caCertificate: ca, wrappingKey: wrappingKey,
                                        wrappingCertificate: wrappingCertificate, randomNonce: nonce, now: Date(timeIntervalSince1970: clock()))
        } catch {
            throw ServiceError.validation("The TR-34 key block was refused: \(error).", field: "\(path).WrappedKeyBlock")
        }
        // The 16-character header is TR-31's; its version id and length digits are not used.
        let header: TR31Header
        do {
            header = try TR31Header(parsing: "B0016" + unwrapped.keyBlockHeader.dropFirst(5).prefix(11))
        } catch {
            throw ServiceError.validation("The TR-34 key block header '\(unwrapped.keyBlockHeader.prefix(16))' is not valid: \(error).", field: "\(path).WrappedKeyBlock")
        }
        // The import token's RSA key must be strong enough for the key (README, "Key strength").
        if let algorithm = TR31Mapping.awsAlgorithm(header, keyLength: unwrapped.key.count),
           let material = try? SymmetricKeyMaterial(algorithm: algorithm, bytes: unwrapped.key) {
            try checkStrength(.tr34, material: material, wrapping: KeyStrength.WrappingKey(rawValue: token.wrappingKeyAlgorithm),
                              wrappingDescription: "The import token's \(token.wrappingKeyAlgorithm) wrapping key", field: "\(path).ImportToken")
        }
        return try await insertFromHeader(header, key: unwrapped.key, input: input, field: "\(path).WrappedKeyBlock", context: context)
    }

    /// Creates an imported key whose attributes come from a TR-31 style header.
    func insertFromHeader(_ h: TR31Header, key: [UInt8], input: ControlPlane.ImportKeyInput, field: String,
                          context: RequestContext) async throws -> ControlPlane.ImportKeyOutput {
        guard let usage = TR31Mapping.awsUsage(h.keyUsage.rawValue) else {
            throw ServiceError.validation("The key block's key usage \(h.keyUsage.rawValue) has no AWS KeyUsage.", field: field)
        }
        guard let algorithm = TR31Mapping.awsAlgorithm(h, keyLength: key.count) else {
            throw ServiceError.validation("The key block's algorithm \(h.algorithm.rawValue) with a \(key.count)-byte key (and HM block \(h.optionalBlockData(.hmacHash) ?? "none")) is not a supported symmetric key.", field: field)
        }
        guard let modes = TR31Mapping.modes(h.modeOfUse) else {
            throw ServiceError.validation("The key block's mode of use \(h.modeOfUse.rawValue) has no AWS KeyModesOfUse.", field: field)
        }
        guard ExportHeaderRules.rank(h.exportability) != nil else {
            throw ServiceError.validation("The key block's exportability \(h.exportability.rawValue) is not E, N or S (ANSI X9.143).", field: field)
        }
        try checkAttributes(usage: usage, keyClass: "SYMMETRIC_KEY", algorithm: algorithm.rawValue, modes: modes, field: field)
        let material: SymmetricKeyMaterial
        do { material = try SymmetricKeyMaterial(algorithm: algorithm, bytes: key) } catch {
            throw ServiceError.validation("The key block carries \(key.count) bytes, which do not fit \(algorithm.rawValue).", field: field)
        }
        let record = try await insertNewKey(
            material: material, usage: usage, keyClass: "SYMMETRIC_KEY", modes: modes, kcvAlgorithm: input.keyCheckValueAlgorithm?.rawValue,
            enabled: input.enabled ?? true, exportable: h.exportability != .nonExportable, origin: "EXTERNAL", deriveKeyUsage: nil,
            tags: (input.tags ?? []).map { TagRecord(key: $0.key, value: $0.value) }, context: context,
            exportability: h.exportability.rawValue)
        return ControlPlane.ImportKeyOutput(key: try wireKey(record))
    }
}
