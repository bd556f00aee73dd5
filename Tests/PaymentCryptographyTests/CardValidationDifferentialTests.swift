import Foundation
import Testing
@testable import PaymentCryptography

/// The card validation differential test: values computed by independent oracles (psec's CVV,
/// pyemv's option A and CVC3, and short oracles written from the standard for what no package
/// has; see Tests/oracle/gen_card_fixture.py) must be generated and verified identically here.
/// The committed fixture always runs; `PAYCRYPT_CARD_FIXTURE` adds a freshly generated one.
@Suite("Card validation differential test against psec, pyemv and the oracle")
struct CardValidationDifferentialTests {
    struct Fixture: Decodable {
        struct GenerateCase: Decodable {
            let member, keyAlgorithm, key, pan, validationData: String
            let fields: [String: String]
            let length: Int?
        }
        struct VerifyCase: Decodable {
            let member, keyAlgorithm, key, pan, validationData: String
            let fields: [String: String]
            let matches: Bool
        }
        let seed: Int
        let generate: [GenerateCase]
        let verify: [VerifyCase]
    }

    struct FixtureMissing: Error {}
    struct UnknownMember: Error { let name: String }

    static func fixtures() throws -> [(String, Fixture)] {
        guard let url = Bundle.module.url(forResource: "card_validation", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing()
        }
        var out = [("committed", try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)))]
        if let extra = ProcessInfo.processInfo.environment["PAYCRYPT_CARD_FIXTURE"], !extra.isEmpty {
            out.append((extra, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: extra)))))
        }
        return out
    }

    static func attributes(_ member: String, _ f: [String: String]) throws -> CardValidationAttributes {
        let e = f["CardExpiryDate"] ?? "", s = f["ServiceCode"] ?? "", p = f["PanSequenceNumber"] ?? ""
        let u = f["UnpredictableNumber"] ?? "", a = f["ApplicationTransactionCounter"] ?? "", t = f["TrackData"] ?? ""
        switch member {
        case "CardVerificationValue1": return .cardVerificationValue1(expiryDate: e, serviceCode: s)
        case "CardVerificationValue2": return .cardVerificationValue2(expiryDate: e)
        case "AmexCardSecurityCodeVersion1": return .amexCardSecurityCodeVersion1(expiryDate: e)
        case "AmexCardSecurityCodeVersion2": return .amexCardSecurityCodeVersion2(expiryDate: e, serviceCode: s)
        case "CardHolderVerificationValue":
            return .cardHolderVerificationValue(unpredictableNumber: u, panSequenceNumber: p, applicationTransactionCounter: a)
        case "DynamicCardVerificationCode":
            return .dynamicCardVerificationCode(unpredictableNumber: u, panSequenceNumber: p, applicationTransactionCounter: a, trackData: t)
        case "DynamicCardVerificationValue":
            return .dynamicCardVerificationValue(panSequenceNumber: p, expiryDate: e, serviceCode: s, applicationTransactionCounter: a)
        case "DiscoverDynamicCardVerificationCode":
            return .discoverDynamicCardVerificationCode(expiryDate: e, unpredictableNumber: u, applicationTransactionCounter: a)
        default: throw UnknownMember(name: member)
        }
    }

    @Test("Generate: every oracle value is reproduced, for every member, key algorithm and length")
    func generate() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.generate.count >= 200, "\(name) has too few generate cases")
            #expect(Set(fixture.generate.map(\.member)).count == 7, "\(name) misses a member")
            for c in fixture.generate {
                let got = try CardValidation.generate(key: h(c.key), attributes: Self.attributes(c.member, c.fields), pan: c.pan, length: c.length)
                #expect(got == c.validationData, "\(name) seed \(fixture.seed): \(c.member) \(c.keyAlgorithm)")
            }
            print("card validation differential (\(name), seed \(fixture.seed)): \(fixture.generate.count) generate cases")
        }
    }

    @Test("Verify: oracle values pass, altered values fail with verificationFailed, for every member")
    func verify() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.verify.count >= 200, "\(name) has too few verify cases")
            #expect(Set(fixture.verify.map(\.member)).count == 8, "\(name) misses a member")
            #expect(fixture.verify.contains { !$0.matches } && fixture.verify.contains { $0.matches })
            for c in fixture.verify {
                let label = "\(name) seed \(fixture.seed): \(c.member) \(c.keyAlgorithm) matches=\(c.matches)"
                do {
                    try CardValidation.verify(key: h(c.key), attributes: Self.attributes(c.member, c.fields), pan: c.pan, validationData: c.validationData)
                    #expect(c.matches, "\(label)")
                } catch let e as CardValidationError {
                    #expect(!c.matches && e.kind == .verificationFailed, "\(label): \(e)")
                }
            }
            print("card validation differential (\(name), seed \(fixture.seed)): \(fixture.verify.count) verify cases")
        }
    }
}
