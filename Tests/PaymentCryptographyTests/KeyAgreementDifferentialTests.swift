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

    /// The fixture names its cases in AWS's words (the generator mirrors the API); the library in the standards'.
    static let curves: [String: ECCCurve] = ["ECC_NIST_P256": .p256, "ECC_NIST_P384": .p384, "ECC_NIST_P521": .p521]
    static let kdfs: [String: KeyAgreementKDF] = ["NIST_SP800": .oneStep, "ANSI_X963": .x963]
    static let hashes: [String: KDFHash] = ["SHA_256": .sha256, "SHA_384": .sha384, "SHA_512": .sha512]

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
                guard let curve = Self.curves[c.curve], let kdf = Self.kdfs[c.kdf], let hash = Self.hashes[c.hash] else {
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
