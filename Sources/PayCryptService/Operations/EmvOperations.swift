import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// GenerateAuthRequestCryptogram (AWS API reference): the ARQC a card would send for
    /// `TransactionData`, under the IMK-AC named by `KeyIdentifier`.
    public func generateAuthRequestCryptogram(_ input: DataPlane.GenerateAuthRequestCryptogramInput,
                                              context: RequestContext) async throws -> DataPlane.GenerateAuthRequestCryptogramOutput {
        let attributes = ARQCAttributes(mode: input.majorKeyDerivationMode, wire: input.sessionKeyDerivationAttributes)
        let (record, material) = try await emvCryptogramKey(input.keyIdentifier, operation: "GenerateAuthRequestCryptogram", context)
        do {
            let arqc = try AuthRequestCryptogram.generate(issuerMasterKey: material.bytes, attributes: attributes,
                                                          transactionData: input.transactionData)
            return DataPlane.GenerateAuthRequestCryptogramOutput(keyArn: record.arn, keyCheckValue: record.keyCheckValue,
                                                                 authRequestCryptogram: arqc)
        } catch {
            throw serviceError(error, keyArn: record.arn)
        }
    }

    /// VerifyAuthRequestCryptogram: VerificationFailedException (`INVALID_AUTH_REQUEST_CRYPTOGRAM`)
    /// for a wrong ARQC; with `AuthResponseAttributes`, the ARPC in `AuthResponseValue`.
    public func verifyAuthRequestCryptogram(_ input: DataPlane.VerifyAuthRequestCryptogramInput,
                                            context: RequestContext) async throws -> DataPlane.VerifyAuthRequestCryptogramOutput {
        let attributes = ARQCAttributes(mode: input.majorKeyDerivationMode, wire: input.sessionKeyDerivationAttributes)
        let response = input.authResponseAttributes.map(ARPCMethod.init(wire:))
        let (record, material) = try await emvCryptogramKey(input.keyIdentifier, operation: "VerifyAuthRequestCryptogram", context)
        do {
            let arpc = try AuthRequestCryptogram.verify(issuerMasterKey: material.bytes, attributes: attributes,
                                                        transactionData: input.transactionData,
                                                        cryptogram: input.authRequestCryptogram, response: response)
            return DataPlane.VerifyAuthRequestCryptogramOutput(keyArn: record.arn, keyCheckValue: record.keyCheckValue,
                                                               authResponseValue: arpc)
        } catch {
            throw serviceError(error, keyArn: record.arn)
        }
    }

    /// The IMK-AC, checked in the order of the README Decisions ("EMV cryptograms: order of
    /// checks"): state and enabled, then usage, algorithm, mode.
    func emvCryptogramKey(_ identifier: String, operation: String,
                          _ context: RequestContext) async throws -> (KeyRecord, SymmetricKeyMaterial) {
        let key = try await usableKey(identifier, context, operation: operation)
        return (key.0, try Self.checkEmvKey(key, EmvKeyRule.applicationCryptograms))
    }

    /// State and enabled, then usage, algorithm and mode of one EMV issuer key.
    static func checkEmvKey(_ key: (KeyRecord, SymmetricKeyMaterial?), _ rule: EmvKeyRule) throws -> SymmetricKeyMaterial {
        let (record, material) = key
        try DataKeyChecks.requireUsableState(record)
        try DataKeyChecks.requireUsage(record, in: rule.usages)
        guard rule.algorithms.contains(record.keyAlgorithm), let material else {
            throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: record.arn))
        }
        switch rule.mode {
        case .required(let mode):
            try DataKeyChecks.requireMode(record, mode)
        case .decrypt:
            guard record.modes.noRestrictions || record.modes.decrypt else {
                throw ServiceError.validation("KeyModesOfUse of the input key \(record.arn) does not allow this operation (it needs Decrypt).")
            }
        }
        return material
    }

    /// Maps the algorithm layer's refusals to AWS exceptions.
    func serviceError(_ error: EMVCryptogramError, keyArn: String) -> ServiceError {
        switch error.kind {
        case .verificationFailed:
            return ServiceError(.verificationFailed, EMVCryptogramError.verificationFailedMessage,
                                reason: EMVCryptogramError.verificationFailedReason)
        case .keyAlgorithmInvalid:
            return ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: keyArn))
        case .invalidField:
            return ServiceError.validation(error.message, field: error.field)
        }
    }
}

/// Which key each EMV issuer operation takes (AWS user guide, "Valid keys for cryptographic
/// operations"; the extra NoRestrictions mode is a README decision). The one place to change a key rule.
struct EmvKeyRule: Sendable {
    /// The mode a key needs (`NoRestrictions` satisfies each).
    enum Mode: Sendable {
        /// A data-plane mode, e.g. DeriveKey.
        case required(RequiredKeyMode)
        /// Decrypt (PEKs: {Decrypt, Unwrap}, {Encrypt, Decrypt, Wrap, Unwrap}, AWS guide).
        case decrypt
    }

    let usages: [String]
    let algorithms: [String]
    let mode: Mode

    /// The IMK-AC of Verify/GenerateAuthRequestCryptogram and of the Visa/Amex PIN change: E0, TDES_2KEY, DeriveKey (or NoRestrictions).
    static let applicationCryptograms = EmvKeyRule(usages: ["TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS"], algorithms: ["TDES_2KEY"], mode: .required(.deriveKey))
    /// The IMK-SMI of GenerateMacEmvPinChange: E2, TDES_2KEY, NoRestrictions (AWS guide) or DeriveKey (README Decisions).
    static let integrity = EmvKeyRule(usages: ["TR31_E2_EMV_MKEY_INTEGRITY"], algorithms: ["TDES_2KEY"], mode: .required(.deriveKey))
    /// The IMK-SMC of GenerateMacEmvPinChange: E1, TDES_2KEY, DeriveKey (or NoRestrictions).
    static let confidentiality = EmvKeyRule(usages: ["TR31_E1_EMV_MKEY_CONFIDENTIALITY"], algorithms: ["TDES_2KEY"], mode: .required(.deriveKey))
    /// The PIN encryption keys of GenerateMacEmvPinChange: P0, TDES_2KEY or TDES_3KEY (AES refused: formats
    /// 0/1/3 are 8-byte TDES blocks), a mode set with Decrypt or NoRestrictions.
    static let pinEncryption = EmvKeyRule(usages: ["TR31_P0_PIN_ENCRYPTION_KEY"], algorithms: ["TDES_2KEY", "TDES_3KEY"], mode: .decrypt)
}

extension ARQCAttributes {
    /// Translates `MajorKeyDerivationMode` and the wire union `SessionKeyDerivation` (already
    /// validated against the model).
    init(mode: DataPlane.MajorKeyDerivationMode, wire: DataPlane.SessionKeyDerivation) {
        let option: EMVMasterKeyOption = mode == .emvOptionA ? .optionA : .optionB
        switch wire {
        case .emvCommon(let a):
            self.init(masterKeyOption: option, primaryAccountNumber: a.primaryAccountNumber, panSequenceNumber: a.panSequenceNumber,
                      scheme: .emvCommon(applicationTransactionCounter: a.applicationTransactionCounter))
        case .mastercard(let a):
            self.init(masterKeyOption: option, primaryAccountNumber: a.primaryAccountNumber, panSequenceNumber: a.panSequenceNumber,
                      scheme: .mastercard(applicationTransactionCounter: a.applicationTransactionCounter, unpredictableNumber: a.unpredictableNumber))
        case .emv2000(let a):
            self.init(masterKeyOption: option, primaryAccountNumber: a.primaryAccountNumber, panSequenceNumber: a.panSequenceNumber,
                      scheme: .emv2000(applicationTransactionCounter: a.applicationTransactionCounter))
        case .amex(let a):
            self.init(masterKeyOption: option, primaryAccountNumber: a.primaryAccountNumber, panSequenceNumber: a.panSequenceNumber, scheme: .amex)
        case .visa(let a):
            self.init(masterKeyOption: option, primaryAccountNumber: a.primaryAccountNumber, panSequenceNumber: a.panSequenceNumber, scheme: .visa)
        case .unionPay(let a):
            self.init(masterKeyOption: option, primaryAccountNumber: a.primaryAccountNumber, panSequenceNumber: a.panSequenceNumber,
                      scheme: .unionPay(applicationTransactionCounter: a.applicationTransactionCounter))
        }
    }
}

extension ARPCMethod {
    /// Translates the wire union `CryptogramAuthResponse` (already validated against the model).
    init(wire: DataPlane.CryptogramAuthResponse) {
        switch wire {
        case .arpcMethod1(let m): self = .method1(authResponseCode: m.authResponseCode)
        case .arpcMethod2(let m): self = .method2(cardStatusUpdate: m.cardStatusUpdate, proprietaryAuthenticationData: m.proprietaryAuthenticationData)
        }
    }
}
