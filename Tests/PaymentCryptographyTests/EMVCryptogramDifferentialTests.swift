import Foundation
import Testing
@testable import PaymentCryptography

/// The ARQC/ARPC differential test: values computed by independent oracles (pyemv's master keys,
/// session keys, AC MAC and ARPC methods, and a short UnionPay oracle; see
/// Tests/oracle/gen_emv_fixture.py) must be generated and verified identically here. The committed
/// fixture always runs; `PAYCRYPT_EMV_FIXTURE` adds a freshly generated one.
@Suite("EMV cryptogram differential test against pyemv and the oracle")
struct EMVCryptogramDifferentialTests {
    struct Fixture: Decodable {
        struct Response: Decodable {
            struct M1: Decodable { let AuthResponseCode: String }
            struct M2: Decodable { let CardStatusUpdate: String; let ProprietaryAuthenticationData: String? }
            let ArpcMethod1: M1?
            let ArpcMethod2: M2?
        }
        struct GenerateCase: Decodable {
            let member, option, key, pan, psn, transactionData, arqc: String
            let fields: [String: String]
        }
        struct VerifyCase: Decodable {
            let member, option, key, pan, psn, transactionData, arqc: String
            let fields: [String: String]
            let matches: Bool
            let response: Response?
            let arpc: String?
        }
        let seed: Int
        let generate: [GenerateCase]
        let verify: [VerifyCase]
    }

    struct FixtureMissing: Error {}
    struct UnknownMember: Error { let name: String }

    static func fixtures() throws -> [(String, Fixture)] {
        guard let url = Bundle.module.url(forResource: "emv", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing()
        }
        var out = [("committed", try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)))]
        if let extra = ProcessInfo.processInfo.environment["PAYCRYPT_EMV_FIXTURE"], !extra.isEmpty {
            out.append((extra, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: extra)))))
        }
        return out
    }

    static func attributes(_ member: String, _ option: String, _ pan: String, _ psn: String, _ f: [String: String]) throws -> ARQCAttributes {
        let atc = f["ApplicationTransactionCounter"] ?? "", un = f["UnpredictableNumber"] ?? ""
        let scheme: ARQCSessionKeyScheme
        switch member {
        case "EmvCommon": scheme = .emvCommon(applicationTransactionCounter: atc)
        case "Mastercard": scheme = .mastercard(applicationTransactionCounter: atc, unpredictableNumber: un)
        case "Emv2000": scheme = .emv2000(applicationTransactionCounter: atc)
        case "Amex": scheme = .amex
        case "Visa": scheme = .visa
        case "UnionPay": scheme = .unionPay(applicationTransactionCounter: atc)
        default: throw UnknownMember(name: member)
        }
        guard let o = EMVMasterKeyOption(rawValue: option) else { throw UnknownMember(name: option) }
        return ARQCAttributes(masterKeyOption: o, primaryAccountNumber: pan, panSequenceNumber: psn, scheme: scheme)
    }

    @Test("Generate: every oracle ARQC is reproduced, for every member and both options")
    func generate() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.generate.count >= 200, "\(name) has too few generate cases")
            #expect(Set(fixture.generate.map(\.member)).count == 6, "\(name) misses a member")
            #expect(Set(fixture.generate.map(\.option)).count == 2, "\(name) misses an option")
            for c in fixture.generate {
                let got = try AuthRequestCryptogram.generate(issuerMasterKey: h(c.key), attributes: Self.attributes(c.member, c.option, c.pan, c.psn, c.fields),
                                                             transactionData: c.transactionData)
                #expect(got == c.arqc, "\(name) seed \(fixture.seed): \(c.member) \(c.option)")
            }
            print("EMV cryptogram differential (\(name), seed \(fixture.seed)): \(fixture.generate.count) generate cases")
        }
    }

    @Test("Verify: oracle ARQCs pass with the oracle's ARPC, altered ARQCs fail")
    func verify() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.verify.count >= 200, "\(name) has too few verify cases")
            #expect(Set(fixture.verify.map(\.member)).count == 6, "\(name) misses a member")
            #expect(fixture.verify.contains { !$0.matches } && fixture.verify.contains { $0.matches })
            #expect(fixture.verify.contains { $0.response?.ArpcMethod1 != nil } && fixture.verify.contains { $0.response?.ArpcMethod2 != nil })
            for c in fixture.verify {
                let response: ARPCMethod? = c.response.map { r in
                    if let m = r.ArpcMethod1 { return .method1(authResponseCode: m.AuthResponseCode) }
                    return .method2(cardStatusUpdate: r.ArpcMethod2?.CardStatusUpdate ?? "", proprietaryAuthenticationData: r.ArpcMethod2?.ProprietaryAuthenticationData)
                }
                let a = try Self.attributes(c.member, c.option, c.pan, c.psn, c.fields)
                do {
                    let arpc = try AuthRequestCryptogram.verify(issuerMasterKey: h(c.key), attributes: a, transactionData: c.transactionData,
                                                                cryptogram: c.arqc, response: response)
                    #expect(c.matches, "\(name) seed \(fixture.seed): \(c.member) verified a wrong ARQC")
                    #expect(arpc == c.arpc, "\(name) seed \(fixture.seed): \(c.member) ARPC")
                } catch {
                    #expect(!c.matches && error.kind == .verificationFailed, "\(name) seed \(fixture.seed): \(c.member): \(error)")
                }
            }
            print("EMV cryptogram differential (\(name), seed \(fixture.seed)): \(fixture.verify.count) verify cases")
        }
    }
}
