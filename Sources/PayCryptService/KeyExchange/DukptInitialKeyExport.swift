import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// ExportKey with `ExportAttributes.ExportDukptInitialKey` (AWS API reference, ExportKey; ANSI X9.24): instead of
    /// the B0 BDK, the initial key of `KeySerialNumber` leaves as a TR-31 block under a K0/K1 KEK
    /// (never stored): a TDES BDK gives the ANSI X9.24-1:2009 IPEK (TDES_2KEY, KSN of 20 hex
    /// digits, counter bits ignored), an AES BDK the ANSI X9.24-3:2017 initial key (KSN of 24 hex
    /// digits, Initial Key ID = its first 16). Header: usage B1, algorithm T or A, mode X, version
    /// 00, exportability E, and the optional block KS (the initial KSN, counter bits zero) or IK
    /// (the Initial Key ID), as ANSI X9.143 defines them (their use here is a decision).
    func exportDukptInitialKey(_ ik: ControlPlane.ExportDukptInitialKey, kcvAlgorithm: String?, tr31: ControlPlane.ExportTr31KeyBlock,
                               record: KeyRecord, material: SymmetricKeyMaterial, context: RequestContext) async throws -> ControlPlane.ExportKeyOutput {
        let ksnField = "ExportAttributes.ExportDukptInitialKey.KeySerialNumber"
        guard record.keyUsage == "TR31_B0_BASE_DERIVATION_KEY" else {
            throw ServiceError.validation("ExportDukptInitialKey needs a TR31_B0_BASE_DERIVATION_KEY; \(record.arn) is \(record.keyUsage).", field: "ExportKeyIdentifier")
        }
        guard record.modes.deriveKey || record.modes.noRestrictions else {
            throw ServiceError.validation("KeyModesOfUse of the BDK \(record.arn) does not allow DeriveKey.", field: "ExportKeyIdentifier")
        }
        guard var ksn = Bytes.fromHex(ik.keySerialNumber) else {
            throw ServiceError.validation("KeySerialNumber must be hex.", field: ksnField)
        }
        let initial: SymmetricKeyMaterial
        let algorithmLetter: TR31Algorithm
        let optional: TR31OptionalBlock
        do {
            if material.algorithm.isTDES {
                guard ksn.count == 10 else {
                    throw ServiceError.validation("A TDES BDK takes a KeySerialNumber of 20 hex digits; this one has \(ksn.count * 2).", field: ksnField)
                }
                initial = try SymmetricKeyMaterial(algorithm: .TDES_2KEY, bytes: try TDESDUKPT.initialKey(bdk: material.bytes, ksn: ksn))
                ksn[7] &= 0xE0
                ksn[8] = 0
                ksn[9] = 0
                algorithmLetter = .tdes
                optional = try TR31OptionalBlock(id: .keySerialNumber, data: Bytes.hex(ksn))
            } else if material.algorithm.isAES {
                guard ksn.count == 12 else {
                    throw ServiceError.validation("An AES BDK takes a KeySerialNumber of 24 hex digits; this one has \(ksn.count * 2).", field: ksnField)
                }
                let id = Array(ksn[0..<8])
                initial = try SymmetricKeyMaterial(algorithm: material.algorithm, bytes: try AESDUKPT.initialKey(bdk: material.bytes, initialKeyID: id))
                algorithmLetter = .aes
                optional = try TR31OptionalBlock(id: .initialKeyIdentifier, data: Bytes.hex(id))
            } else {
                throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: record.arn), field: "ExportKeyIdentifier")
            }
        } catch let e as ServiceError {
            throw e
        } catch {
            throw ServiceError.validation("The initial key cannot be derived from this BDK and KeySerialNumber.", field: ksnField)
        }
        let path = "KeyMaterial.Tr31KeyBlock"
        let kek = try await tr31ExportKEK(tr31.wrappingKeyIdentifier, protecting: initial, field: "\(path).WrappingKeyIdentifier",
                                          operation: "ExportKey", context)
        let header = TR31Header(version: kek.version, keyUsage: .initialDUKPTKey, algorithm: algorithmLetter,
                                modeOfUse: .deriveKeys, keyVersionNumber: .unused, exportability: .exportable, optionalBlocks: [optional])
        let block: String
        do { block = try TR31KeyBlock.wrap(initial.bytes, header: header, using: kek.kbpk) } catch {
            throw ServiceError.validation("The initial key cannot be wrapped as a TR-31 key block: \(error).", field: path)
        }
        let kcvField = "ExportAttributes.KeyCheckValueAlgorithm"
        let kcv = try workingKeyCheckValue(initial, method: kcvAlgorithm, field: kcvField)
        let method = kcvAlgorithm ?? initial.algorithm.defaultKeyCheckValueMethod.rawValue
        return ControlPlane.ExportKeyOutput(wrappedKey: ControlPlane.WrappedKey(
            wrappingKeyArn: kek.record.arn, wrappedKeyMaterialFormat: .tr31KeyBlock, keyMaterial: block,
            keyCheckValue: kcv, keyCheckValueAlgorithm: try wireEnum(method)))
    }
}
