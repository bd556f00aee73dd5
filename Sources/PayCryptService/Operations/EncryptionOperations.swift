import Crypto
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import X509
import _CryptoExtras

extension PaymentCryptographyService {
    /// EncryptData (AWS API reference): the `CipherText` of `PlainText` under the key and member
    /// named; the data are whole blocks and never padded (README, Decisions, "Data encryption").
    public func encryptData(_ input: DataPlane.EncryptDataInput, context: RequestContext) async throws -> DataPlane.EncryptDataOutput {
        let plain = try encryptionData(input.plainText, field: "PlainText")
        let member = try EncryptionMember(wire: input.encryptionAttributes, root: "EncryptionAttributes")
        let side = try await encryptionSide(input.keyIdentifier, identifierField: "KeyIdentifier", member: member, wrappedKey: input.wrappedKey,
                                            wrappedField: "WrappedKey", encrypting: true, root: "EncryptionAttributes",
                                            operation: "EncryptData", context)
        let out = try side.run(plain, encrypting: true, dataField: "PlainText")
        return DataPlane.EncryptDataOutput(keyArn: side.keyArn, keyCheckValue: side.keyCheckValue, cipherText: Bytes.hex(out))
    }

    /// DecryptData: the `PlainText` of `CipherText`, nothing stripped.
    public func decryptData(_ input: DataPlane.DecryptDataInput, context: RequestContext) async throws -> DataPlane.DecryptDataOutput {
        let cipherText = try encryptionData(input.cipherText, field: "CipherText")
        let member = try EncryptionMember(wire: input.decryptionAttributes, root: "DecryptionAttributes")
        let side = try await encryptionSide(input.keyIdentifier, identifierField: "KeyIdentifier", member: member, wrappedKey: input.wrappedKey,
                                            wrappedField: "WrappedKey", encrypting: false, root: "DecryptionAttributes",
                                            operation: "DecryptData", context)
        let out = try side.run(cipherText, encrypting: false, dataField: "CipherText")
        return DataPlane.DecryptDataOutput(keyArn: side.keyArn, keyCheckValue: side.keyCheckValue, plainText: Bytes.hex(out))
    }

    /// ReEncryptData: DecryptData with the incoming side, then EncryptData with the outgoing side;
    /// the plaintext stays in the service. The response names the outgoing key.
    public func reEncryptData(_ input: DataPlane.ReEncryptDataInput, context: RequestContext) async throws -> DataPlane.ReEncryptDataOutput {
        let cipherText = try encryptionData(input.cipherText, field: "CipherText")
        // Model documentation: the ciphertext is 16 to 4096 bytes.
        guard cipherText.count >= 16 else {
            throw ServiceError.validation("CipherText must be at least 16 bytes (32 hex digits) for ReEncryptData.", field: "CipherText")
        }
        let incoming = try EncryptionMember(wire: input.incomingEncryptionAttributes, root: "IncomingEncryptionAttributes")
        let outgoing = try EncryptionMember(wire: input.outgoingEncryptionAttributes, root: "OutgoingEncryptionAttributes")
        for (member, root) in [(incoming, "IncomingEncryptionAttributes"), (outgoing, "OutgoingEncryptionAttributes")] {
            // Model: "You must specify a PaddingType" on an Asymmetric side of ReEncryptData.
            if case .asymmetric(.none) = member {
                throw ServiceError.validation("PaddingType is required for an Asymmetric side of ReEncryptData.", field: "\(root).Asymmetric.PaddingType")
            }
        }
        // README, Decisions: a stored D0 key on both sides, or RSA on both sides, is refused.
        let storedSymmetric: (EncryptionMember, DataPlane.WrappedKey?) -> Bool = { member, wrapped in
            if case .symmetric = member { return wrapped == nil }
            return false
        }
        let bothStoredSymmetric = storedSymmetric(incoming, input.incomingWrappedKey) && storedSymmetric(outgoing, input.outgoingWrappedKey)
        if bothStoredSymmetric || (incoming.isAsymmetric && outgoing.isAsymmetric) {
            throw ServiceError.validation(Self.reEncryptPairMessage)
        }
        let inSide = try await encryptionSide(input.incomingKeyIdentifier, identifierField: "IncomingKeyIdentifier", member: incoming,
                                              wrappedKey: input.incomingWrappedKey, wrappedField: "IncomingWrappedKey", encrypting: false,
                                              root: "IncomingEncryptionAttributes", operation: "ReEncryptData", context)
        let outSide = try await encryptionSide(input.outgoingKeyIdentifier, identifierField: "OutgoingKeyIdentifier", member: outgoing,
                                               wrappedKey: input.outgoingWrappedKey, wrappedField: "OutgoingWrappedKey", encrypting: true,
                                               root: "OutgoingEncryptionAttributes", operation: "ReEncryptData", context)
        let plain = try inSide.run(cipherText, encrypting: false, dataField: "CipherText")
        let out = try outSide.run(plain, encrypting: true, dataField: "CipherText")
        return DataPlane.ReEncryptDataOutput(keyArn: outSide.keyArn, keyCheckValue: outSide.keyCheckValue, cipherText: Bytes.hex(out))
    }

    /// The refusal of a ReEncryptData pair (README, Decisions: the reported text of the real service).
    static let reEncryptPairMessage = "KeyUsages not allowed for this operation."

    func encryptionData(_ hex: String, field: String) throws -> [UInt8] {
        guard let bytes = Bytes.fromHex(hex), !bytes.isEmpty else {
            throw ServiceError.validation("\(field) must be an even number of hex digits.", field: field)
        }
        return bytes
    }

    /// The key and cipher of one side of an encryption operation, checked in the order of the
    /// README's Decisions: state and enabled, usage, algorithm, mode of use; then the member's fields.
    func encryptionSide(_ identifier: String, identifierField: String, member: EncryptionMember, wrappedKey: DataPlane.WrappedKey?,
                        wrappedField: String, encrypting: Bool, root: String, operation: String,
                        _ context: RequestContext) async throws -> EncryptionSide {
        let path = "\(root).\(member.name)"
        if let wrappedKey {
            guard case .symmetric(let mode, let iv) = member else {
                throw ServiceError.validation("\(wrappedField) applies to the Symmetric member only.", field: wrappedField)
            }
            return try await wrappedKeySide(identifier, identifierField: identifierField, wrappedKey: wrappedKey, wrappedField: wrappedField,
                                            mode: mode, iv: iv, encrypting: encrypting, path: path, operation: operation, context)
        }
        let (record, material) = try await usableKey(identifier, context, operation: operation)
        let rule = EncryptionKeyRule.rule(for: member)
        try DataKeyChecks.requireUsableState(record)
        try DataKeyChecks.requireUsage(record, in: rule.usages)
        guard rule.algorithms.contains(record.keyAlgorithm) else {
            throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: record.arn))
        }
        try DataKeyChecks.requireMode(record, rule.derives ? .deriveKey : (encrypting ? .encrypt : .decrypt))
        let arn = record.arn, kcv = record.keyCheckValue
        if case .asymmetric(let padding) = member {
            return EncryptionSide(keyArn: arn, keyCheckValue: kcv, cipher: .rsa(try rsaDataKey(record), padding: padding))
        }
        guard let material else { throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: arn)) }
        do {
            switch member {
            case .symmetric(let mode, let iv):
                return EncryptionSide(keyArn: arn, keyCheckValue: kcv, cipher: .symmetric(material, mode: mode, iv: iv, path: path))
            case .dukpt(let d):
                let wk = try DataEncryption.dukptWorkingKey(bdk: material, keySerialNumber: d.keySerialNumber,
                                                            derivationType: d.dukptKeyDerivationType.flatMap { DukptDerivationType(rawValue: $0.rawValue) },
                                                            variant: d.dukptKeyVariant.flatMap { DukptKeyVariant(rawValue: $0.rawValue) }, path: path)
                return EncryptionSide(keyArn: arn, keyCheckValue: kcv,
                                      cipher: .symmetric(wk, mode: d.mode == .ecb ? .ECB : .CBC, iv: d.initializationVector, path: path))
            case .emv(let e):
                let sk = try DataEncryption.emvSessionKey(issuerMasterKey: material,
                                                          option: e.majorKeyDerivationMode == .emvOptionB ? .EMV_OPTION_B : .EMV_OPTION_A,
                                                          pan: e.primaryAccountNumber, psn: e.panSequenceNumber,
                                                          sessionDerivationData: e.sessionDerivationData, path: path)
                return EncryptionSide(keyArn: arn, keyCheckValue: kcv,
                                      cipher: .symmetric(sk, mode: e.mode == .ecb ? .ECB : .CBC, iv: e.initializationVector, path: path))
            case .asymmetric:
                throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: arn))
            }
        } catch let e as DataEncryptionError {
            throw ServiceError.validation(e)
        }
    }

    /// A `WrappedKey`: the TR-31 block unwrapped under the KEK named by the identifier exactly as
    /// ImportKey does; a D0 key of a mode of use that fits the direction (README, Decisions:
    /// B, E or N to encrypt; B, D or N to decrypt). Nothing is stored.
    func wrappedKeySide(_ identifier: String, identifierField: String, wrappedKey: DataPlane.WrappedKey, wrappedField: String,
                        mode: EncryptionMode, iv: String?, encrypting: Bool, path: String, operation: String,
                        _ context: RequestContext) async throws -> EncryptionSide {
        let blockField = "\(wrappedField).WrappedKeyMaterial.Tr31KeyBlock"
        let block: String
        switch wrappedKey.wrappedKeyMaterial {
        case .tr31KeyBlock(let b): block = b
        case .diffieHellmanSymmetricKey(let ecdh):
            // AWS API reference, `WrappedKeyMaterial.DiffieHellmanSymmetricKey`: the identifier names a K3 key pair; the ECDH-derived key
            // takes the place of the data key; DeriveKeyUsage D0 bounds it.
            let inputs = ECDHInputs(ecdh, identifier: identifier, identifierField: identifierField,
                                    path: "\(wrappedField).WrappedKeyMaterial.DiffieHellmanSymmetricKey")
            let derived = try await ecdhDerivedKey(inputs, use: .data, operation: operation, context)
            let kcv = try workingKeyCheckValue(derived.material, method: wrappedKey.keyCheckValueAlgorithm?.rawValue,
                                               field: "\(wrappedField).KeyCheckValueAlgorithm")
            return EncryptionSide(keyArn: derived.keyPair.arn, keyCheckValue: kcv,
                                  cipher: .symmetric(derived.material, mode: mode, iv: iv, path: path))
        }
        let (kek, kbpk) = try await keyBlockProtectionKey(identifier, field: identifierField, unwrap: true, operation: operation, context)
        let unwrapped: TR31UnwrappedKey
        do {
            unwrapped = try TR31KeyBlock.unwrap(block, using: kbpk)
        } catch {
            throw ServiceError.validation("The TR-31 key block was refused: \(error).", field: blockField)
        }
        let header = unwrapped.header
        if header.version != .d, header.algorithm != .tdes {
            throw ServiceError.validation("A TR-31 version \(header.version.rawValue) key block carries only TDES keys.", field: blockField)
        }
        guard header.keyUsage.rawValue == "D0" else {
            throw ServiceError.validation("The TR-31 key block must hold a D0 (symmetric data encryption) key; it holds \(header.keyUsage.rawValue).", field: blockField)
        }
        let allowed: Set<String> = encrypting ? ["B", "E", "N"] : ["B", "D", "N"]
        guard allowed.contains(header.modeOfUse.rawValue) else {
            throw ServiceError.validation("The TR-31 key block's mode of use \(header.modeOfUse.rawValue) does not allow \(encrypting ? "encryption (B, E or N)" : "decryption (B, D or N)").", field: blockField)
        }
        guard let algorithm = TR31Mapping.awsAlgorithm(header, keyLength: unwrapped.key.count), algorithm.isTDES || algorithm.isAES,
              let material = try? SymmetricKeyMaterial(algorithm: algorithm, bytes: unwrapped.key) else {
            throw ServiceError.validation("The TR-31 key block must hold a TDES or AES key.", field: blockField)
        }
        let kcvField = "\(wrappedField).KeyCheckValueAlgorithm"
        let method: KeyCheckValue.Method?
        switch wrappedKey.keyCheckValueAlgorithm {
        case nil: method = nil
        case .some(let m):
            guard let parsed = KeyCheckValue.Method(rawValue: m.rawValue), parsed != .hmac else {
                throw ServiceError.validation("KeyCheckValueAlgorithm must be ANSI_X9_24 or CMAC for a wrapped data key.", field: kcvField)
            }
            method = parsed
        }
        let kcv: String
        do { kcv = try material.keyCheckValue(method: method) } catch {
            throw ServiceError.validation("KeyCheckValueAlgorithm \(method?.rawValue ?? "") is not defined for a \(algorithm.rawValue) key.", field: kcvField)
        }
        return EncryptionSide(keyArn: kek.arn, keyCheckValue: kcv, cipher: .symmetric(material, mode: mode, iv: iv, path: path))
    }

    /// The RSA key of a D1 key: a key pair's stored private key, or an imported PUBLIC_KEY's
    /// certificate (encrypt only; its modes of use already exclude Decrypt).
    func rsaDataKey(_ record: KeyRecord) throws -> RSADataKey {
        let material: [UInt8]
        do { material = try masterKey.open(record.sealedMaterial, context: record.arn) } catch {
            throw ServiceError(.internalServer, "The key material of \(record.arn) cannot be read with this server's master key.")
        }
        if record.keyClass == "ASYMMETRIC_KEY_PAIR" {
            guard let pair = try? ImportWrappingKey(derRepresentation: material) else {
                throw ServiceError(.internalServer, "The key pair of \(record.arn) cannot be read.")
            }
            return RSADataKey(publicKeyDER: pair.publicKeyDER, byteCount: pair.size.byteCount, pair: pair)
        }
        guard let certificate = try? Certificate(derEncoded: material), let publicKey = _RSA.Signing.PublicKey(certificate.publicKey) else {
            throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: record.arn))
        }
        return RSADataKey(publicKeyDER: Array(publicKey.derRepresentation), byteCount: publicKey.keySizeInBits / 8, pair: nil)
    }
}

extension ServiceError {
    /// The ValidationException of an algorithm-layer refusal, naming its field.
    static func validation(_ refusal: some FieldRefusal) -> ServiceError {
        validation(refusal.message, field: refusal.field)
    }
}

/// One member of `EncryptionDecryptionAttributes` / `ReEncryptionAttributes`, already validated
/// against the model.
enum EncryptionMember: Sendable {
    case symmetric(EncryptionMode, iv: String?)
    case asymmetric(DataPlane.PaddingType?)
    case dukpt(DataPlane.DukptEncryptionAttributes)
    case emv(DataPlane.EmvEncryptionAttributes)

    /// The member's wire name.
    var name: String {
        switch self {
        case .symmetric: "Symmetric"
        case .asymmetric: "Asymmetric"
        case .dukpt: "Dukpt"
        case .emv: "Emv"
        }
    }

    var isAsymmetric: Bool {
        if case .asymmetric = self { return true }
        return false
    }

    init(wire: DataPlane.EncryptionDecryptionAttributes, root: String) throws {
        switch wire {
        case .symmetric(let s): self = try .init(s, path: "\(root).Symmetric")
        case .asymmetric(let a): self = .asymmetric(a.paddingType)
        case .dukpt(let d): self = .dukpt(d)
        case .emv(let e): self = .emv(e)
        }
    }

    init(wire: DataPlane.ReEncryptionAttributes, root: String) throws {
        switch wire {
        case .symmetric(let s): self = try .init(s, path: "\(root).Symmetric")
        case .asymmetric(let a): self = .asymmetric(a.paddingType)
        case .dukpt(let d): self = .dukpt(d)
        }
    }

    /// `PaddingType` on `Symmetric` is accepted and ignored (README, Decisions).
    private init(_ s: DataPlane.SymmetricEncryptionAttributes, path: String) throws {
        // The wire enum and the algorithm layer's enum share their raw values (the model's); a value
        // the model gains before paycrypt supports it is refused, never replaced.
        guard let mode = EncryptionMode(rawValue: s.mode.rawValue) else {
            throw ServiceError.validation("Mode \(s.mode.rawValue) is not supported by paycrypt.", field: "\(path).Mode")
        }
        self = .symmetric(mode, iv: s.initializationVector)
    }
}

/// Which key each encryption member takes (AWS user guide, "Valid keys for cryptographic
/// operations", and the README's Decisions). The one place to change a key rule.
struct EncryptionKeyRule: Sendable {
    let usages: [String]
    let algorithms: [String]
    /// True when the key derives the working key (DeriveKey), false when it ciphers (Encrypt/Decrypt).
    let derives: Bool

    static let symmetric = EncryptionKeyRule(usages: ["TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY"],
                                             algorithms: ["TDES_2KEY", "TDES_3KEY", "AES_128", "AES_192", "AES_256"], derives: false)
    static let asymmetric = EncryptionKeyRule(usages: ["TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION"],
                                              algorithms: ["RSA_2048", "RSA_3072", "RSA_4096"], derives: false)
    /// Decision: no TDES_3KEY BDK for data encryption.
    static let dukpt = EncryptionKeyRule(usages: ["TR31_B0_BASE_DERIVATION_KEY"],
                                         algorithms: ["TDES_2KEY", "AES_128", "AES_192", "AES_256"], derives: true)
    static let emv = EncryptionKeyRule(usages: ["TR31_E1_EMV_MKEY_CONFIDENTIALITY", "TR31_E6_EMV_MKEY_OTHER"],
                                       algorithms: ["TDES_2KEY"], derives: true)

    static func rule(for member: EncryptionMember) -> EncryptionKeyRule {
        switch member {
        case .symmetric: symmetric
        case .asymmetric: asymmetric
        case .dukpt: dukpt
        case .emv: emv
        }
    }
}

/// One side of an encryption operation: the key named in the response and its cipher.
struct EncryptionSide: Sendable {
    enum Cipher: Sendable {
        case symmetric(SymmetricKeyMaterial, mode: EncryptionMode, iv: String?, path: String)
        case rsa(RSADataKey, padding: DataPlane.PaddingType?)
    }

    let keyArn: String
    let keyCheckValue: String
    let cipher: Cipher

    func run(_ data: [UInt8], encrypting: Bool, dataField: String) throws -> [UInt8] {
        switch cipher {
        case .symmetric(let key, let mode, let iv, let path):
            do {
                return try DataEncryption.symmetric(data, key: key, mode: mode, initializationVector: iv, encrypting: encrypting,
                                                    dataField: dataField, path: path)
            } catch {
                throw ServiceError.validation(error)
            }
        case .rsa(let key, let padding):
            return try RSADataEncryption.run(data, key: key, padding: padding, encrypting: encrypting, dataField: dataField)
        }
    }
}
