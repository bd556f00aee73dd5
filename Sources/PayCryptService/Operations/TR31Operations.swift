import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// The TR-31 key block protection key of a wrapping key (K0 or K1) that allows `unwrap`/`wrap`.
    func keyBlockProtectionKey(_ identifier: String, field: String, unwrap: Bool, operation: String,
                               _ context: RequestContext) async throws -> (KeyRecord, TR31ProtectionKey) {
        let (record, material) = try await usableKey(identifier, context, operation: operation)
        let arn = record.arn
        guard record.state == .CREATE_COMPLETE, record.enabled else {
            throw ServiceError.validation("The wrapping key \(arn) is \(record.state == .CREATE_COMPLETE ? "disabled" : "not usable (\(record.state.rawValue))").", field: field)
        }
        guard record.keyUsage == "TR31_K0_KEY_ENCRYPTION_KEY" || record.keyUsage == "TR31_K1_KEY_BLOCK_PROTECTION_KEY" else {
            throw ServiceError.validation("KeyUsage of the wrapping key \(arn) is invalid for the operation: a TR-31 key block needs a TR31_K0 or TR31_K1 key.", field: field)
        }
        let m = record.modes
        guard m.noRestrictions || (unwrap ? m.unwrap : m.wrap) else {
            throw ServiceError.validation("KeyModesOfUse of the wrapping key \(arn) does not allow \(unwrap ? "Unwrap" : "Wrap").", field: field)
        }
        guard let material else { throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: arn), field: field) }
        do {
            if material.algorithm.isTDES { return (record, try TR31ProtectionKey(tdes: material.bytes)) }
            if material.algorithm.isAES { return (record, try TR31ProtectionKey(aes: material.bytes)) }
        } catch {}
        throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: arn), field: field)
    }

    /// The KEK of every TR-31 export (ExportKey `Tr31KeyBlock`, `ExportDukptInitialKey`,
    /// TranslateKeyMaterial): a K0/K1 key with Wrap (or NoRestrictions) at least as strong as the
    /// key it carries (README, "Key strength"), and the version its blocks take (``tr31Version(under:)``).
    func tr31ExportKEK(_ identifier: String, protecting material: SymmetricKeyMaterial, field: String, operation: String,
                       _ context: RequestContext) async throws -> (record: KeyRecord, kbpk: TR31ProtectionKey, version: TR31Version) {
        let (record, kbpk) = try await keyBlockProtectionKey(identifier, field: field, unwrap: false, operation: operation, context)
        try checkStrength(.tr31, material: material,
                          wrapping: PaymentCryptography.KeyAlgorithm(rawValue: record.keyAlgorithm).flatMap { KeyStrength.WrappingKey(symmetric: $0) },
                          wrappingDescription: "The wrapping key's algorithm \(record.keyAlgorithm)", field: field)
        return (record, kbpk, tr31Version(under: kbpk))
    }

    /// The TR-31 version paycrypt writes under a KBPK: D (AES key derivation binding) under an AES
    /// key, B (TDES key derivation binding) under a TDES key (ANSI X9.143 / TR-31:2018 §5.1; README
    /// Decisions, "ECDH key blocks"); the one place of that choice.
    func tr31Version(under kbpk: TR31ProtectionKey) -> TR31Version {
        kbpk.algorithm == .aes ? .d : .b
    }

    /// ImportKey with `Tr31KeyBlock`: the key block is unwrapped under a K0/K1 key in the service;
    /// the new key's attributes come from the block header.
    func importTR31(_ block: ControlPlane.ImportTr31KeyBlock, input: ControlPlane.ImportKeyInput, context: RequestContext) async throws -> ControlPlane.ImportKeyOutput {
        let path = "KeyMaterial.Tr31KeyBlock"
        let (wrapping, kbpk) = try await keyBlockProtectionKey(block.wrappingKeyIdentifier, field: "\(path).WrappingKeyIdentifier",
                                                               unwrap: true, operation: "ImportKey", context)
        let unwrapped: TR31UnwrappedKey
        do {
            unwrapped = try TR31KeyBlock.unwrap(block.wrappedKeyBlock, using: kbpk)
        } catch {
            throw ServiceError.validation("The TR-31 key block was refused: \(error).", field: "\(path).WrappedKeyBlock")
        }
        let field = "\(path).WrappedKeyBlock"
        // A TDES key block (versions A, B, C: TDES binding, TR-31:2018 §5.1) carries only TDES keys.
        if unwrapped.header.version != .d, unwrapped.header.algorithm != .tdes {
            throw ServiceError.validation("A TR-31 version \(unwrapped.header.version.rawValue) key block carries only TDES keys; "
                                          + "this one carries algorithm \(unwrapped.header.algorithm.rawValue). Use version D under an AES wrapping key.", field: field)
        }
        // The wrapping key must be at least as strong as the key (README, "Key strength").
        if let algorithm = TR31Mapping.awsAlgorithm(unwrapped.header, keyLength: unwrapped.key.count),
           let material = try? SymmetricKeyMaterial(algorithm: algorithm, bytes: unwrapped.key) {
            try checkStrength(.tr31, material: material, wrapping: PaymentCryptography.KeyAlgorithm(rawValue: wrapping.keyAlgorithm).flatMap { KeyStrength.WrappingKey(symmetric: $0) },
                              wrappingDescription: "The wrapping key's algorithm \(wrapping.keyAlgorithm)", field: field)
        }
        return try await insertFromHeader(unwrapped.header, key: unwrapped.key, input: input, field: field, context: context)
    }

    /// ExportKey: a key wrapped as a TR-31 key block under a K0/K1 key in the service (version D
    /// for an AES wrapping key, B for TDES). `Exportable: false` keys are never exported.
    public func exportKey(_ input: ControlPlane.ExportKeyInput, context: RequestContext) async throws -> ControlPlane.ExportKeyOutput {
        // The key is resolved once; every export below works on this record and material.
        let (record, material) = try await usableKey(input.exportKeyIdentifier, context, operation: "ExportKey")
        var output = try await exportKeyMaterial(input, record: record, material: material, context: context)
        // `ExportAttributes.KeyCheckValueAlgorithm` without ExportDukptInitialKey: the exported key's
        // check value by that method (model: "the algorithm ... to calculate the key check value").
        if input.exportAttributes?.exportDukptInitialKey == nil, let method = input.exportAttributes?.keyCheckValueAlgorithm, let material {
            output.wrappedKey?.keyCheckValue = try await namingField {
                try workingKeyCheckValue(material, method: method.rawValue, field: "ExportAttributes.KeyCheckValueAlgorithm")
            }
            output.wrappedKey?.keyCheckValueAlgorithm = method
        }
        return output
    }

    /// ExportKey by `KeyMaterial` (and `ExportDukptInitialKey`) of the resolved key.
    func exportKeyMaterial(_ input: ControlPlane.ExportKeyInput, record: KeyRecord, material: SymmetricKeyMaterial?,
                           context: RequestContext) async throws -> ControlPlane.ExportKeyOutput {
        guard record.state == .CREATE_COMPLETE else {
            throw ServiceError.validation("Key \(record.arn) is \(record.state.rawValue) and cannot be exported.", field: "ExportKeyIdentifier")
        }
        guard record.exportable else {
            throw ServiceError.validation("Key \(record.arn) is not exportable (Exportable is false).", field: "ExportKeyIdentifier")
        }
        guard let material else { throw ServiceError.validation("Key \(record.arn) is not a symmetric key.", field: "ExportKeyIdentifier") }
        if let ik = input.exportAttributes?.exportDukptInitialKey {
            guard case .tr31KeyBlock(let t) = input.keyMaterial else {
                throw ServiceError.validation("ExportDukptInitialKey exports the initial key as a TR-31 key block: use KeyMaterial.Tr31KeyBlock.", field: "ExportAttributes.ExportDukptInitialKey")
            }
            return try await namingField {
                try await exportDukptInitialKey(ik, kcvAlgorithm: input.exportAttributes?.keyCheckValueAlgorithm?.rawValue, tr31: t,
                                                record: record, material: material, context: context)
            }
        }
        let tr31: ControlPlane.ExportTr31KeyBlock
        switch input.keyMaterial {
        case .tr31KeyBlock(let t): tr31 = t
        case .tr34KeyBlock(let t): return try await exportTR34(t, record: record, material: material, context: context)
        case .keyCryptogram(let k): return try await exportKeyCryptogram(k, record: record, material: material, context: context)
        case .diffieHellmanTr31KeyBlock(let d): return try await namingField { try await exportECDH(d, record: record, material: material, context: context) }
        case .as2805KeyCryptogram(let c): return try await namingField { try await exportAS2805(c, record: record, material: material, context: context) }
        }
        let path = "KeyMaterial.Tr31KeyBlock"
        let kek = try await tr31ExportKEK(tr31.wrappingKeyIdentifier, protecting: material, field: "\(path).WrappingKeyIdentifier",
                                          operation: "ExportKey", context)
        let block = try tr31ExportBlock(record: record, material: material, headers: tr31.keyBlockHeaders, kbpk: kek.kbpk, path: path)
        return ControlPlane.ExportKeyOutput(wrappedKey: ControlPlane.WrappedKey(
            wrappingKeyArn: kek.record.arn, wrappedKeyMaterialFormat: .tr31KeyBlock, keyMaterial: block,
            keyCheckValue: record.keyCheckValue, keyCheckValueAlgorithm: try wireEnum(record.keyCheckValueAlgorithm)))
    }

    /// The TR-31 block of a key leaving the service under `kbpk` (version D under an AES KBPK, B
    /// under TDES): header usage, algorithm (with its HM block), mode and exportability from the
    /// key, narrowed by `KeyBlockHeaders` (README, Decisions: "Export narrows only").
    func tr31ExportBlock(record: KeyRecord, material: SymmetricKeyMaterial, headers: ControlPlane.KeyBlockHeaders?,
                         kbpk: TR31ProtectionKey, path: String) throws -> String {
        guard let usageCode = TR31Mapping.usageCode(record.keyUsage), let usage = TR31KeyUsage(rawValue: usageCode) else {
            throw ServiceError.validation("KeyUsage \(record.keyUsage) has no TR-31 code.", field: "ExportKeyIdentifier")
        }
        // KeyBlockHeaders narrow, never widen (README, Decisions: "Export narrows only").
        let modes = try exportModes(headers?.keyModesOfUse, record: record, field: "\(path).KeyBlockHeaders.KeyModesOfUse")
        let exportability = try exportExportability(headers?.keyExportability, record: record, field: "\(path).KeyBlockHeaders.KeyExportability")
        var version = TR31KeyVersionNumber.unused
        var optional: [TR31OptionalBlock] = []
        let (algorithm, hm) = TR31Mapping.tr31Algorithm(material.algorithm)
        if let headers {
            if let v = headers.keyVersion {
                guard let parsed = TR31KeyVersionNumber(rawValue: v) else {
                    throw ServiceError.validation("KeyVersion must be 2 characters.", field: "\(path).KeyBlockHeaders.KeyVersion")
                }
                version = parsed
            }
            for (id, data) in (headers.optionalBlocks ?? [:]).sorted(by: { $0.key < $1.key }) {
                do {
                    guard let blockId = TR31OptionalBlockID(rawValue: id) else { throw ServiceError.validation("bad id") }
                    optional.append(try TR31OptionalBlock(id: blockId, data: data))
                } catch {
                    throw ServiceError.validation("Optional block \(id) is not valid.", field: "\(path).KeyBlockHeaders.OptionalBlocks")
                }
            }
            // The HM block names the HMAC key's hash: an override may not change what the key is.
            if let given = optional.first(where: { $0.id == .hmacHash }), given.data != hm {
                throw ServiceError.validation("KeyBlockHeaders.OptionalBlocks may not set an HM block other than the key's own hash\(hm.map { " (\($0))" } ?? "").",
                                              field: "\(path).KeyBlockHeaders.OptionalBlocks")
            }
        }
        if let hm, !optional.contains(where: { $0.id == .hmacHash }) {
            if let block = try? TR31OptionalBlock(id: .hmacHash, data: hm) { optional.insert(block, at: 0) }
        }
        guard let mode = TR31Mapping.modeOfUse(modes) else {
            throw ServiceError.validation("KeyModesOfUse \(modes.names.sorted()) have no TR-31 mode of use.", field: "\(path).KeyBlockHeaders.KeyModesOfUse")
        }
        let header = TR31Header(version: tr31Version(under: kbpk), keyUsage: usage, algorithm: algorithm, modeOfUse: mode,
                                keyVersionNumber: version, exportability: exportability, optionalBlocks: optional)
        let block: String
        do {
            block = try TR31KeyBlock.wrap(material.bytes, header: header, using: kbpk)
        } catch {
            throw ServiceError.validation("The key cannot be wrapped as a TR-31 key block: \(error).", field: path)
        }
        return block
    }
}
