import Foundation
import Testing
@testable import PaymentCryptography

/// The PIN change differential test: pyemv's secure-messaging functions (and the EmvCommon options
/// written from the rule in Tests/oracle/gen_emv_fixture.py) against EMVPinChange, over every
/// `DerivationMethodAttributes` member, PIN block format, option and PEK length. The committed
/// fixture always runs; `PAYCRYPT_EMV_FIXTURE` adds a freshly generated one.
@Suite("EMV PIN change differential test against pyemv")
struct EMVPinChangeDifferentialTests {
    struct Case: Decodable {
        let member, option, pan, psn, pinBlockFormat, pek, smi, smc, newEncryptedPinBlock, messageData, encryptedPinBlock, mac: String
        let fields: [String: String]
        let ac, currentPek, currentEncryptedPinBlock: String?
    }
    struct Fixture: Decodable {
        let seed: Int
        let pinChange: [Case]
    }
    struct FixtureMissing: Error {}
    struct Unknown: Error { let name: String }

    static func fixtures() throws -> [(String, Fixture)] {
        guard let url = Bundle.module.url(forResource: "emv", withExtension: "json", subdirectory: "Fixtures") else { throw FixtureMissing() }
        var out = [("committed", try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)))]
        if let extra = ProcessInfo.processInfo.environment["PAYCRYPT_EMV_FIXTURE"], !extra.isEmpty {
            out.append((extra, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: extra)))))
        }
        return out
    }

    static func method(_ c: Case) throws -> EMVPinChangeMethod {
        let f = c.fields
        switch c.member {
        case "EmvCommon":
            return .emvCommon(applicationCryptogram: f["ApplicationCryptogram"] ?? "",
                              encipherment: .init(cbc: f["Mode"] == "CBC", iso7816Padding: f["PinBlockPaddingType"] == "ISO_IEC_7816_4",
                                                  lengthInFront: f["PinBlockLengthPosition"] == "FRONT_OF_PIN_BLOCK"))
        case "Mastercard": return .mastercard(applicationCryptogram: f["ApplicationCryptogram"] ?? "")
        case "Visa": return .visa(applicationTransactionCounter: f["ApplicationTransactionCounter"] ?? "")
        case "Amex": return .amex(applicationTransactionCounter: f["ApplicationTransactionCounter"] ?? "")
        case "Emv2000": return .emv2000(applicationTransactionCounter: f["ApplicationTransactionCounter"] ?? "")
        default: throw Unknown(name: c.member)
        }
    }

    @Test("Every oracle EncryptedPinBlock and Mac is reproduced")
    func pinChange() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.pinChange.count >= 200, "\(name) has too few PIN change cases")
            #expect(Set(fixture.pinChange.map(\.member)).count == 5, "\(name) misses a member")
            #expect(Set(fixture.pinChange.map(\.pinBlockFormat)).count == 3, "\(name) misses a PIN block format")
            for c in fixture.pinChange {
                guard let format = EMVIncomingPinBlockFormat(rawValue: c.pinBlockFormat), let option = EMVMasterKeyOption(rawValue: c.option) else {
                    throw Unknown(name: c.pinBlockFormat + c.option)
                }
                let current = c.currentPek.flatMap { k in c.currentEncryptedPinBlock.map { EMVEncryptedPin(pinEncryptionKey: h(k), encryptedPinBlock: $0) } }
                let out = try EMVPinChange.generate(
                    newPin: EMVEncryptedPin(pinEncryptionKey: h(c.pek), encryptedPinBlock: c.newEncryptedPinBlock), format: format,
                    integrityKey: h(c.smi), confidentialityKey: h(c.smc), authorizationRequestKey: c.ac.map(h), currentPin: current,
                    masterKeyOption: option, pan: c.pan, psn: c.psn, method: try Self.method(c), messageData: c.messageData)
                #expect(out == EMVPinChange.Output(encryptedPinBlock: c.encryptedPinBlock, mac: c.mac), "\(name) seed \(fixture.seed): \(c.member) \(c.pinBlockFormat)")
            }
            print("EMV PIN change differential (\(name), seed \(fixture.seed)): \(fixture.pinChange.count) cases")
        }
    }
}
