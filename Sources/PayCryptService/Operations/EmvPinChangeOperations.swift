import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// GenerateMacEmvPinChange (AWS API reference): the new PIN re-enciphered under the card's
    /// SMC session key and the issuer script MAC under its SMI session key.
    public func generateMacEmvPinChange(_ input: DataPlane.GenerateMacEmvPinChangeInput,
                                        context: RequestContext) async throws -> DataPlane.GenerateMacEmvPinChangeOutput {
        let operation = "GenerateMacEmvPinChange"
        let w = PinChangeWire(input.derivationMethodAttributes)
        // Every key must exist (404) before any key rule is checked (README Decisions, order of checks).
        let pek = try await usableKey(input.newPinPekIdentifier, context, operation: operation)
        let smi = try await usableKey(input.secureMessagingIntegrityKeyIdentifier, context, operation: operation)
        let smc = try await usableKey(input.secureMessagingConfidentialityKeyIdentifier, context, operation: operation)
        var ac: (KeyRecord, SymmetricKeyMaterial?)?
        if let id = w.authorizationRequestKey { ac = try await usableKey(id, context, operation: operation) }
        var currentPek: (KeyRecord, SymmetricKeyMaterial?)?
        if let id = w.current?.currentPinPekIdentifier { currentPek = try await usableKey(id, context, operation: operation) }

        let pekMaterial = try Self.checkEmvKey(pek, EmvKeyRule.pinEncryption)
        let smiMaterial = try Self.checkEmvKey(smi, EmvKeyRule.integrity)
        let smcMaterial = try Self.checkEmvKey(smc, EmvKeyRule.confidentiality)
        let acMaterial = try ac.map { try Self.checkEmvKey($0, EmvKeyRule.applicationCryptograms) }
        let currentMaterial = try currentPek.map { try Self.checkEmvKey($0, EmvKeyRule.pinEncryption) }

        let current: EMVEncryptedPin? = currentMaterial.flatMap { m in
            w.current.map { EMVEncryptedPin(pinEncryptionKey: m.bytes, encryptedPinBlock: $0.currentEncryptedPinBlock) }
        }
        let format: EMVIncomingPinBlockFormat = switch input.pinBlockFormat {
        case .isoFormat0: .isoFormat0
        case .isoFormat1: .isoFormat1
        case .isoFormat3: .isoFormat3
        }
        do {
            let out = try EMVPinChange.generate(
                newPin: EMVEncryptedPin(pinEncryptionKey: pekMaterial.bytes, encryptedPinBlock: input.newEncryptedPinBlock),
                format: format, integrityKey: smiMaterial.bytes, confidentialityKey: smcMaterial.bytes,
                authorizationRequestKey: acMaterial?.bytes, currentPin: current,
                masterKeyOption: w.option, pan: w.pan, psn: w.psn, method: w.method, messageData: input.messageData)
            var visaAmex: DataPlane.VisaAmexDerivationOutputs?
            if let (record, _) = ac {
                visaAmex = DataPlane.VisaAmexDerivationOutputs(authorizationRequestKeyArn: record.arn,
                                                               authorizationRequestKeyCheckValue: record.keyCheckValue,
                                                               currentPinPekArn: currentPek?.0.arn,
                                                               currentPinPekKeyCheckValue: currentPek?.0.keyCheckValue)
            }
            return DataPlane.GenerateMacEmvPinChangeOutput(
                newPinPekArn: pek.0.arn, secureMessagingIntegrityKeyArn: smi.0.arn, secureMessagingConfidentialityKeyArn: smc.0.arn,
                mac: out.mac, encryptedPinBlock: out.encryptedPinBlock, newPinPekKeyCheckValue: pek.0.keyCheckValue,
                secureMessagingIntegrityKeyCheckValue: smi.0.keyCheckValue,
                secureMessagingConfidentialityKeyCheckValue: smc.0.keyCheckValue, visaAmexDerivationOutputs: visaAmex)
        } catch {
            throw serviceError(error, keyArn: smi.0.arn)
        }
    }
}

/// The member-independent view of `DerivationMethodAttributes`.
struct PinChangeWire {
    let option: EMVMasterKeyOption
    let pan: String
    let psn: String
    let method: EMVPinChangeMethod
    let authorizationRequestKey: String?
    let current: DataPlane.CurrentPinAttributes?

    init(_ wire: DataPlane.DerivationMethodAttributes) {
        func option(_ m: DataPlane.MajorKeyDerivationMode) -> EMVMasterKeyOption { m == .emvOptionA ? .optionA : .optionB }
        switch wire {
        case .emvCommon(let a):
            let e = EMVPinBlockEncipherment(cbc: a.mode == .cbc, iso7816Padding: a.pinBlockPaddingType == .isoIec7816_4,
                                            lengthInFront: a.pinBlockLengthPosition == .frontOfPinBlock)
            (self.option, pan, psn) = (option(a.majorKeyDerivationMode), a.primaryAccountNumber, a.panSequenceNumber)
            (method, authorizationRequestKey, current) = (.emvCommon(applicationCryptogram: a.applicationCryptogram, encipherment: e), nil, nil)
        case .mastercard(let a):
            (self.option, pan, psn) = (option(a.majorKeyDerivationMode), a.primaryAccountNumber, a.panSequenceNumber)
            (method, authorizationRequestKey, current) = (.mastercard(applicationCryptogram: a.applicationCryptogram), nil, nil)
        case .emv2000(let a):
            (self.option, pan, psn) = (option(a.majorKeyDerivationMode), a.primaryAccountNumber, a.panSequenceNumber)
            (method, authorizationRequestKey, current) = (.emv2000(applicationTransactionCounter: a.applicationTransactionCounter), nil, nil)
        case .visa(let a):
            (self.option, pan, psn) = (option(a.majorKeyDerivationMode), a.primaryAccountNumber, a.panSequenceNumber)
            (method, authorizationRequestKey, current) = (.visa(applicationTransactionCounter: a.applicationTransactionCounter),
                                                          a.authorizationRequestKeyIdentifier, a.currentPinAttributes)
        case .amex(let a):
            (self.option, pan, psn) = (option(a.majorKeyDerivationMode), a.primaryAccountNumber, a.panSequenceNumber)
            (method, authorizationRequestKey, current) = (.amex(applicationTransactionCounter: a.applicationTransactionCounter),
                                                          a.authorizationRequestKeyIdentifier, a.currentPinAttributes)
        }
    }
}
