import Crypto
import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import X509
import _CryptoExtras

extension PaymentCryptographyService {
    /// GetParametersForExport with `KeyMaterialType: TR34_KEY_BLOCK`: the service's signing key
    /// certificate (base64 of PEM) and chain, and an export token valid for 30 days.
    public func getParametersForExport(_ input: ControlPlane.GetParametersForExportInput, context: RequestContext) async throws -> ControlPlane.GetParametersForExportOutput {
        try authorize("GetParametersForExport", "*", context)
        guard input.keyMaterialType == .tr34KeyBlock else {
            throw ServiceError.validation("KeyMaterialType \(input.keyMaterialType.rawValue) is not valid for GetParametersForExport; use TR34_KEY_BLOCK.", field: "KeyMaterialType")
        }
        let size: WrappingKeySize
        switch input.signingKeyAlgorithm {
        case .rsa2048: size = .bits2048
        case .rsa3072: size = .bits3072
        case .rsa4096: size = .bits4096
        default: throw ServiceError.validation("SigningKeyAlgorithm must be RSA_2048, RSA_3072 or RSA_4096.", field: "SigningKeyAlgorithm")
        }
        if let reused = try await reusableToken(input.reuseLastGeneratedToken, type: "EXPORT_TR34_KEY_BLOCK",
                                                algorithm: input.signingKeyAlgorithm.rawValue, context) {
            return ControlPlane.GetParametersForExportOutput(
                signingKeyCertificate: Data(reused.certificatePEM.utf8).base64EncodedString(),
                signingKeyCertificateChain: Data(reused.certificateChainPEM.utf8).base64EncodedString(),
                signingKeyAlgorithm: input.signingKeyAlgorithm, exportToken: reused.token, parametersValidUntilTimestamp: reused.validUntil)
        }
        let parameters = try KeyCryptogramImportParameters.make(size: size, authority: try importAuthority.get(), now: Date(timeIntervalSince1970: clock()))
        let token = "export-token-" + KeyIdentifiers.newKeyId() + KeyIdentifiers.newKeyId()
        let record = ImportTokenRecord(
            token: token, account: context.account, region: context.region, keyMaterialType: "EXPORT_TR34_KEY_BLOCK",
            wrappingKeyAlgorithm: input.signingKeyAlgorithm.rawValue,
            sealedPrivateKey: try masterKey.seal(parameters.wrappingKey.derRepresentation, context: "import-token:\(token)"),
            certificatePEM: parameters.certificatePEM, certificateChainPEM: parameters.certificateChainPEM,
            validUntil: parameters.validUntil.timeIntervalSince1970)
        try await store.insertImportToken(record)
        lastTokens.remember(record)
        return ControlPlane.GetParametersForExportOutput(
            signingKeyCertificate: Data(parameters.certificatePEM.utf8).base64EncodedString(),
            signingKeyCertificateChain: Data(parameters.certificateChainPEM.utf8).base64EncodedString(),
            signingKeyAlgorithm: input.signingKeyAlgorithm, exportToken: token, parametersValidUntilTimestamp: record.validUntil)
    }

    /// The recipient's certificate, which must be signed by a root certificate in the service.
    func recipientCertificate(_ pem: String, authority: String, path: String, _ context: RequestContext) async throws -> Certificate {
        let (_, ca) = try await certificateAuthority(authority, field: "\(path).CertificateAuthorityPublicKeyIdentifier", operation: "ExportKey", context)
        let certificate = try CertificateSupport.parse(pem, field: "\(path).WrappingKeyCertificate")
        let now = Date(timeIntervalSince1970: clock())
        guard certificate.issuer == ca.subject, ca.publicKey.isValidSignature(certificate.signature, for: certificate) else {
            throw ServiceError.validation("WrappingKeyCertificate is not signed by the certificate authority \(authority).", field: "\(path).WrappingKeyCertificate")
        }
        guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else {
            throw ServiceError.validation("WrappingKeyCertificate is not valid now.", field: "\(path).WrappingKeyCertificate")
        }
        return certificate
    }

    /// ExportKey with `KeyCryptogram`: the key encrypted by RSA-OAEP (SHA-256 or SHA-512) to the recipient's certificate.
    func exportKeyCryptogram(_ kc: ControlPlane.ExportKeyCryptogram, record: KeyRecord, material: SymmetricKeyMaterial,
                             context: RequestContext) async throws -> ControlPlane.ExportKeyOutput {
        let path = "KeyMaterial.KeyCryptogram"
        let recipient = try await recipientCertificate(kc.wrappingKeyCertificate, authority: kc.certificateAuthorityPublicKeyIdentifier, path: path, context)
        guard let rsa = _RSA.Signing.PublicKey(recipient.publicKey),
              let encryption = try? _RSA.Encryption.PublicKey(derRepresentation: rsa.derRepresentation) else {
            throw ServiceError.validation("WrappingKeyCertificate must carry an RSA public key.", field: "\(path).WrappingKeyCertificate")
        }
        // X9.143 / AWS KeyBlockHeaders: only a SENSITIVE key may leave as an RSA cryptogram; an
        // EXPORTABLE one only as a TR-31 or TR-34 key block (README, Decisions: "Exportability of a key").
        let held = ExportHeaderRules.exportability(of: record)
        guard held == .sensitive else {
            throw ServiceError.validation("Key \(record.arn) has exportability \(ExportHeaderRules.awsName(held)) and can be exported only as a "
                                          + "TR-31 or TR-34 key block; a KeyCryptogram export needs a SENSITIVE key.", field: "ExportKeyIdentifier")
        }
        try checkStrength(.rsa, material: material, wrapping: KeyStrength.WrappingKey(rsaBits: rsa.keySizeInBits),
                          wrappingDescription: "An RSA-\(rsa.keySizeInBits) key", field: "\(path).WrappingKeyCertificate")
        // RFC 8017 §7.1 RSAES-OAEP, empty label, MGF1 with the same hash; absent WrappingSpec:
        // RSA_OAEP_SHA_256 (README, Decisions: "ExportKey KeyCryptogram").
        let cryptogram: [UInt8]
        if kc.wrappingSpec == .rsaOaepSha512 {
            let key = RSADataKey(publicKeyDER: Array(rsa.derRepresentation), byteCount: rsa.keySizeInBits / 8, pair: nil)
            cryptogram = try RSADataEncryption.rawEncrypt(material.bytes, key: key, padding: .oaepSha512, dataField: "\(path).WrappingKeyCertificate")
        } else {
            do { cryptogram = Array(try encryption.encrypt(material.bytes, padding: .PKCS1_OAEP_SHA256)) } catch {
                throw ServiceError.validation("The key cannot be encrypted to this certificate's key.", field: "\(path).WrappingKeyCertificate")
            }
        }
        let ca = try await resolveKey(kc.certificateAuthorityPublicKeyIdentifier, context, operation: "ExportKey")
        return ControlPlane.ExportKeyOutput(wrappedKey: ControlPlane.WrappedKey(
            wrappingKeyArn: ca.arn, wrappedKeyMaterialFormat: .keyCryptogram, keyMaterial: Bytes.hex(cryptogram),
            keyCheckValue: record.keyCheckValue, keyCheckValueAlgorithm: try wireEnum(record.keyCheckValueAlgorithm)))
    }

    /// ExportKey with `Tr34KeyBlock`: a two-pass (RandomNonce) or one-pass TR-34 block signed with
    /// the export token's signing key, to the recipient's certificate.
    func exportTR34(_ t: ControlPlane.ExportTr34KeyBlock, record: KeyRecord, material: SymmetricKeyMaterial,
                    context: RequestContext) async throws -> ControlPlane.ExportKeyOutput {
        let path = "KeyMaterial.Tr34KeyBlock"
        let recipient = try await recipientCertificate(t.wrappingKeyCertificate, authority: t.certificateAuthorityPublicKeyIdentifier, path: path, context)
        guard let tokenId = t.exportToken else {
            throw ServiceError.validation("ExportToken is required: get one with GetParametersForExport.", field: "\(path).ExportToken")
        }
        guard let token = try await store.importToken(account: context.account, region: context.region, token: tokenId),
              token.keyMaterialType == "EXPORT_TR34_KEY_BLOCK", clock() <= token.validUntil else {
            throw ServiceError.validation("ExportToken is not valid or has expired; get one with GetParametersForExport.", field: "\(path).ExportToken")
        }
        let signing: ImportWrappingKey
        let signingCertificate: Certificate
        do {
            signing = try ImportWrappingKey(derRepresentation: try masterKey.open(token.sealedPrivateKey, context: "import-token:\(token.token)"))
            signingCertificate = try Certificate(pemEncoded: token.certificatePEM)
        } catch {
            throw ServiceError(.internalServer, "The signing key of this export token cannot be read with this server's master key.")
        }
        var nonce: [UInt8]?
        if let n = t.randomNonce {
            guard let bytes = Bytes.fromHex(n) else { throw ServiceError.validation("RandomNonce must be hex.", field: "\(path).RandomNonce") }
            nonce = bytes
        }
        guard material.algorithm.isTDES || material.algorithm.isAES,
              let usage = TR31Mapping.usageCode(record.keyUsage) else {
            throw ServiceError.validation("TR-34 carries TDES and AES keys.", field: "ExportKeyIdentifier")
        }
        guard let rsa = _RSA.Signing.PublicKey(recipient.publicKey) else {
            throw ServiceError.validation("WrappingKeyCertificate must carry an RSA public key.", field: "\(path).WrappingKeyCertificate")
        }
        try checkStrength(.tr34, material: material, wrapping: KeyStrength.WrappingKey(rsaBits: rsa.keySizeInBits),
                          wrappingDescription: "An RSA-\(rsa.keySizeInBits) key", field: "\(path).WrappingKeyCertificate")
        // KeyBlockHeaders narrow, never widen (README, Decisions: "Export narrows only").
        let h = t.keyBlockHeaders
        let modes = try exportModes(h?.keyModesOfUse, record: record, field: "\(path).KeyBlockHeaders.KeyModesOfUse")
        let exportability = try exportExportability(h?.keyExportability, record: record, field: "\(path).KeyBlockHeaders.KeyExportability").rawValue
        let version = h?.keyVersion ?? "00"
        guard let mode = TR31Mapping.modeOfUse(modes), version.count == 2 else {
            throw ServiceError.validation("KeyBlockHeaders do not form a valid key block header.", field: "\(path).KeyBlockHeaders")
        }
        let algorithmLetter: String = material.algorithm.isTDES ? "T" : "A"
        let header: String = "D0016\(usage)\(algorithmLetter)\(mode.rawValue)\(version)\(exportability)0000"
        let block: [UInt8]
        do {
            block = try TR34.wrap(key: material.bytes, header: header, kdhKey: signing.key, kdhCertificate: signingCertificate,
                                  krdCertificate: recipient, randomNonce: nonce, now: Date(timeIntervalSince1970: clock()))
        } catch {
            throw ServiceError.validation("The key cannot be wrapped as a TR-34 key block: \(error).", field: path)
        }
        let ca = try await resolveKey(t.certificateAuthorityPublicKeyIdentifier, context, operation: "ExportKey")
        return ControlPlane.ExportKeyOutput(wrappedKey: ControlPlane.WrappedKey(
            wrappingKeyArn: ca.arn, wrappedKeyMaterialFormat: .tr34KeyBlock, keyMaterial: Bytes.hex(block),
            keyCheckValue: record.keyCheckValue, keyCheckValueAlgorithm: try wireEnum(record.keyCheckValueAlgorithm)))
    }
}
