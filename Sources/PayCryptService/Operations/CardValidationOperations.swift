import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// GenerateCardValidationData (AWS API reference): the CVV, CSC or dynamic value
    /// of `ValidationDataLength` digits (default 3) under the key the member needs.
    public func generateCardValidationData(_ input: DataPlane.GenerateCardValidationDataInput,
                                           context: RequestContext) async throws -> DataPlane.GenerateCardValidationDataOutput {
        let attributes = CardValidationAttributes(wire: input.generationAttributes)
        if let n = input.validationDataLength, !CardValidation.lengths.contains(n) {
            throw ServiceError.validation("ValidationDataLength must be between 3 and 5.", field: "ValidationDataLength")
        }
        let (record, material) = try await cardValidationKey(input.keyIdentifier, attributes: attributes, generate: true, context)
        do {
            let value = try CardValidation.generate(key: material.bytes, attributes: attributes, pan: input.primaryAccountNumber,
                                                    length: input.validationDataLength, root: "GenerationAttributes")
            return DataPlane.GenerateCardValidationDataOutput(keyArn: record.arn, keyCheckValue: record.keyCheckValue, validationData: value)
        } catch {
            throw serviceError(error, keyArn: record.arn)
        }
    }

    /// VerifyCardValidationData: VerificationFailedException (`INVALID_VALIDATION_DATA`) when the
    /// value of the length of `ValidationData` differs.
    public func verifyCardValidationData(_ input: DataPlane.VerifyCardValidationDataInput,
                                         context: RequestContext) async throws -> DataPlane.VerifyCardValidationDataOutput {
        let attributes = CardValidationAttributes(wire: input.verificationAttributes)
        let (record, material) = try await cardValidationKey(input.keyIdentifier, attributes: attributes, generate: false, context)
        do {
            try CardValidation.verify(key: material.bytes, attributes: attributes, pan: input.primaryAccountNumber,
                                      validationData: input.validationData, root: "VerificationAttributes")
            return DataPlane.VerifyCardValidationDataOutput(keyArn: record.arn, keyCheckValue: record.keyCheckValue)
        } catch {
            throw serviceError(error, keyArn: record.arn)
        }
    }

    /// The key for a card validation member, checked in the order of the README Decisions
    /// ("card validation: order of checks"): state and enabled, then usage, algorithm, mode.
    func cardValidationKey(_ identifier: String, attributes: CardValidationAttributes, generate: Bool,
                           _ context: RequestContext) async throws -> (KeyRecord, SymmetricKeyMaterial) {
        let operation = generate ? "GenerateCardValidationData" : "VerifyCardValidationData"
        let (record, material) = try await usableKey(identifier, context, operation: operation)
        let rule = CardValidationKeyRule.rule(for: attributes)
        try DataKeyChecks.requireUsableState(record)
        try DataKeyChecks.requireUsage(record, in: rule.usages)
        guard rule.algorithms.contains(record.keyAlgorithm), let material else {
            throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: record.arn))
        }
        try DataKeyChecks.requireMode(record, generate ? rule.generateMode : rule.verifyMode)
        return (record, material)
    }

    /// Maps the algorithm layer's refusals to AWS exceptions.
    func serviceError(_ error: CardValidationError, keyArn: String) -> ServiceError {
        switch error.kind {
        case .verificationFailed:
            return ServiceError(.verificationFailed, CardValidationError.verificationFailedMessage,
                                reason: CardValidationError.verificationFailedReason)
        case .keyAlgorithmInvalid:
            return ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: keyArn))
        case .invalidField:
            return ServiceError.validation(error.message, field: error.field)
        }
    }
}

/// Which key each card validation member takes (AWS user guide, "Valid keys for cryptographic
/// operations"; the verify mode and Discover's usages are in the README's Decisions table).
/// The one place to change a key rule.
struct CardValidationKeyRule: Sendable {
    let usages: [String]
    let algorithms: [String]
    let generateMode: RequiredKeyMode
    let verifyMode: RequiredKeyMode

    static let cvk = CardValidationKeyRule(usages: ["TR31_C0_CARD_VERIFICATION_KEY"], algorithms: ["TDES_2KEY"],
                                           generateMode: .generate, verifyMode: .verify)
    static let amex = CardValidationKeyRule(usages: ["TR31_C0_CARD_VERIFICATION_KEY"], algorithms: ["TDES_2KEY", "TDES_3KEY"],
                                            generateMode: .generate, verifyMode: .verify)
    static let e6 = CardValidationKeyRule(usages: ["TR31_E6_EMV_MKEY_OTHER"], algorithms: ["TDES_2KEY"],
                                          generateMode: .deriveKey, verifyMode: .deriveKey)
    static let e4 = CardValidationKeyRule(usages: ["TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS"], algorithms: ["TDES_2KEY"],
                                          generateMode: .deriveKey, verifyMode: .deriveKey)
    /// Decision: Discover accepts E6 and E4.
    static let discover = CardValidationKeyRule(usages: ["TR31_E6_EMV_MKEY_OTHER", "TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS"],
                                                algorithms: ["TDES_2KEY"], generateMode: .deriveKey, verifyMode: .deriveKey)

    static func rule(for attributes: CardValidationAttributes) -> CardValidationKeyRule {
        switch attributes {
        case .cardVerificationValue1, .cardVerificationValue2: cvk
        case .amexCardSecurityCodeVersion1, .amexCardSecurityCodeVersion2: amex
        case .cardHolderVerificationValue, .dynamicCardVerificationValue: e6
        case .dynamicCardVerificationCode: e4
        case .discoverDynamicCardVerificationCode: discover
        }
    }
}

extension CardValidationAttributes {
    /// Translates the wire union `CardGenerationAttributes` (already validated against the model).
    init(wire: DataPlane.CardGenerationAttributes) {
        switch wire {
        case .cardVerificationValue1(let a): self = .cardVerificationValue1(expiryDate: a.cardExpiryDate, serviceCode: a.serviceCode)
        case .cardVerificationValue2(let a): self = .cardVerificationValue2(expiryDate: a.cardExpiryDate)
        case .amexCardSecurityCodeVersion1(let a): self = .amexCardSecurityCodeVersion1(expiryDate: a.cardExpiryDate)
        case .amexCardSecurityCodeVersion2(let a): self = .amexCardSecurityCodeVersion2(expiryDate: a.cardExpiryDate, serviceCode: a.serviceCode)
        case .cardHolderVerificationValue(let a): self = .init(a)
        case .dynamicCardVerificationCode(let a): self = .init(a)
        case .dynamicCardVerificationValue(let a): self = .init(a)
        }
    }

    /// Translates the wire union `CardVerificationAttributes` (already validated against the model).
    init(wire: DataPlane.CardVerificationAttributes) {
        switch wire {
        case .cardVerificationValue1(let a): self = .cardVerificationValue1(expiryDate: a.cardExpiryDate, serviceCode: a.serviceCode)
        case .cardVerificationValue2(let a): self = .cardVerificationValue2(expiryDate: a.cardExpiryDate)
        case .amexCardSecurityCodeVersion1(let a): self = .amexCardSecurityCodeVersion1(expiryDate: a.cardExpiryDate)
        case .amexCardSecurityCodeVersion2(let a): self = .amexCardSecurityCodeVersion2(expiryDate: a.cardExpiryDate, serviceCode: a.serviceCode)
        case .cardHolderVerificationValue(let a): self = .init(a)
        case .dynamicCardVerificationCode(let a): self = .init(a)
        case .dynamicCardVerificationValue(let a): self = .init(a)
        case .discoverDynamicCardVerificationCode(let a):
            self = .discoverDynamicCardVerificationCode(expiryDate: a.cardExpiryDate, unpredictableNumber: a.unpredictableNumber,
                                                        applicationTransactionCounter: a.applicationTransactionCounter)
        }
    }

    private init(_ a: DataPlane.CardHolderVerificationValue) {
        self = .cardHolderVerificationValue(unpredictableNumber: a.unpredictableNumber, panSequenceNumber: a.panSequenceNumber,
                                            applicationTransactionCounter: a.applicationTransactionCounter)
    }

    private init(_ a: DataPlane.DynamicCardVerificationCode) {
        self = .dynamicCardVerificationCode(unpredictableNumber: a.unpredictableNumber, panSequenceNumber: a.panSequenceNumber,
                                            applicationTransactionCounter: a.applicationTransactionCounter, trackData: a.trackData)
    }

    private init(_ a: DataPlane.DynamicCardVerificationValue) {
        self = .dynamicCardVerificationValue(panSequenceNumber: a.panSequenceNumber, expiryDate: a.cardExpiryDate,
                                             serviceCode: a.serviceCode, applicationTransactionCounter: a.applicationTransactionCounter)
    }
}
