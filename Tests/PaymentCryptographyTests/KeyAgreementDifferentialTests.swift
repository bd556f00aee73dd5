import Foundation
import Testing
@testable import PaymentCryptography

/// The ECDH differential test: shared secrets and derived keys computed by pyca cryptography
/// (`exchange(ECDH())`, `ConcatKDFHash`, `X963KDF`; Tests/oracle/gen_key_agreement_fixture.py) must be
/// those of paycrypt's ECDH and KDFs. The committed fixture always runs;
/// `PAYCRYPT_KEY_AGREEMENT_FIXTURE` adds a freshly generated one.
@Suite("ECDH and KDF differential test against pyca cryptography")
struct KeyAgreementDifferentialTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let curve, privateKey, publicKey, z, kdf, hash, sharedInfo, derived: String
            let length: Int
        }
        let seed: Int
        let cases: [Case]
    }

    struct FixtureMissing: Error {}
    struct UnknownValue: Error { let value: String }

    static func fixtures() throws -> [(String, Fixture)] {
        guard let url = Bundle.module.url(forResource: "key_agreement", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing()
        }
        var out = [("committed", try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)))]
        if let extra = ProcessInfo.processInfo.environment["PAYCRYPT_KEY_AGREEMENT_FIXTURE"], !extra.isEmpty {
            out.append((extra, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: extra)))))
        }
        return out
    }

    @Test("Z and the derived key of every case equal cryptography's, for every curve, KDF and hash")
    func sharedSecretsAndKeys() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.cases.count >= 100, "\(name) has too few cases")
            #expect(Set(fixture.cases.map { "\($0.curve) \($0.kdf) \($0.hash)" }).count == 18, "\(name) misses a curve, KDF or hash")
            for c in fixture.cases {
                let label = "\(name) seed \(fixture.seed): \(c.curve) \(c.kdf) \(c.hash) L=\(c.length)"
                guard let curve = ECCCurve(rawValue: c.curve), let kdf = KeyAgreementKDF(rawValue: c.kdf), let hash = KDFHash(rawValue: c.hash) else {
                    throw UnknownValue(value: label)
                }
                let z = try ECDH.sharedSecret(curve, privateKey: h(c.privateKey), publicKey: h(c.publicKey))
                #expect(hx(z) == c.z, "\(label): Z")
                #expect(hx(try kdf.derive(hash: hash, z: z, info: h(c.sharedInfo), length: c.length)) == c.derived, "\(label): derived key")
            }
            print("key agreement differential (\(name), seed \(fixture.seed)): \(fixture.cases.count) cases")
        }
    }
}
