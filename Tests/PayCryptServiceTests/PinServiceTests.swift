import PayCryptModel
import PaymentCryptography
import Testing
@testable import PayCryptService

/// The PIN operations on the service: round trips of every generation member in every format,
/// the failure shapes (wrong PIN, block that does not decode) and translation both ways.
@Suite("Service: GeneratePinData, VerifyPinData, TranslatePinData")
struct PinServiceTests {
    static let pan = "4111111111111111"
    static let ibm = DataPlane.Ibm3624NaturalPin(decimalizationTable: "0123456789012345", pinValidationDataPadCharacter: "F",
                                                 pinValidationData: "1234567890")
    static let pekModes = ControlPlane.KeyModesOfUse(encrypt: true, decrypt: true, wrap: true, unwrap: true)

    func key(_ s: PaymentCryptographyService, _ usage: ControlPlane.KeyUsage, _ algorithm: ControlPlane.KeyAlgorithm,
             _ modes: ControlPlane.KeyModesOfUse) async throws -> ControlPlane.Key {
        try await s.createKey(.init(keyAttributes: attributes(usage, algorithm, modes), exportable: true), context: east).key
    }

    func verifyAttributes(_ out: DataPlane.GeneratePinDataOutput) -> DataPlane.PinVerificationAttributes {
        switch out.pinData {
        case .verificationValue(let v): .visaPin(.init(pinVerificationKeyIndex: 2, verificationValue: v))
        case .pinOffset(let o): .ibm3624Pin(.init(decimalizationTable: Self.ibm.decimalizationTable, pinValidationDataPadCharacter: "F",
                                                  pinValidationData: Self.ibm.pinValidationData, pinOffset: o))
        }
    }

    @Test("Every random-PIN member in every format: generate, verify; a changed PVV or offset is INVALID_PIN")
    func roundTrips() async throws {
        let s = try makeService()
        let visa = try await key(s, .tr31V2VisaPinVerificationKey, .tdes2Key, macModes)
        let v1 = try await key(s, .tr31V1Ibm3624PinVerificationKey, .tdes2Key, macModes)
        let pek = try await key(s, .tr31P0PinEncryptionKey, .tdes2Key, Self.pekModes)
        let pekAES = try await key(s, .tr31P0PinEncryptionKey, .aes128, Self.pekModes)
        let members: [(DataPlane.PinGenerationAttributes, ControlPlane.Key)] = [
            (.visaPin(.init(pinVerificationKeyIndex: 2)), visa),
            (.ibm3624RandomPin(.init(decimalizationTable: Self.ibm.decimalizationTable, pinValidationDataPadCharacter: "F",
                                     pinValidationData: Self.ibm.pinValidationData)), v1),
            (.ibm3624NaturalPin(Self.ibm), v1),
        ]
        for format in DataPlane.PinBlockFormatForPinData.allCases {
            let enc = format == .isoFormat4 ? pekAES : pek
            for (member, pvk) in members {
                let out = try await s.generatePinData(.init(generationKeyIdentifier: pvk.keyArn, encryptionKeyIdentifier: enc.keyArn,
                                                            generationAttributes: member, pinDataLength: 6, primaryAccountNumber: Self.pan,
                                                            pinBlockFormat: format), context: east)
                #expect(out.encryptedPinBlock.count == (format == .isoFormat4 ? 32 : 16))
                #expect(out.generationKeyArn == pvk.keyArn && out.encryptionKeyCheckValue == enc.keyCheckValue)
                let attrs = verifyAttributes(out)
                _ = try await s.verifyPinData(.init(verificationKeyIdentifier: pvk.keyArn, encryptionKeyIdentifier: enc.keyArn,
                                                    verificationAttributes: attrs, encryptedPinBlock: out.encryptedPinBlock,
                                                    primaryAccountNumber: Self.pan, pinBlockFormat: format), context: east)
                let wrong: DataPlane.PinVerificationAttributes
                switch attrs {
                case .visaPin(let v):
                    let first = ((v.verificationValue.first?.wholeNumberValue ?? 0) + 1) % 10
                    wrong = .visaPin(.init(pinVerificationKeyIndex: 2, verificationValue: String(first) + v.verificationValue.dropFirst()))
                case .ibm3624Pin(var i):
                    i.pinOffset = i.pinOffset == "999999" ? "000000" : "999999"
                    wrong = .ibm3624Pin(i)
                }
                await #expect(throws: ServiceError(.verificationFailed, "Pin block verification failed.", reason: "INVALID_PIN")) {
                    _ = try await s.verifyPinData(.init(verificationKeyIdentifier: pvk.keyArn, encryptionKeyIdentifier: enc.keyArn,
                                                        verificationAttributes: wrong, encryptedPinBlock: out.encryptedPinBlock,
                                                        primaryAccountNumber: Self.pan, pinBlockFormat: format), context: east)
                }
            }
        }
    }

    @Test("A block that does not decode is a ValidationException naming the field, never an internal error")
    func invalidBlock() async throws {
        let s = try makeService()
        let v1 = try await key(s, .tr31V1Ibm3624PinVerificationKey, .tdes2Key, macModes)
        let pek = try await key(s, .tr31P0PinEncryptionKey, .tdes2Key, Self.pekModes)
        for block in ["0000000000000000", "FFFFFFFFFFFFFFFF00", "0123456789ABCDEF0123456789ABCDEF"] {
            do {
                _ = try await s.verifyPinData(.init(verificationKeyIdentifier: v1.keyArn, encryptionKeyIdentifier: pek.keyArn,
                                                    verificationAttributes: .ibm3624Pin(.init(decimalizationTable: Self.ibm.decimalizationTable,
                                                                                              pinValidationDataPadCharacter: "F",
                                                                                              pinValidationData: Self.ibm.pinValidationData,
                                                                                              pinOffset: "1234")),
                                                    encryptedPinBlock: block, primaryAccountNumber: Self.pan, pinBlockFormat: .isoFormat1),
                                              context: east)
                Issue.record("an invalid block verified")
            } catch let e as ServiceError {
                #expect(e.kind == .validation && e.message == PinError.invalidPinBlockMessage)
                #expect(e.fields.map(\.path) == ["EncryptedPinBlock"])
            }
        }
    }

    @Test("Translation ISO 0 -> ISO 4 (AES) -> ISO 0 gives the same block back; the output names the outgoing key; a PAN format to ISO 1 is refused")
    func translate() async throws {
        let s = try makeService()
        let v1 = try await key(s, .tr31V1Ibm3624PinVerificationKey, .tdes2Key, macModes)
        let pek = try await key(s, .tr31P0PinEncryptionKey, .tdes2Key, Self.pekModes)
        let pekAES = try await key(s, .tr31P0PinEncryptionKey, .aes128, Self.pekModes)
        let out = try await s.generatePinData(.init(generationKeyIdentifier: v1.keyArn, encryptionKeyIdentifier: pek.keyArn,
                                                    generationAttributes: .ibm3624NaturalPin(Self.ibm), primaryAccountNumber: Self.pan,
                                                    pinBlockFormat: .isoFormat0), context: east)
        let iso0 = DataPlane.TranslationIsoFormats.isoFormat0(.init(primaryAccountNumber: Self.pan))
        let iso4 = DataPlane.TranslationIsoFormats.isoFormat4(.init(primaryAccountNumber: Self.pan))
        let t4 = try await s.translatePinData(.init(incomingKeyIdentifier: pek.keyArn, outgoingKeyIdentifier: pekAES.keyArn,
                                                    incomingTranslationAttributes: iso0, outgoingTranslationAttributes: iso4,
                                                    encryptedPinBlock: out.encryptedPinBlock), context: east)
        #expect(t4.keyArn == pekAES.keyArn && t4.keyCheckValue == pekAES.keyCheckValue && t4.pinBlock.count == 32)
        let back = try await s.translatePinData(.init(incomingKeyIdentifier: pekAES.keyArn, outgoingKeyIdentifier: pek.keyArn,
                                                      incomingTranslationAttributes: iso4, outgoingTranslationAttributes: iso0,
                                                      encryptedPinBlock: t4.pinBlock.lowercased()), context: east)
        #expect(back.pinBlock == out.encryptedPinBlock)
        await #expect(throws: ServiceError.self) {
            _ = try await s.translatePinData(.init(incomingKeyIdentifier: pek.keyArn, outgoingKeyIdentifier: pek.keyArn,
                                                   incomingTranslationAttributes: iso0, outgoingTranslationAttributes: .isoFormat1(.init()),
                                                   encryptedPinBlock: out.encryptedPinBlock), context: east)
        }
    }
}
