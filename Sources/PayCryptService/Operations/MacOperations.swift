import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// GenerateMac.
    public func generateMac(_ input: DataPlane.GenerateMacInput, context: RequestContext) async throws -> DataPlane.GenerateMacOutput {
        let attributes = try macAttributes(input.generationAttributes, root: "GenerationAttributes")
        let (record, material) = try await macKey(input.keyIdentifier, attributes: attributes, generate: true, context)
        let message = try messageBytes(input.messageData)
        do {
            let mac = try MacOperation.generate(key: material, attributes: attributes, message: message, macLength: input.macLength)
            return DataPlane.GenerateMacOutput(keyArn: record.arn, keyCheckValue: record.keyCheckValue, mac: mac)
        } catch {
            throw serviceError(error, keyArn: record.arn)
        }
    }

    /// VerifyMac: VerificationFailedException (`INVALID_MAC`) when the MAC does not match.
    public func verifyMac(_ input: DataPlane.VerifyMacInput, context: RequestContext) async throws -> DataPlane.VerifyMacOutput {
        let attributes = try macAttributes(input.verificationAttributes, root: "VerificationAttributes")
        let (record, material) = try await macKey(input.keyIdentifier, attributes: attributes, generate: false, context)
        let message = try messageBytes(input.messageData)
        do {
            try MacOperation.verify(key: material, attributes: attributes, message: message, mac: input.mac, macLength: input.macLength)
            return DataPlane.VerifyMacOutput(keyArn: record.arn, keyCheckValue: record.keyCheckValue)
        } catch {
            throw serviceError(error, keyArn: record.arn)
        }
    }

    func macAttributes(_ wire: DataPlane.MacAttributes, root: String) throws -> MacAttributes {
        do {
            return try MacAttributes(wire: wire, root: root)
        } catch {
            throw ServiceError.validation("\(error.value) is not supported by paycrypt.", field: error.field)
        }
    }

    func messageBytes(_ hex: String) throws -> [UInt8] {
        guard let bytes = Bytes.fromHex(hex) else { throw ServiceError.validation("MessageData must be hex.", field: "MessageData") }
        return bytes
    }

    /// The key for a MAC operation, with the rules of the AWS user guide (README, "Supported MAC algorithms"): state, enabled, usage, mode.
    func macKey(_ identifier: String, attributes: MacAttributes, generate: Bool, _ context: RequestContext) async throws -> (KeyRecord, SymmetricKeyMaterial) {
        let (record, material) = try await usableKey(identifier, context, operation: generate ? "GenerateMac" : "VerifyMac")
        let arn = record.arn
        switch record.state {
        case .CREATE_COMPLETE: break
        case .DELETE_PENDING: throw ServiceError.validation("Key \(arn) is pending deletion and cannot be used.")
        case .DELETE_COMPLETE: throw ServiceError.validation("Key \(arn) is deleted and cannot be used.")
        case .CREATE_IN_PROGRESS: throw ServiceError.validation("Key \(arn) is not ready.")
        }
        guard record.enabled else { throw ServiceError.validation("Key \(arn) is disabled (StopKeyUsage); StartKeyUsage enables it.") }
        guard record.keyUsage == attributes.requiredKeyUsage else {
            throw ServiceError.validation("KeyUsage of the input key \(arn) is invalid for the operation.")
        }
        let m = record.modes
        let allowed: Bool
        if attributes.usesDerivationKey {
            allowed = m.deriveKey || m.noRestrictions
        } else {
            allowed = (generate ? m.generate : m.verify) || m.noRestrictions
        }
        guard allowed else {
            let mode = attributes.usesDerivationKey ? "DeriveKey" : (generate ? "Generate" : "Verify")
            throw ServiceError.validation("KeyModesOfUse of the input key \(arn) does not allow this operation (it needs \(mode)).")
        }
        guard let material else {
            throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: arn))
        }
        return (record, material)
    }

    /// Maps the algorithm layer's refusals to AWS exceptions.
    func serviceError(_ error: MacRequestError, keyArn: String) -> ServiceError {
        switch error.kind {
        case .verificationFailed:
            return ServiceError(.verificationFailed, MacRequestError.verificationFailedMessage, reason: "INVALID_MAC")
        case .keyAlgorithmInvalid:
            return ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: keyArn))
        case .invalidField:
            return ServiceError.validation(error.message, field: error.field)
        }
    }
}
