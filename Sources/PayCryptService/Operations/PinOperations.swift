import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// GeneratePinData (AWS API reference): a PIN, PVV or offset with the PIN block under the
    /// encryption key; README "Supported PIN members" and Decisions (rows "PIN: ...").
    public func generatePinData(_ input: DataPlane.GeneratePinDataInput,
                                context: RequestContext) async throws -> DataPlane.GeneratePinDataOutput {
        let operation = "GeneratePinData"
        let format = PinBlockFormat(wire: input.pinBlockFormat)
        let member = input.generationAttributes
        let reads = member.readsPinBlock
        let (pvkRecord, pvk) = try await pinVerificationKey(input.generationKeyIdentifier, usage: member.verificationKeyUsage,
                                                            mode: .generate, operation: operation, context)
        let source = try pinKeySource(wrapped: input.encryptionWrappedKey, wrappedField: "EncryptionWrappedKey")
        let enc = try await pinWorkingKey(input.encryptionKeyIdentifier, source: source, format: format,
                                          read: reads, write: true, operation: operation, context)
        let pan = input.primaryAccountNumber
        do throws(PinError) {
            let root = "GenerationAttributes"
            let pin: String
            let pinData: DataPlane.PinData
            var block: String?
            switch member {
            case .visaPin(let a):
                try PinRules.requirePAN(pan)
                pin = RandomPin.make(length: input.pinDataLength ?? PinRules.defaultLength)
                pinData = .verificationValue(try VisaPVV.pvv(key: pvk, pin: pin, pan: pan ?? "", pvki: a.pinVerificationKeyIndex,
                                                             pinField: "PinDataLength", panField: "PrimaryAccountNumber",
                                                             pvkiField: "\(root).VisaPin.PinVerificationKeyIndex"))
            case .visaPinVerificationValue(let a):
                let path = "\(root).VisaPinVerificationValue"
                try PinRules.requirePAN(pan)
                pin = try PinBlockCipher.decipher(a.encryptedPinBlock, pan: pan, format: format, key: enc.key,
                                                  blockField: "\(path).EncryptedPinBlock", panField: "PrimaryAccountNumber")
                try PinRules.requireLength(input.pinDataLength, of: pin)
                block = a.encryptedPinBlock.uppercased()
                pinData = .verificationValue(try VisaPVV.pvv(key: pvk, pin: pin, pan: pan ?? "", pvki: a.pinVerificationKeyIndex,
                                                             pinField: "\(path).EncryptedPinBlock", panField: "PrimaryAccountNumber",
                                                             pvkiField: "\(path).PinVerificationKeyIndex"))
            case .ibm3624PinOffset(let a):
                let path = "\(root).Ibm3624PinOffset"
                let ibm = try IBM3624(key: pvk, fields: a, fieldPrefix: path)
                pin = try PinBlockCipher.decipher(a.encryptedPinBlock, pan: pan, format: format, key: enc.key,
                                                  blockField: "\(path).EncryptedPinBlock", panField: "PrimaryAccountNumber")
                try PinRules.requireLength(input.pinDataLength, of: pin)
                block = a.encryptedPinBlock.uppercased()
                pinData = .pinOffset(ibm.offset(pin: pin))
            case .ibm3624NaturalPin(let a):
                let ibm = try IBM3624(key: pvk, fields: a, fieldPrefix: "\(root).Ibm3624NaturalPin")
                let n = input.pinDataLength ?? PinRules.defaultLength
                pin = ibm.naturalPin(length: n)
                pinData = .pinOffset(String(repeating: "0", count: n))
            case .ibm3624RandomPin(let a):
                let ibm = try IBM3624(key: pvk, fields: a, fieldPrefix: "\(root).Ibm3624RandomPin")
                pin = RandomPin.make(length: input.pinDataLength ?? PinRules.defaultLength)
                pinData = .pinOffset(ibm.offset(pin: pin))
            case .ibm3624PinFromOffset(let a):
                let path = "\(root).Ibm3624PinFromOffset"
                let ibm = try IBM3624(key: pvk, fields: a, fieldPrefix: path)
                let offset = try IBM3624.checkedOffset(a.pinOffset, field: "\(path).PinOffset")
                try PinRules.requireLength(input.pinDataLength, of: offset)
                pin = ibm.pin(offset: offset)
                pinData = .pinOffset(offset)
            }
            var encrypted = block ?? ""
            if block == nil {
                encrypted = Bytes.hex(try PinBlockCipher.encipher(pin: pin, pan: pan, format: format, key: enc.key,
                                                                  pinField: "PinDataLength", panField: "PrimaryAccountNumber"))
            }
            return DataPlane.GeneratePinDataOutput(generationKeyArn: pvkRecord.arn, generationKeyCheckValue: pvkRecord.keyCheckValue,
                                                   encryptionKeyArn: enc.arn, encryptionKeyCheckValue: enc.keyCheckValue,
                                                   encryptedPinBlock: encrypted, pinData: pinData)
        } catch {
            throw serviceError(error, keyArn: enc.arn)
        }
    }

    /// VerifyPinData: VerificationFailedException (`INVALID_PIN`) when the PIN in the block does
    /// not give the PVV or offset.
    public func verifyPinData(_ input: DataPlane.VerifyPinDataInput,
                              context: RequestContext) async throws -> DataPlane.VerifyPinDataOutput {
        let operation = "VerifyPinData"
        let format = PinBlockFormat(wire: input.pinBlockFormat)
        let member = input.verificationAttributes
        let (pvkRecord, pvk) = try await pinVerificationKey(input.verificationKeyIdentifier, usage: member.verificationKeyUsage,
                                                            mode: .verify, operation: operation, context)
        let dukpt = input.dukptAttributes.map {
            PinKeySource.dukpt(ksn: $0.keySerialNumber, type: $0.dukptDerivationType.rawValue,
                               ksnField: "DukptAttributes.KeySerialNumber", typeField: "DukptAttributes.DukptDerivationType")
        }
        let source = try pinKeySource(dukpt: dukpt, dukptField: "DukptAttributes",
                                      wrapped: input.encryptionWrappedKey, wrappedField: "EncryptionWrappedKey")
        let enc = try await pinWorkingKey(input.encryptionKeyIdentifier, source: source, format: format,
                                          read: true, write: false, operation: operation, context)
        let pan = input.primaryAccountNumber
        do throws(PinError) {
            if case .visaPin = member { try PinRules.requirePAN(pan) }
            let pin = try PinBlockCipher.decipher(input.encryptedPinBlock, pan: pan, format: format, key: enc.key,
                                                  blockField: "EncryptedPinBlock", panField: "PrimaryAccountNumber")
            // README Decisions, "PIN: `PinDataLength`": a length that differs fails verification. The
            // PVV or offset is compared in constant time (an offset of another length never matches).
            var matches = input.pinDataLength.map { $0 == pin.count } ?? true
            switch member {
            case .visaPin(let a):
                let pvv = try VisaPVV.pvv(key: pvk, pin: pin, pan: pan ?? "", pvki: a.pinVerificationKeyIndex,
                                          pinField: "EncryptedPinBlock", panField: "PrimaryAccountNumber",
                                          pvkiField: "VerificationAttributes.VisaPin.PinVerificationKeyIndex")
                matches = ConstantTime.equal(Array(a.verificationValue.utf8), Array(pvv.utf8)) && matches
            case .ibm3624Pin(let a):
                let path = "VerificationAttributes.Ibm3624Pin"
                let ibm = try IBM3624(key: pvk, fields: a, fieldPrefix: path)
                let offset = try IBM3624.checkedOffset(a.pinOffset, field: "\(path).PinOffset")
                matches = ConstantTime.equal(Array(ibm.offset(pin: pin).utf8), Array(offset.utf8)) && matches
            }
            guard matches else {
                throw PinError(.verificationFailed, field: nil, message: PinError.verificationFailedMessage)
            }
            return DataPlane.VerifyPinDataOutput(verificationKeyArn: pvkRecord.arn, verificationKeyCheckValue: pvkRecord.keyCheckValue,
                                                 encryptionKeyArn: enc.arn, encryptionKeyCheckValue: enc.keyCheckValue)
        } catch {
            throw serviceError(error, keyArn: enc.arn)
        }
    }

    /// TranslatePinData: the PIN of the incoming block, re-enciphered in the outgoing format under
    /// the outgoing key (README Decisions, "PIN: translation").
    public func translatePinData(_ input: DataPlane.TranslatePinDataInput,
                                 context: RequestContext) async throws -> DataPlane.TranslatePinDataOutput {
        let operation = "TranslatePinData"
        let (inFormat, inPAN) = input.incomingTranslationAttributes.formatAndPAN
        let (outFormat, outPAN) = input.outgoingTranslationAttributes.formatAndPAN
        let inPath = "IncomingTranslationAttributes.\(input.incomingTranslationAttributes.memberName)"
        let outPath = "OutgoingTranslationAttributes.\(input.outgoingTranslationAttributes.memberName)"
        if inFormat.needsPAN && !outFormat.needsPAN {
            throw ServiceError.validation("A PIN block of a format that carries a PAN cannot be translated to IsoFormat1, which does not.",
                                          field: "OutgoingTranslationAttributes.IsoFormat1")
        }
        if let inPAN, let outPAN, inPAN != outPAN {
            throw ServiceError.validation("The incoming and outgoing PrimaryAccountNumber must match.", field: "\(outPath).PrimaryAccountNumber")
        }
        let inDukpt = input.incomingDukptAttributes.map {
            PinKeySource.dukpt(ksn: $0.keySerialNumber, type: $0.dukptKeyDerivationType?.rawValue,
                               ksnField: "IncomingDukptAttributes.KeySerialNumber", typeField: "IncomingDukptAttributes.DukptKeyDerivationType")
        }
        let outDukpt = input.outgoingDukptAttributes.map {
            PinKeySource.dukpt(ksn: $0.keySerialNumber, type: $0.dukptKeyDerivationType?.rawValue,
                               ksnField: "OutgoingDukptAttributes.KeySerialNumber", typeField: "OutgoingDukptAttributes.DukptKeyDerivationType")
        }
        let as2805 = input.incomingAs2805Attributes.map {
            PinKeySource.as2805(stan: $0.systemTraceAuditNumber, amount: $0.transactionAmount)
        }
        if as2805 != nil && !(inFormat == .isoFormat0 || inFormat == .as2805Format0) {
            throw ServiceError.validation("IncomingAs2805Attributes protect IsoFormat0 or As2805Format0 PIN blocks only.",
                                          field: "IncomingTranslationAttributes")
        }
        let inSource = try pinKeySource(dukpt: inDukpt, dukptField: "IncomingDukptAttributes",
                                        wrapped: input.incomingWrappedKey, wrappedField: "IncomingWrappedKey",
                                        as2805: as2805)
        let outSource = try pinKeySource(dukpt: outDukpt, dukptField: "OutgoingDukptAttributes",
                                         wrapped: input.outgoingWrappedKey, wrappedField: "OutgoingWrappedKey")
        let incoming = try await pinWorkingKey(input.incomingKeyIdentifier, source: inSource, format: inFormat,
                                               read: true, write: false, operation: operation, context)
        let outgoing = try await pinWorkingKey(input.outgoingKeyIdentifier, source: outSource, format: outFormat,
                                               read: false, write: true, operation: operation, context)
        let pin: String
        do {
            pin = try PinBlockCipher.decipher(input.encryptedPinBlock, pan: inPAN, format: inFormat, key: incoming.key,
                                              blockField: "EncryptedPinBlock", panField: "\(inPath).PrimaryAccountNumber")
        } catch {
            throw serviceError(error, keyArn: incoming.arn)
        }
        do {
            let block = try PinBlockCipher.encipher(pin: pin, pan: outPAN, format: outFormat, key: outgoing.key,
                                                    pinField: "EncryptedPinBlock", panField: "\(outPath).PrimaryAccountNumber")
            return DataPlane.TranslatePinDataOutput(pinBlock: Bytes.hex(block), keyArn: outgoing.arn, keyCheckValue: outgoing.keyCheckValue)
        } catch {
            throw serviceError(error, keyArn: outgoing.arn)
        }
    }

    // MARK: - Keys

    /// The PVK of a PIN member, checked in the order of the card validation operations (README
    /// Decisions, "card validation: order of checks"): state and enabled, usage, algorithm, mode.
    func pinVerificationKey(_ identifier: String, usage: String, mode: RequiredKeyMode, operation: String,
                            _ context: RequestContext) async throws -> (KeyRecord, TripleDES) {
        let (record, material) = try await usableKey(identifier, context, operation: operation)
        try DataKeyChecks.requireUsableState(record)
        try DataKeyChecks.requireUsage(record, in: [usage])
        guard PinRules.verificationKeyAlgorithms.contains(record.keyAlgorithm), let material,
              case .tdes(let tdes)? = try? PinWorkingKey(material: material) else {
            throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: record.arn))
        }
        try DataKeyChecks.requireMode(record, mode)
        return (record, tdes)
    }

    /// Which members say how the key named by an encryption/incoming/outgoing identifier protects
    /// the block: exactly one of a P0 alone, DUKPT attributes, a wrapped key, AS 2805 attributes
    /// (README Decisions, "PIN: key members").
    func pinKeySource(dukpt: PinKeySource? = nil, dukptField: String = "", wrapped: DataPlane.WrappedKey?, wrappedField: String,
                      as2805: PinKeySource? = nil) throws -> PinKeySource {
        var given: [(String, PinKeySource)] = []
        if let dukpt { given.append((dukptField, dukpt)) }
        if let wrapped { given.append((wrappedField, .wrapped(wrapped, field: wrappedField))) }
        if let as2805 { given.append(("IncomingAs2805Attributes", as2805)) }
        guard given.count <= 1 else {
            throw ServiceError.validation("\(given.map(\.0).joined(separator: " and ")) cannot be combined.", field: given[1].0)
        }
        return given.first?.1 ?? .pek
    }

    /// The working key that reads (`read`) and/or writes (`write`) a PIN block of `format`,
    /// with the ARN and KCV the output reports: the P0 PEK, a B0 BDK with DUKPT attributes, a
    /// P0 KPP with AS 2805 attributes, or a K0/K1 KEK with a TR-31 dynamic key (README "Supported PIN members", key table).
    func pinWorkingKey(_ identifier: String, source: PinKeySource, format: PinBlockFormat, read: Bool, write: Bool,
                       operation: String, _ context: RequestContext) async throws -> PinKeyInUse {
        if case .wrapped(let wrapped, let field) = source {
            return try await dynamicPinKey(identifier, wrapped: wrapped, field: field, format: format, read: read, write: write,
                                           operation: operation, context)
        }
        let (record, material) = try await usableKey(identifier, context, operation: operation)
        try DataKeyChecks.requireUsableState(record)
        let algorithmError = ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: record.arn))
        switch source {
        case .pek:
            if record.keyUsage == PinRules.bdkUsage && operation != "GeneratePinData" {
                throw ServiceError.validation("A \(PinRules.bdkUsage) needs DUKPT attributes (\(operation == "VerifyPinData" ? "DukptAttributes" : "IncomingDukptAttributes or OutgoingDukptAttributes")).")
            }
            try DataKeyChecks.requireUsage(record, in: [PinRules.pekUsage])
            let allowed = format.isAES ? PinRules.aesAlgorithms : PinRules.tdesPEKAlgorithms
            guard allowed.contains(record.keyAlgorithm), let material, let key = try? PinWorkingKey(material: material) else {
                throw algorithmError
            }
            if read { try DataKeyChecks.requireMode(record, .decrypt) }
            if write { try DataKeyChecks.requireMode(record, .encrypt) }
            return PinKeyInUse(arn: record.arn, keyCheckValue: record.keyCheckValue, key: key)
        case .dukpt(let ksn, let type, let ksnField, let typeField):
            try DataKeyChecks.requireUsage(record, in: [PinRules.bdkUsage])
            guard PinRules.bdkAlgorithms.contains(record.keyAlgorithm), let material else { throw algorithmError }
            try DataKeyChecks.requireMode(record, .deriveKey)
            let key: PinWorkingKey
            do {
                key = try DukptPinKey.workingKey(bdk: material, ksn: ksn, derivationType: type, ksnField: ksnField, typeField: typeField)
            } catch {
                throw serviceError(error, keyArn: record.arn)
            }
            guard key.fits(format) else {
                throw ServiceError.validation(key.isAES
                    ? "An AES DUKPT PIN key protects ISO_FORMAT_4 PIN blocks only: set \(typeField) to TDES_2KEY or TDES_3KEY for this format."
                    : "ISO_FORMAT_4 PIN blocks need an AES DUKPT PIN key: an AES BDK with an AES \(typeField).", field: typeField)
            }
            return PinKeyInUse(arn: record.arn, keyCheckValue: record.keyCheckValue, key: key)
        case .as2805(let stan, let amount):
            try DataKeyChecks.requireUsage(record, in: [PinRules.pekUsage])
            guard record.keyAlgorithm == "TDES_2KEY", let material, case .tdes(let kpp)? = try? PinWorkingKey(material: material) else {
                throw algorithmError
            }
            try DataKeyChecks.requireMode(record, .decrypt)
            do {
                let key = try AS2805PinKey.kpe(kpp: kpp, stan: stan, amount: amount,
                                               stanField: "IncomingAs2805Attributes.SystemTraceAuditNumber",
                                               amountField: "IncomingAs2805Attributes.TransactionAmount")
                return PinKeyInUse(arn: record.arn, keyCheckValue: record.keyCheckValue, key: key)
            } catch {
                throw serviceError(error, keyArn: record.arn)
            }
        case .wrapped:
            preconditionFailure("dynamic keys are resolved above")
        }
    }

    /// A TR-31 dynamic PIN key (README Decisions, "PIN: dynamic keys"): the identifier names a K0/K1
    /// KEK with Unwrap; the block is version B under a TDES KEK or D under an AES KEK, verified and
    /// unwrapped as for ImportKey; its header must say P0, the format's algorithm (`T` or `A`) and a
    /// mode of use that reads (`B`, `D`, `N`) and/or writes (`B`, `E`, `N`). The key is used once
    /// and never stored; the response reports the KEK's ARN and the wrapped key's check value.
    func dynamicPinKey(_ identifier: String, wrapped: DataPlane.WrappedKey, field: String, format: PinBlockFormat,
                       read: Bool, write: Bool, operation: String, _ context: RequestContext) async throws -> PinKeyInUse {
        let blockField = "\(field).WrappedKeyMaterial.Tr31KeyBlock"
        let block: String
        switch wrapped.wrappedKeyMaterial {
        case .tr31KeyBlock(let b): block = b
        case .diffieHellmanSymmetricKey(let ecdh):
            return try await ecdhPinKey(identifier, ecdh: ecdh, wrapped: wrapped, field: field, format: format, operation: operation, context)
        }
        let (kek, kbpk) = try await keyBlockProtectionKey(identifier, field: field, unwrap: true, operation: operation, context)
        let unwrapped: TR31UnwrappedKey
        do {
            unwrapped = try TR31KeyBlock.unwrap(block, using: kbpk)
        } catch {
            throw ServiceError.validation("The TR-31 key block was refused: \(error).", field: blockField)
        }
        let h = unwrapped.header
        let kekIsAES = PaymentCryptography.KeyAlgorithm(rawValue: kek.keyAlgorithm)?.isAES ?? false
        guard h.version == (kekIsAES ? .d : .b) else {
            throw ServiceError.validation("A dynamic PIN key is a TR-31 version \(kekIsAES ? "D" : "B") block under a \(kekIsAES ? "AES" : "TDES") KEK; this one is version \(h.version.rawValue).", field: blockField)
        }
        guard h.keyUsage == .pinEncryption else {
            throw ServiceError.validation("KeyUsage \(h.keyUsage.rawValue) of the wrapped key is invalid for the operation: a dynamic PIN key is P0.", field: blockField)
        }
        guard h.algorithm == (format.isAES ? .aes : .tdes),
              let key = try? PinWorkingKey(bytes: unwrapped.key, isTDES: !format.isAES) else {
            throw ServiceError.validation("KeyAlgorithm \(h.algorithm.rawValue) of the wrapped key is invalid for the operation: \(format.rawValue) needs \(format.isAES ? "an AES (A)" : "a TDES (T)") key.", field: blockField)
        }
        var modes: [TR31ModeOfUse] = [.encryptDecrypt, .noRestrictions]
        if read && !write { modes.append(.decryptOnly) }
        if write && !read { modes.append(.encryptOnly) }
        guard modes.contains(h.modeOfUse) else {
            throw ServiceError.validation("Mode of use \(h.modeOfUse.rawValue) of the wrapped key does not allow this operation (it needs \(modes.map(\.rawValue).joined(separator: ", "))).", field: blockField)
        }
        let kcv: [UInt8]?
        switch (wrapped.keyCheckValueAlgorithm, format.isAES) {
        case (nil, true), (.cmac?, true): kcv = try? KeyCheckValue.aes(unwrapped.key)
        case (nil, false), (.ansiX9_24?, false): kcv = try? KeyCheckValue.tdes(unwrapped.key)
        case (.cmac?, false): kcv = try? KeyCheckValue.tdes(unwrapped.key, method: .cmac)
        case (.ansiX9_24?, true), (.hmac?, _), (.sha1?, _): kcv = nil
        }
        guard let kcv else {
            throw ServiceError.validation("KeyCheckValueAlgorithm \(wrapped.keyCheckValueAlgorithm?.rawValue ?? "") is not defined for this P0 key.",
                                          field: "\(field).KeyCheckValueAlgorithm")
        }
        return PinKeyInUse(arn: kek.arn, keyCheckValue: Bytes.hex(kcv), key: key)
    }

    /// An ECDH-derived PIN key (AWS API reference, `WrappedKeyMaterial.DiffieHellmanSymmetricKey`; README, "Supported PIN members"): the identifier names a K3 key pair whose
    /// DeriveKeyUsage allows P0; the derived key must be AES for ISO_FORMAT_4 and TDES for the other
    /// formats. The response reports the key pair's ARN and the derived key's check value.
    func ecdhPinKey(_ identifier: String, ecdh: DataPlane.EcdhDerivationAttributes, wrapped: DataPlane.WrappedKey, field: String,
                    format: PinBlockFormat, operation: String, _ context: RequestContext) async throws -> PinKeyInUse {
        let path = "\(field).WrappedKeyMaterial.DiffieHellmanSymmetricKey"
        let derived = try await ecdhDerivedKey(ECDHInputs(ecdh, identifier: identifier, identifierField: field, path: path),
                                               use: .pin, operation: operation, context)
        let m = derived.material
        guard m.algorithm.isAES == format.isAES, let key = try? PinWorkingKey(bytes: m.bytes, isTDES: m.algorithm.isTDES) else {
            throw ServiceError.validation("KeyAlgorithm \(m.algorithm.rawValue) of the ECDH-derived key is invalid for the operation: \(format.rawValue) needs \(format.isAES ? "an AES" : "a TDES") key.",
                                          field: "\(path).KeyAlgorithm")
        }
        let kcv = try workingKeyCheckValue(m, method: wrapped.keyCheckValueAlgorithm?.rawValue, field: "\(field).KeyCheckValueAlgorithm")
        return PinKeyInUse(arn: derived.keyPair.arn, keyCheckValue: kcv, key: key)
    }

    /// Maps the algorithm layer's refusals to AWS exceptions.
    func serviceError(_ error: PinError, keyArn: String) -> ServiceError {
        switch error.kind {
        case .verificationFailed:
            return ServiceError(.verificationFailed, PinError.verificationFailedMessage, reason: PinError.verificationFailedReason)
        case .keyAlgorithmInvalid:
            return ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: keyArn))
        case .invalidField, .invalidPinBlock:
            return ServiceError.validation(error.message, field: error.field)
        }
    }
}

/// How the key named by an identifier protects a PIN block.
enum PinKeySource: Sendable {
    /// The stored P0 PEK itself.
    case pek
    /// A B0 BDK and the DUKPT attributes of the request (field paths for errors).
    case dukpt(ksn: String, type: String?, ksnField: String, typeField: String)
    /// A P0 KPP and IncomingAs2805Attributes.
    case as2805(stan: String, amount: String)
    /// A K0/K1 KEK and a TR-31 block holding the P0 (field: the member's name).
    case wrapped(DataPlane.WrappedKey, field: String)
}

/// A working key with the ARN and KCV the response reports for it.
struct PinKeyInUse: Sendable {
    let arn: String
    let keyCheckValue: String
    let key: PinWorkingKey
}

/// The key rules and shared checks of the PIN operations (AWS user guide, "Valid keys for
/// cryptographic operations"; README Decisions, rows "PIN: ..."). The one place to change them.
enum PinRules {
    static let pekUsage = "TR31_P0_PIN_ENCRYPTION_KEY"
    static let bdkUsage = "TR31_B0_BASE_DERIVATION_KEY"
    static let visaUsage = "TR31_V2_VISA_PIN_VERIFICATION_KEY"
    static let ibmUsage = "TR31_V1_IBM3624_PIN_VERIFICATION_KEY"
    /// Both PVKs: TDES_2KEY and TDES_3KEY (README Decisions, "PIN: IBM PVK of two keys").
    static let verificationKeyAlgorithms = ["TDES_2KEY", "TDES_3KEY"]
    static let tdesPEKAlgorithms = ["TDES_2KEY", "TDES_3KEY"]
    static let aesAlgorithms = ["AES_128", "AES_192", "AES_256"]
    /// TDES_3KEY BDKs are refused (README Decisions, "PIN: DUKPT BDK").
    static let bdkAlgorithms = ["TDES_2KEY", "AES_128", "AES_192", "AES_256"]
    /// PinDataLength when absent (AWS doc examples: 4-digit PVV and offset).
    static let defaultLength = 4

    /// PinDataLength, when given, must equal the PIN's length (README Decisions, "PIN: `PinDataLength`").
    static func requireLength(_ length: Int?, of pin: String) throws(PinError) {
        if let length, length != pin.count {
            throw PinError(.invalidField, field: "PinDataLength", message: "PinDataLength must equal the length of the PIN.")
        }
    }

    /// The PAN the Visa members need.
    static func requirePAN(_ pan: String?) throws(PinError) {
        if pan == nil {
            throw PinError(.invalidField, field: "PrimaryAccountNumber", message: "PrimaryAccountNumber is required for the Visa PIN members.")
        }
    }
}

extension PinBlockFormat {
    /// The format of the wire enum `PinBlockFormatForPinData`.
    init(wire: DataPlane.PinBlockFormatForPinData) {
        switch wire {
        case .isoFormat0: self = .isoFormat0
        case .isoFormat1: self = .isoFormat1
        case .isoFormat3: self = .isoFormat3
        case .isoFormat4: self = .isoFormat4
        }
    }
}

extension DataPlane.TranslationIsoFormats {
    /// The format and the PAN of the member (nil for IsoFormat1).
    var formatAndPAN: (PinBlockFormat, String?) {
        switch self {
        case .isoFormat0(let a): (.isoFormat0, a.primaryAccountNumber)
        case .isoFormat1: (.isoFormat1, nil)
        case .isoFormat3(let a): (.isoFormat3, a.primaryAccountNumber)
        case .isoFormat4(let a): (.isoFormat4, a.primaryAccountNumber)
        case .as2805Format0(let a): (.as2805Format0, a.primaryAccountNumber)
        }
    }

    /// The member's wire name.
    var memberName: String {
        switch self {
        case .isoFormat0: "IsoFormat0"
        case .isoFormat1: "IsoFormat1"
        case .isoFormat3: "IsoFormat3"
        case .isoFormat4: "IsoFormat4"
        case .as2805Format0: "As2805Format0"
        }
    }
}

extension DataPlane.PinGenerationAttributes {
    /// True for the members that take a PIN block (their PEK needs Decrypt and Encrypt).
    var readsPinBlock: Bool {
        switch self {
        case .visaPinVerificationValue, .ibm3624PinOffset: true
        default: false
        }
    }

    /// The PVK usage of the member.
    var verificationKeyUsage: String {
        switch self {
        case .visaPin, .visaPinVerificationValue: PinRules.visaUsage
        default: PinRules.ibmUsage
        }
    }
}

extension DataPlane.PinVerificationAttributes {
    /// The PVK usage of the member.
    var verificationKeyUsage: String {
        switch self {
        case .visaPin: PinRules.visaUsage
        case .ibm3624Pin: PinRules.ibmUsage
        }
    }
}

/// The three IBM 3624 members every IBM wire shape carries, so that one initializer reads them.
protocol IBM3624WireFields {
    var decimalizationTable: String { get }
    var pinValidationDataPadCharacter: String { get }
    var pinValidationData: String { get }
}

extension DataPlane.Ibm3624PinOffset: IBM3624WireFields {}
extension DataPlane.Ibm3624NaturalPin: IBM3624WireFields {}
extension DataPlane.Ibm3624RandomPin: IBM3624WireFields {}
extension DataPlane.Ibm3624PinFromOffset: IBM3624WireFields {}
extension DataPlane.Ibm3624PinVerification: IBM3624WireFields {}

extension IBM3624 {
    /// The IBM 3624 computation of a wire member (fields named under `fieldPrefix`).
    init(key: TripleDES, fields a: some IBM3624WireFields, fieldPrefix: String) throws(PinError) {
        try self.init(key: key, decimalizationTable: a.decimalizationTable, validationData: a.pinValidationData,
                      padCharacter: a.pinValidationDataPadCharacter, fieldPrefix: fieldPrefix)
    }
}
