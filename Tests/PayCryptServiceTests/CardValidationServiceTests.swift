import PayCryptModel
import PaymentCryptography
import Testing
@testable import PayCryptService

/// The card validation operations on the service: round trips for every member, the failure
/// shape, and the key rules of the AWS guide's "Valid keys for cryptographic operations" and the README Decisions.
@Suite("Service: GenerateCardValidationData, VerifyCardValidationData")
struct CardValidationServiceTests {
    static let cvv1 = DataPlane.CardGenerationAttributes.cardVerificationValue1(.init(cardExpiryDate: "2512", serviceCode: "201"))
    static let cvv1Verify = DataPlane.CardVerificationAttributes.cardVerificationValue1(.init(cardExpiryDate: "2512", serviceCode: "201"))
    static let pan = "4111111111111111"

    func key(_ s: PaymentCryptographyService, _ usage: ControlPlane.KeyUsage, _ algorithm: ControlPlane.KeyAlgorithm,
             _ modes: ControlPlane.KeyModesOfUse, enabled: Bool? = nil) async throws -> ControlPlane.Key {
        try await s.createKey(.init(keyAttributes: attributes(usage, algorithm, modes), exportable: true, enabled: enabled), context: east).key
    }

    static let members: [(DataPlane.CardGenerationAttributes, DataPlane.CardVerificationAttributes, ControlPlane.KeyUsage, ControlPlane.KeyAlgorithm)] = {
        let dcvv = DataPlane.DynamicCardVerificationValue(panSequenceNumber: "01", cardExpiryDate: "2512", serviceCode: "201", applicationTransactionCounter: "1A")
        let cvc3 = DataPlane.DynamicCardVerificationCode(unpredictableNumber: "899", panSequenceNumber: "00", applicationTransactionCounter: "005e", trackData: "4111111111111111D2512201")
        let chv = DataPlane.CardHolderVerificationValue(unpredictableNumber: "ABCDEF12", panSequenceNumber: "00", applicationTransactionCounter: "0001")
        return [
            (cvv1, cvv1Verify, .tr31C0CardVerificationKey, .tdes2Key),
            (.cardVerificationValue2(.init(cardExpiryDate: "2512")), .cardVerificationValue2(.init(cardExpiryDate: "2512")), .tr31C0CardVerificationKey, .tdes2Key),
            (.amexCardSecurityCodeVersion1(.init(cardExpiryDate: "2512")), .amexCardSecurityCodeVersion1(.init(cardExpiryDate: "2512")), .tr31C0CardVerificationKey, .tdes3Key),
            (.amexCardSecurityCodeVersion2(.init(cardExpiryDate: "2512", serviceCode: "999")), .amexCardSecurityCodeVersion2(.init(cardExpiryDate: "2512", serviceCode: "999")), .tr31C0CardVerificationKey, .tdes2Key),
            (.dynamicCardVerificationValue(dcvv), .dynamicCardVerificationValue(dcvv), .tr31E6EmvMkeyOther, .tdes2Key),
            (.dynamicCardVerificationCode(cvc3), .dynamicCardVerificationCode(cvc3), .tr31E4EmvMkeyDynamicNumbers, .tdes2Key),
            (.cardHolderVerificationValue(chv), .cardHolderVerificationValue(chv), .tr31E6EmvMkeyOther, .tdes2Key),
        ]
    }()

    @Test("Every member: generate N digits, verify it, and a changed digit is VerificationFailed INVALID_VALIDATION_DATA")
    func roundTrips() async throws {
        let s = try makeService()
        for (gen, ver, usage, algorithm) in Self.members {
            let modes: ControlPlane.KeyModesOfUse = usage == .tr31C0CardVerificationKey ? macModes : .init(deriveKey: true)
            let k = try await key(s, usage, algorithm, modes)
            for n in [nil, 3, 4, 5] as [Int?] {
                let out = try await s.generateCardValidationData(.init(keyIdentifier: k.keyArn, primaryAccountNumber: Self.pan, generationAttributes: gen, validationDataLength: n), context: east)
                #expect(out.validationData.count == (n ?? 3) && out.validationData.allSatisfy(\.isNumber))
                #expect(out.keyArn == k.keyArn && out.keyCheckValue == k.keyCheckValue)
                _ = try await s.verifyCardValidationData(.init(keyIdentifier: k.keyArn, primaryAccountNumber: Self.pan, verificationAttributes: ver, validationData: out.validationData), context: east)
                let last = out.validationData.last.flatMap { $0.wholeNumberValue } ?? 0
                let wrong = String(out.validationData.dropLast()) + String((last + 1) % 10)
                do {
                    _ = try await s.verifyCardValidationData(.init(keyIdentifier: k.keyArn, primaryAccountNumber: Self.pan, verificationAttributes: ver, validationData: wrong), context: east)
                    Issue.record("a wrong value verified")
                } catch let e as ServiceError {
                    #expect(e.kind == .verificationFailed && e.reason == "INVALID_VALIDATION_DATA" && e.message == "Card validation data verification failed.")
                }
            }
        }
    }

    @Test("Key rules: usage, algorithm, mode, then state; each a ValidationException naming the key")
    func keyRules() async throws {
        let s = try makeService()
        let d0 = try await key(s, .tr31D0SymmetricDataEncryptionKey, .tdes2Key, .init(encrypt: true, decrypt: true, wrap: true, unwrap: true))
        let aes = try await key(s, .tr31C0CardVerificationKey, .aes128, macModes)
        let c0x3 = try await key(s, .tr31C0CardVerificationKey, .tdes3Key, macModes)
        let genOnly = try await key(s, .tr31C0CardVerificationKey, .tdes2Key, .init(generate: true))
        let verOnly = try await key(s, .tr31C0CardVerificationKey, .tdes2Key, .init(verify: true))
        let disabled = try await key(s, .tr31C0CardVerificationKey, .tdes2Key, macModes, enabled: false)
        func generate(_ k: ControlPlane.Key) async throws {
            _ = try await s.generateCardValidationData(.init(keyIdentifier: k.keyArn, primaryAccountNumber: Self.pan, generationAttributes: Self.cvv1), context: east)
        }
        func verify(_ k: ControlPlane.Key) async throws {
            _ = try await s.verifyCardValidationData(.init(keyIdentifier: k.keyArn, primaryAccountNumber: Self.pan, verificationAttributes: Self.cvv1Verify, validationData: "123"), context: east)
        }
        func message(_ body: () async throws -> Void) async -> String {
            do { try await body(); return "" } catch let e as ServiceError { return e.kind == .validation ? e.message : "\(e)" } catch { return "\(error)" }
        }
        #expect(await message { try await generate(d0) }.hasPrefix("KeyUsage of the input key \(d0.keyArn)"))
        #expect(await message { try await generate(aes) }.hasPrefix("KeyAlgorithm of the input key \(aes.keyArn)"))
        #expect(await message { try await verify(c0x3) }.hasPrefix("KeyAlgorithm of the input key \(c0x3.keyArn)"))
        #expect(await message { try await verify(genOnly) }.hasPrefix("KeyModesOfUse of the input key \(genOnly.keyArn)"))
        #expect(await message { try await generate(verOnly) }.hasPrefix("KeyModesOfUse of the input key \(verOnly.keyArn)"))
        #expect(await message { try await generate(disabled) }.contains("disabled"))
        try await generate(genOnly)
        await expectError(.resourceNotFound) {
            _ = try await s.generateCardValidationData(.init(keyIdentifier: "alias/none", primaryAccountNumber: Self.pan, generationAttributes: Self.cvv1), context: east)
        }
        await expectError(.validation) {
            _ = try await s.generateCardValidationData(.init(keyIdentifier: genOnly.keyArn, primaryAccountNumber: Self.pan, generationAttributes: Self.cvv1, validationDataLength: 6), context: east)
        }
        _ = try await s.deleteKey(.init(keyIdentifier: genOnly.keyArn), context: east)
        #expect(await message { try await generate(genOnly) }.contains("pending deletion"))
    }
}
