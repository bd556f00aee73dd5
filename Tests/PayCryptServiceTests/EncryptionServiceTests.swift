import PayCryptModel
import PaymentCryptography
import Testing
@testable import PayCryptService

/// The encryption operations on the service: round trips of every member on created keys, the
/// ReEncryptData pairs, and the key rules of the AWS guide's "Valid keys for cryptographic
/// operations" and the README Decisions. Known answers are in PaymentCryptographyTests and the
/// acceptance suite; this pins the service's own rules.
@Suite("Service: EncryptData, DecryptData, ReEncryptData")
struct EncryptionServiceTests {
    static let ed = ControlPlane.KeyModesOfUse(encrypt: true, decrypt: true, wrap: true, unwrap: true)

    func key(_ s: PaymentCryptographyService, _ usage: ControlPlane.KeyUsage, _ algorithm: ControlPlane.KeyAlgorithm,
             _ modes: ControlPlane.KeyModesOfUse) async throws -> ControlPlane.Key {
        try await s.createKey(.init(keyAttributes: attributes(usage, algorithm, modes), exportable: true), context: east).key
    }

    func validation(_ body: () async throws -> Void) async -> ServiceError? {
        do { try await body() } catch let e as ServiceError { return e.kind == .validation ? e : nil } catch { return nil }
        return nil
    }

    @Test("Every member round-trips; KeyArn and KeyCheckValue name the key")
    func roundTrips() async throws {
        let s = try makeService()
        let d0 = try await key(s, .tr31D0SymmetricDataEncryptionKey, .aes256, Self.ed)
        let b0 = try await key(s, .tr31B0BaseDerivationKey, .aes128, .init(deriveKey: true))
        let e1 = try await key(s, .tr31E1EmvMkeyConfidentiality, .tdes2Key, .init(deriveKey: true))
        let plain = String(repeating: "0123456789ABCDEF", count: 4)
        let members: [(ControlPlane.Key, DataPlane.EncryptionDecryptionAttributes)] = [
            (d0, .symmetric(.init(mode: .cfb1, initializationVector: "00112233445566778899aabbccddeeff"))),
            (b0, .dukpt(.init(keySerialNumber: "123456789012345600000001", dukptKeyDerivationType: .tdes2Key))),
            (e1, .emv(.init(majorKeyDerivationMode: .emvOptionA, primaryAccountNumber: "4111111111111111", panSequenceNumber: "00",
                            sessionDerivationData: "0001000000000000"))),
        ]
        for (k, attrs) in members {
            let ct = try await s.encryptData(.init(keyIdentifier: k.keyArn, plainText: plain, encryptionAttributes: attrs), context: east)
            #expect(ct.keyArn == k.keyArn && ct.keyCheckValue == k.keyCheckValue && ct.cipherText != plain)
            let pt = try await s.decryptData(.init(keyIdentifier: k.keyArn, cipherText: ct.cipherText.lowercased(), decryptionAttributes: attrs), context: east)
            #expect(pt.plainText == plain)
        }
    }

    @Test("ReEncryptData: DUKPT to D0 works; D0 to D0 and RSA to RSA are refused with the contract's message")
    func reEncryptPairs() async throws {
        let s = try makeService()
        let d0 = try await key(s, .tr31D0SymmetricDataEncryptionKey, .tdes3Key, Self.ed)
        let b0 = try await key(s, .tr31B0BaseDerivationKey, .tdes2Key, .init(deriveKey: true))
        let dukpt = DataPlane.DukptEncryptionAttributes(keySerialNumber: "FFFF9876543210E00001")
        let plain = String(repeating: "A5", count: 16)
        let ct = try await s.encryptData(.init(keyIdentifier: b0.keyArn, plainText: plain, encryptionAttributes: .dukpt(dukpt)), context: east)
        let out = try await s.reEncryptData(.init(incomingKeyIdentifier: b0.keyArn, outgoingKeyIdentifier: d0.keyArn, cipherText: ct.cipherText,
                                                  incomingEncryptionAttributes: .dukpt(dukpt), outgoingEncryptionAttributes: .symmetric(.init(mode: .cbc))), context: east)
        #expect(out.keyArn == d0.keyArn && out.keyCheckValue == d0.keyCheckValue)
        let back = try await s.decryptData(.init(keyIdentifier: d0.keyArn, cipherText: out.cipherText, decryptionAttributes: .symmetric(.init(mode: .cbc))), context: east)
        #expect(back.plainText == plain)
        let refused = await validation {
            _ = try await s.reEncryptData(.init(incomingKeyIdentifier: d0.keyArn, outgoingKeyIdentifier: d0.keyArn, cipherText: out.cipherText,
                                                incomingEncryptionAttributes: .symmetric(.init(mode: .cbc)),
                                                outgoingEncryptionAttributes: .symmetric(.init(mode: .ecb))), context: east)
        }
        #expect(refused?.message == "KeyUsages not allowed for this operation.")
        let short = await validation {
            _ = try await s.reEncryptData(.init(incomingKeyIdentifier: b0.keyArn, outgoingKeyIdentifier: d0.keyArn, cipherText: "00112233445566778899AABBCCDDEE",
                                                incomingEncryptionAttributes: .dukpt(dukpt), outgoingEncryptionAttributes: .symmetric(.init(mode: .cbc))), context: east)
        }
        #expect(short?.fields.first?.path == "CipherText")
    }

    @Test("Key rules: usage, algorithm and mode of use, each a ValidationException naming the key")
    func keyRules() async throws {
        let s = try makeService()
        let encOnly = try await key(s, .tr31D0SymmetricDataEncryptionKey, .aes128, .init(encrypt: true, wrap: true))
        let b0tdes3 = try await key(s, .tr31B0BaseDerivationKey, .tdes3Key, .init(deriveKey: true))
        let m3 = try await key(s, .tr31M3Iso9797_3MacKey, .tdes2Key, macModes)
        let sym = DataPlane.EncryptionDecryptionAttributes.symmetric(.init(mode: .ecb))
        let usage = await validation {
            _ = try await s.encryptData(.init(keyIdentifier: m3.keyArn, plainText: "0011223344556677", encryptionAttributes: sym), context: east)
        }
        #expect(usage?.message == "KeyUsage of the input key \(m3.keyArn) is invalid for the operation.")
        let algorithm = await validation {
            _ = try await s.encryptData(.init(keyIdentifier: b0tdes3.keyArn, plainText: "0011223344556677",
                                              encryptionAttributes: .dukpt(.init(keySerialNumber: "FFFF9876543210E00001"))), context: east)
        }
        #expect(algorithm?.message == "KeyAlgorithm of the input key \(b0tdes3.keyArn) is invalid for the operation.")
        let mode = await validation {
            _ = try await s.decryptData(.init(keyIdentifier: encOnly.keyArn, cipherText: "00112233445566778899AABBCCDDEEFF", decryptionAttributes: sym), context: east)
        }
        #expect(mode?.message.contains("Decrypt") == true)
        _ = try await s.encryptData(.init(keyIdentifier: encOnly.keyArn, plainText: "00112233445566778899AABBCCDDEEFF", encryptionAttributes: sym), context: east)
    }
}
