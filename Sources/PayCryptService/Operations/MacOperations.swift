import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// GenerateMac.
    public func generateMac(_ input: DataPlane.GenerateMacInput, context: RequestContext) async throws -> DataPlane.GenerateMacOutput {
        let attributes = try macAttributes(input.generationAttributes, root: "GenerationAttributes")
        let (key, material, keyArn) = try await macKey(input.keyIdentifier, attributes: attributes, generate: true, context)
        let message = try messageBytes(input.messageData)
        do {
            let mac = try MacOperation.generate(key: material, attributes: attributes, message: message, macLength: input.macLength)
            return DataPlane.GenerateMacOutput(keyArn: keyArn, keyCheckValue: key.record.keyCheckValue, mac: mac)
        } catch {
            throw serviceError(error, keyArn: keyArn)
        }
    }

    /// VerifyMac: VerificationFailedException (`INVALID_MAC`) when the MAC does not match.
    public func verifyMac(_ input: DataPlane.VerifyMacInput, context: RequestContext) async throws -> DataPlane.VerifyMacOutput {
        let attributes = try macAttributes(input.verificationAttributes, root: "VerificationAttributes")
        let (key, material, keyArn) = try await macKey(input.keyIdentifier, attributes: attributes, generate: false, context)
        let message = try messageBytes(input.messageData)
        do {
            try MacOperation.verify(key: material, attributes: attributes, message: message, mac: input.mac, macLength: input.macLength)
            return DataPlane.VerifyMacOutput(keyArn: keyArn, keyCheckValue: key.record.keyCheckValue)
        } catch {
            throw serviceError(error, keyArn: keyArn)
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
    /// Returns the cache's shared entry, its material and the key's ARN.
    func macKey(_ identifier: String, attributes: MacAttributes, generate: Bool, _ context: RequestContext) async throws
        -> (KeyMaterialCache.Entry, SymmetricKeyMaterial, String) {
        let (key, keyArn) = try await usableKeyAndArn(identifier, context, operation: generate ? "GenerateMac" : "VerifyMac")
        try DataKeyChecks.requireUsableState(key.record)
        try DataKeyChecks.requireUsage(key.record, in: [attributes.requiredKeyUsage])
        try DataKeyChecks.requireMode(key.record, attributes.usesDerivationKey ? .deriveKey : (generate ? .generate : .verify))
        guard let material = key.material else {
            throw ServiceError.validation(MacRequestError.keyAlgorithmMessage(keyArn: keyArn))
        }
        return (key, material, keyArn)
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
