import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// The TR-31 key block protection key an ECDH-derived key gives: version B under a TDES key,
    /// D under an AES key (ANSI X9.143 / TR-31; AWS's Go sample mapping; README Decisions, "ECDH key blocks").
    func ecdhKBPK(_ derived: ECDHDerivedKey, field: String) throws -> (TR31ProtectionKey, TR31Version) {
        do {
            let kbpk = derived.material.algorithm.isTDES ? try TR31ProtectionKey(tdes: derived.material.bytes)
                                                         : try TR31ProtectionKey(aes: derived.material.bytes)
            return (kbpk, tr31Version(under: kbpk))
        } catch {
            throw ServiceError.validation("The ECDH-derived key cannot protect a TR-31 key block.", field: field)
        }
    }

    /// Opens a TR-31 block under an ECDH-derived KBPK: the MAC, the version for the KBPK, the key's
    /// strength against the KBPK (ANSI X9.143 / TR-31; README "Key strength").
    func openECDHBlock(_ block: String, derived: ECDHDerivedKey, field: String) throws -> TR31UnwrappedKey {
        let (kbpk, version) = try ecdhKBPK(derived, field: field)
        let unwrapped: TR31UnwrappedKey
        do {
            unwrapped = try TR31KeyBlock.unwrap(block, using: kbpk)
        } catch {
            let reason = String(describing: error)
            throw ServiceError.validation("The TR-31 key block was refused under the ECDH-derived \(derived.material.algorithm.rawValue) key: "
                                          + "\(reason.hasSuffix(".") ? String(reason.dropLast()) : reason). "
                                          + "A different SharedInformation, KDF, hash or certificate gives another key, so the MAC fails.", field: field)
        }
        guard unwrapped.header.version == version else {
            throw ServiceError.validation("Under an ECDH-derived \(derived.material.algorithm.rawValue) key the TR-31 block must be version \(version.rawValue); it is \(unwrapped.header.version.rawValue).",
                                          field: field)
        }
        if let algorithm = TR31Mapping.awsAlgorithm(unwrapped.header, keyLength: unwrapped.key.count),
           let material = try? SymmetricKeyMaterial(algorithm: algorithm, bytes: unwrapped.key) {
            try checkStrength(.tr31, material: material, wrapping: KeyStrength.WrappingKey(symmetric: derived.material.algorithm),
                              wrappingDescription: "The ECDH-derived key's algorithm \(derived.material.algorithm.rawValue)", field: field)
        }
        return unwrapped
    }

    /// ImportKey with `DiffieHellmanTr31KeyBlock` (AWS API reference, ImportKey): the block under the ECDH-derived
    /// key, then exactly as ImportKey `Tr31KeyBlock`.
    func importECDH(_ b: ControlPlane.ImportDiffieHellmanTr31KeyBlock, input: ControlPlane.ImportKeyInput,
                    context: RequestContext) async throws -> ControlPlane.ImportKeyOutput {
        let path = "KeyMaterial.DiffieHellmanTr31KeyBlock"
        let derived = try await ecdhDerivedKey(ECDHInputs(b, path: path), use: .keyBlock, operation: "ImportKey", context)
        let field = "\(path).WrappedKeyBlock"
        let unwrapped = try openECDHBlock(b.wrappedKeyBlock, derived: derived, field: field)
        return try await insertFromHeader(unwrapped.header, key: unwrapped.key, input: input, field: field, context: context)
    }

    /// ExportKey with `DiffieHellmanTr31KeyBlock` (AWS API reference, ExportKey): the key as a TR-31 block under the
    /// ECDH-derived key, header as ExportKey `Tr31KeyBlock`; `WrappingKeyArn` names the key pair.
    func exportECDH(_ d: ControlPlane.ExportDiffieHellmanTr31KeyBlock, record: KeyRecord, material: SymmetricKeyMaterial,
                    context: RequestContext) async throws -> ControlPlane.ExportKeyOutput {
        let path = "KeyMaterial.DiffieHellmanTr31KeyBlock"
        let derived = try await ecdhDerivedKey(ECDHInputs(d, path: path), use: .keyBlock, operation: "ExportKey", context)
        // A derived key weaker than the key it carries is refused (README "Key strength" and Decisions, "ECDH key blocks").
        try checkStrength(.tr31, material: material, wrapping: KeyStrength.WrappingKey(symmetric: derived.material.algorithm),
                          wrappingDescription: "The ECDH-derived key's algorithm \(derived.material.algorithm.rawValue)", field: "\(path).DeriveKeyAlgorithm")
        let (kbpk, _) = try ecdhKBPK(derived, field: "\(path).DeriveKeyAlgorithm")
        let block = try tr31ExportBlock(record: record, material: material, headers: d.keyBlockHeaders, kbpk: kbpk, path: path)
        return ControlPlane.ExportKeyOutput(wrappedKey: ControlPlane.WrappedKey(
            wrappingKeyArn: derived.keyPair.arn, wrappedKeyMaterialFormat: .tr31KeyBlock, keyMaterial: block,
            keyCheckValue: record.keyCheckValue, keyCheckValueAlgorithm: try wireEnum(record.keyCheckValueAlgorithm)))
    }

    /// TranslateKeyMaterial (AWS API reference; README Decisions, "TranslateKeyMaterial"): the ECDH block is opened as for ImportKey, nothing is
    /// stored, and the key is wrapped again under a K0/K1 KEK with Wrap; the outgoing header keeps
    /// the incoming usage, algorithm, mode, key version, exportability and HM block (decision).
    public func translateKeyMaterial(_ input: DataPlane.TranslateKeyMaterialInput, context: RequestContext) async throws -> DataPlane.TranslateKeyMaterialOutput {
        let inPath = "IncomingKeyMaterial.DiffieHellmanTr31KeyBlock"
        guard case .diffieHellmanTr31KeyBlock(let incoming) = input.incomingKeyMaterial else {
            throw ServiceError.validation("IncomingKeyMaterial must be DiffieHellmanTr31KeyBlock.", field: "IncomingKeyMaterial")
        }
        guard case .tr31KeyBlock(let outgoing) = input.outgoingKeyMaterial else {
            throw ServiceError.validation("OutgoingKeyMaterial must be Tr31KeyBlock.", field: "OutgoingKeyMaterial")
        }
        let derived = try await ecdhDerivedKey(ECDHInputs(incoming, path: inPath), use: .keyBlock, operation: "TranslateKeyMaterial", context)
        let inField = "\(inPath).WrappedKeyBlock"
        let unwrapped = try openECDHBlock(incoming.wrappedKeyBlock, derived: derived, field: inField)
        let h = unwrapped.header
        guard let algorithm = TR31Mapping.awsAlgorithm(h, keyLength: unwrapped.key.count),
              let material = try? SymmetricKeyMaterial(algorithm: algorithm, bytes: unwrapped.key) else {
            throw ServiceError.validation("The key block's algorithm \(h.algorithm.rawValue) with a \(unwrapped.key.count)-byte key is not a supported symmetric key.", field: inField)
        }
        let outField = "OutgoingKeyMaterial.Tr31KeyBlock.WrappingKeyIdentifier"
        let kek = try await tr31ExportKEK(outgoing.wrappingKeyIdentifier, protecting: material, field: outField,
                                          operation: "TranslateKeyMaterial", context)
        let kcv = try workingKeyCheckValue(material, method: input.keyCheckValueAlgorithm?.rawValue, field: "KeyCheckValueAlgorithm")
        let header = TR31Header(version: kek.version, keyUsage: h.keyUsage, algorithm: h.algorithm, modeOfUse: h.modeOfUse,
                                keyVersionNumber: h.keyVersionNumber, exportability: h.exportability,
                                optionalBlocks: h.optionalBlocks.filter { $0.id == .hmacHash })
        let block: String
        do {
            block = try TR31KeyBlock.wrap(material.bytes, header: header, using: kek.kbpk)
        } catch {
            throw ServiceError.validation("The key cannot be wrapped as a TR-31 key block: \(error).", field: "OutgoingKeyMaterial.Tr31KeyBlock")
        }
        logger.info("key material translated", metadata: ["keyPairArn": "\(derived.keyPair.arn)", "wrappingKeyArn": "\(kek.record.arn)"])
        return DataPlane.TranslateKeyMaterialOutput(wrappedKey: DataPlane.WrappedWorkingKey(
            wrappedKeyMaterial: block, keyCheckValue: kcv, wrappedKeyMaterialFormat: .tr31KeyBlock))
    }
}
