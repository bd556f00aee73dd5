import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography

/// The key usage each AS2805 variant carries (AS 2805.6 KEK, ZPK, ZAK, ZEK; README, "AS2805 key exchange").
enum AS2805Rules {
    static func usage(_ v: AS2805KeyExchange.Variant) -> String {
        switch v {
        case .terminalMajorKey: "TR31_K0_KEY_ENCRYPTION_KEY"
        case .pinEncryptionKey: "TR31_P0_PIN_ENCRYPTION_KEY"
        case .messageAuthenticationKey: "TR31_M0_ISO_16609_MAC_KEY"
        case .dataEncryptionKey: "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY"
        }
    }

    /// Why `modes` is not allowed for the variant's key beyond its usage's own rules, nil when it is:
    /// a MAC key (ZAK) is exactly {Generate}, {Verify} or {Generate, Verify} (README, "AS2805 key exchange").
    static func modesRefusal(_ v: AS2805KeyExchange.Variant, _ modes: KeyModes) -> String? {
        guard v == .messageAuthenticationKey else { return nil }
        let others = modes.encrypt || modes.decrypt || modes.wrap || modes.unwrap || modes.sign || modes.deriveKey || modes.noRestrictions
        if !others && (modes.generate || modes.verify) { return nil }
        return "KeyModesOfUse of a \(KeyExchangeNames.awsName(v)) key must be {Generate}, {Verify} or {Generate, Verify}."
    }
}

extension PaymentCryptographyService {
    /// The TDES K0 KEK of an AS2805 exchange with the mode the direction needs (README, "AS2805 key exchange").
    func as2805KEK(_ identifier: String, field: String, unwrap: Bool, operation: String,
                   _ context: RequestContext) async throws -> (KeyRecord, SymmetricKeyMaterial) {
        let (record, material) = try await usableKey(identifier, context, operation: operation)
        guard record.state == .CREATE_COMPLETE, record.enabled else {
            throw ServiceError.validation("The KEK \(record.arn) is \(record.enabled ? record.state.rawValue : "disabled").", field: field)
        }
        guard record.keyUsage == "TR31_K0_KEY_ENCRYPTION_KEY" else {
            throw ServiceError.validation("KeyUsage of the KEK \(record.arn) is invalid for AS2805: it needs TR31_K0_KEY_ENCRYPTION_KEY.", field: field)
        }
        guard let material, material.algorithm.isTDES else {
            throw ServiceError.validation("AS2805 key exchange is TDES only; the KEK \(record.arn) is \(record.keyAlgorithm).", field: field)
        }
        guard record.modes.noRestrictions || (unwrap ? record.modes.unwrap : record.modes.wrap) else {
            throw ServiceError.validation("KeyModesOfUse of the KEK \(record.arn) does not allow \(unwrap ? "Unwrap" : "Wrap").", field: field)
        }
        return (record, material)
    }

    /// ImportKey with `As2805KeyCryptogram` (AS 2805.6; README, "AS2805 key exchange"): the key = TDES-CBC⁻¹ under the variant of
    /// a TDES K0 KEK; usage by the variant; KCV ANSI_X9_24 unless the request names another.
    func importAS2805(_ c: ControlPlane.ImportAs2805KeyCryptogram, input: ControlPlane.ImportKeyInput,
                      context: RequestContext) async throws -> ControlPlane.ImportKeyOutput {
        let path = "KeyMaterial.As2805KeyCryptogram"
        let variant = KeyExchangeNames.variant(c.as2805KeyVariant)
        guard let algorithm = PaymentCryptography.KeyAlgorithm(rawValue: c.keyAlgorithm.rawValue), algorithm.isTDES else {
            throw ServiceError.validation("AS2805 keys are TDES_2KEY or TDES_3KEY.", field: "\(path).KeyAlgorithm")
        }
        let usage = AS2805Rules.usage(variant)
        let modes = KeyModes(wire: c.keyModesOfUse)
        try checkAttributes(usage: usage, keyClass: "SYMMETRIC_KEY", algorithm: algorithm.rawValue, modes: modes, field: "\(path).KeyModesOfUse")
        if let refusal = AS2805Rules.modesRefusal(variant, modes) {
            throw ServiceError.validation(refusal, field: "\(path).KeyModesOfUse")
        }
        guard let cryptogram = Bytes.fromHex(c.wrappedKeyCryptogram), cryptogram.count == algorithm.keyByteCounts.lowerBound else {
            throw ServiceError.validation("WrappedKeyCryptogram must be \(algorithm.keyByteCounts.lowerBound * 2) hex digits for a \(algorithm.rawValue) key.",
                                          field: "\(path).WrappedKeyCryptogram")
        }
        let (_, kek) = try await as2805KEK(c.wrappingKeyIdentifier, field: "\(path).WrappingKeyIdentifier", unwrap: true, operation: "ImportKey", context)
        let material: SymmetricKeyMaterial
        do {
            material = try SymmetricKeyMaterial(algorithm: algorithm, bytes: try AS2805KeyExchange.unwrap(cryptogram, kek: kek.bytes, variant: variant))
        } catch {
            throw ServiceError.validation("The cryptogram cannot be unwrapped under the KEK's \(c.as2805KeyVariant.rawValue).", field: "\(path).WrappedKeyCryptogram")
        }
        try checkStrength(.tr31, material: material, wrapping: KeyStrength.WrappingKey(symmetric: kek.algorithm),
                          wrappingDescription: "The KEK's algorithm \(kek.algorithm.rawValue)", field: "\(path).WrappingKeyIdentifier")
        let record = try await insertNewKey(
            material: material, usage: usage, keyClass: "SYMMETRIC_KEY", modes: modes,
            kcvAlgorithm: input.keyCheckValueAlgorithm?.rawValue ?? "ANSI_X9_24", enabled: input.enabled ?? true, exportable: c.exportable,
            origin: "EXTERNAL", deriveKeyUsage: nil, tags: (input.tags ?? []).map { TagRecord(key: $0.key, value: $0.value) }, context: context)
        return ControlPlane.ImportKeyOutput(key: try wireKey(record))
    }

    /// ExportKey with `As2805KeyCryptogram` (AS 2805.6; README, "AS2805 key exchange"): a TDES key of the variant's usage as
    /// plain hex TDES-CBC under the variant of a TDES K0 KEK no weaker than the key.
    func exportAS2805(_ c: ControlPlane.ExportAs2805KeyCryptogram, record: KeyRecord, material: SymmetricKeyMaterial,
                      context: RequestContext) async throws -> ControlPlane.ExportKeyOutput {
        let path = "KeyMaterial.As2805KeyCryptogram"
        let variant = KeyExchangeNames.variant(c.as2805KeyVariant)
        guard material.algorithm.isTDES else {
            throw ServiceError.validation("AS2805 exports TDES keys only; \(record.arn) is \(record.keyAlgorithm).", field: "ExportKeyIdentifier")
        }
        guard record.keyUsage == AS2805Rules.usage(variant) else {
            throw ServiceError.validation("\(c.as2805KeyVariant.rawValue) carries \(AS2805Rules.usage(variant)) keys; \(record.arn) is \(record.keyUsage).", field: "\(path).As2805KeyVariant")
        }
        let (kekRecord, kek) = try await as2805KEK(c.wrappingKeyIdentifier, field: "\(path).WrappingKeyIdentifier", unwrap: false, operation: "ExportKey", context)
        try checkStrength(.tr31, material: material, wrapping: KeyStrength.WrappingKey(symmetric: kek.algorithm),
                          wrappingDescription: "The KEK's algorithm \(kek.algorithm.rawValue)", field: "\(path).WrappingKeyIdentifier")
        let cryptogram: [UInt8]
        do { cryptogram = try AS2805KeyExchange.wrap(material.bytes, kek: kek.bytes, variant: variant) } catch {
            throw ServiceError.validation("The key cannot be wrapped as an AS2805 cryptogram.", field: path)
        }
        return ControlPlane.ExportKeyOutput(wrappedKey: ControlPlane.WrappedKey(
            wrappingKeyArn: kekRecord.arn, wrappedKeyMaterialFormat: .keyCryptogram, keyMaterial: Bytes.hex(cryptogram),
            keyCheckValue: try material.keyCheckValue(method: .ansiX924), keyCheckValueAlgorithm: .ansiX9_24))
    }

    /// GenerateAs2805KekValidation (AWS API reference; AS 2805.6): KRs and KRr under two variants of a TDES K0 KEK.
    public func generateAs2805KekValidation(_ input: DataPlane.GenerateAs2805KekValidationInput,
                                            context: RequestContext) async throws -> DataPlane.GenerateAs2805KekValidationOutput {
        let (record, material) = try await usableKey(input.keyIdentifier, context, operation: "GenerateAs2805KekValidation")
        try DataKeyChecks.requireUsableState(record)
        try DataKeyChecks.requireUsage(record, in: ["TR31_K0_KEY_ENCRYPTION_KEY"])
        guard let material, material.algorithm.isTDES else {
            throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: record.arn))
        }
        let mask = KeyExchangeNames.mask(input.randomKeySendVariantMask)
        let (request, response) = (mask.requestPattern, mask.responsePattern)
        let send: [UInt8], receive: [UInt8]
        do {
            switch input.kekValidationType {
            case .kekValidationRequest(let r):
                let length: Int
                switch r.deriveKeyAlgorithm {
                case .tdes2Key: length = 16
                case .tdes3Key: length = 24
                default:
                    throw ServiceError.validation("AS2805 KEK validation is TDES only: DeriveKeyAlgorithm must be TDES_2KEY or TDES_3KEY.",
                                                  field: "KekValidationType.KekValidationRequest.DeriveKeyAlgorithm")
                }
                let maximum: Int
                switch r.randomKeyMaxLength {
                case .bytes8?: maximum = 8
                case .bytes16?: maximum = 16
                case .bytes24?: maximum = 24
                case nil: maximum = length
                }
                let random = (0..<min(length, maximum)).map { _ in UInt8.random(in: 0...255) }
                (send, receive) = try AS2805KeyExchange.kekValidation(kek: material.bytes, random: random, requestPattern: request, responsePattern: response)
            case .kekValidationResponse(let r):
                guard let krs = Bytes.fromHex(r.randomKeySend), [8, 16, 24].contains(krs.count) else {
                    throw ServiceError.validation("RandomKeySend must be 16, 32 or 48 hex digits.", field: "KekValidationType.KekValidationResponse.RandomKeySend")
                }
                let random = try AS2805KeyExchange.randomOfSend(kek: material.bytes, send: krs, requestPattern: request)
                send = krs
                receive = try AS2805KeyExchange.kekValidation(kek: material.bytes, random: random, requestPattern: request, responsePattern: response).receive
            }
        } catch let e as ServiceError {
            throw e
        } catch {
            throw ServiceError.validation("The KEK validation cannot be computed with this key.")
        }
        return DataPlane.GenerateAs2805KekValidationOutput(keyArn: record.arn, keyCheckValue: record.keyCheckValue,
                                                           randomKeySend: Bytes.hex(send), randomKeyReceive: Bytes.hex(receive))
    }
}
