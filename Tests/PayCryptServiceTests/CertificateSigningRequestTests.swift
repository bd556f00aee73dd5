import Crypto
import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import SwiftASN1
import Testing
import X509
import _CryptoExtras
@testable import PayCryptService

/// GetCertificateSigningRequest (control-plane.md §3): the request is read back with
/// swift-certificates' PKCS#10 parser and its signature checked independently of the signer.
@Suite("GetCertificateSigningRequest")
struct CertificateSigningRequestTests {
    /// AWS's BYOCA guide example subject.
    static let guideSubject = ControlPlane.CertificateSubjectType(
        commonName: "MyCertificateAWSUSEAST", organizationUnit: "PaymentCryptography", organization: "Amazon", city: "Arlington",
        country: "US", stateOrProvince: "Virginia")

    static func keyPair(_ s: PaymentCryptographyService, _ algorithm: ControlPlane.KeyAlgorithm, enabled: Bool? = nil) async throws -> ControlPlane.Key {
        let attributes: ControlPlane.KeyAttributes = algorithm.rawValue.hasPrefix("ECC")
            ? .init(keyUsage: .tr31K3AsymmetricKeyForKeyAgreement, keyClass: .asymmetricKeyPair, keyAlgorithm: algorithm, keyModesOfUse: .init(deriveKey: true))
            : .init(keyUsage: .tr31S0AsymmetricKeyForDigitalSignature, keyClass: .asymmetricKeyPair, keyAlgorithm: algorithm, keyModesOfUse: .init(sign: true))
        return try await s.createKey(.init(keyAttributes: attributes, exportable: true, enabled: enabled), context: east).key
    }

    /// The DER of the request from the operation's output (base64 of PEM).
    static func requestDER(_ output: ControlPlane.GetCertificateSigningRequestOutput) throws -> [UInt8] {
        #expect(output.certificateSigningRequest.hasPrefix("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0"))
        let text = String(decoding: Data(base64Encoded: output.certificateSigningRequest) ?? Data(), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "-----BEGIN CERTIFICATE REQUEST-----" && lines.last == "-----END CERTIFICATE REQUEST-----")
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.count <= 64 })
        return try PEMDocument(pemString: text).derBytes
    }

    /// (info DER, algorithm OID, signature) of a CertificationRequest (RFC 2986 §4.2).
    static func parts(_ der: [UInt8]) throws -> (info: [UInt8], algorithm: ASN1ObjectIdentifier, parameters: Int, signature: [UInt8]) {
        let root = try DER.parse(der)
        guard case .constructed(let nodes) = root.content else { throw ASN1Error.invalidASN1Object(reason: "not a sequence") }
        let n = Array(nodes)
        guard n.count == 3, case .constructed(let alg) = n[1].content else { throw ASN1Error.invalidASN1Object(reason: "shape") }
        let algorithm = Array(alg)
        var info = DER.Serializer()
        info.serialize(n[0])
        return (info.serializedBytes, try ASN1ObjectIdentifier(derEncoded: algorithm[0]), algorithm.count - 1,
                Array(try ASN1BitString(derEncoded: n[2]).bytes))
    }

    @Test("RSA key pairs, every SigningAlgorithm: subject C, ST, L, O, OU, CN in order, the key's public key, a valid PKCS#1 v1.5 signature")
    func rsa() async throws {
        let s = try makeService()
        let key = try await Self.keyPair(s, .rsa2048)
        let certificate = try await s.getPublicKeyCertificate(.init(keyIdentifier: key.keyArn), context: east)
        let certificatePEM = String(decoding: Data(base64Encoded: certificate.keyCertificate) ?? Data(), as: UTF8.self)
        let certified = try Certificate(pemEncoded: certificatePEM).publicKey
        let oids: [String: ASN1ObjectIdentifier] = [
            "SHA224": [1, 2, 840, 113549, 1, 1, 14], "SHA256": [1, 2, 840, 113549, 1, 1, 11],
            "SHA384": [1, 2, 840, 113549, 1, 1, 12], "SHA512": [1, 2, 840, 113549, 1, 1, 13],
        ]
        for algorithm in ControlPlane.SigningAlgorithmType.allCases {
            let out = try await s.getCertificateSigningRequest(
                .init(keyIdentifier: key.keyArn, signingAlgorithm: algorithm, certificateSubject: Self.guideSubject), context: east)
            let der = try Self.requestDER(out)
            let (info, oid, parameters, signature) = try Self.parts(der)
            // swift-certificates reads no SHA-224 algorithm: that request is checked by parts only
            // (its info is built by the same code as the others').
            if algorithm != .sha224 {
                let csr = try CertificateSigningRequest(derEncoded: der)
                #expect(csr.version == .v1 && csr.publicKey == certified && csr.attributes.isEmpty)
                #expect(csr.subject.description == "CN=MyCertificateAWSUSEAST,OU=PaymentCryptography,O=Amazon,L=Arlington,ST=Virginia,C=US")
                #expect(Array(csr.subject.map { $0.description }) == ["C=US", "ST=Virginia", "L=Arlington", "O=Amazon", "OU=PaymentCryptography", "CN=MyCertificateAWSUSEAST"])
                #expect(csr.publicKey.isValidSignature(csr.signature, for: csr), "swift-certificates verifies \(algorithm.rawValue)")
            }
            #expect(oid == oids[algorithm.rawValue] && parameters == 1)
            // RSAVP1 with the public key, then the EMSA-PKCS1-v1_5 encoding compared whole (RFC 8017 §8.2.2).
            guard let rsaKey = _RSA.Signing.PublicKey(certified) else { Issue.record("not RSA"); continue }
            let (n, e) = try Self.rsaNumbers(Array(rsaKey.pkcs1DERRepresentation))
            let em = try RSAPublicOperation.rsaep(message: signature, modulus: n, exponent: e)
            let hash = CertificationRequest.Hash(rawValue: algorithm.rawValue) ?? .SHA256
            let digest: [UInt8] = switch hash {
            case .SHA224: PaymentCryptography.SHA224.hash(info)
            case .SHA256: Array(SHA256.hash(data: info))
            case .SHA384: Array(SHA384.hash(data: info))
            case .SHA512: Array(SHA512.hash(data: info))
            }
            #expect(em.starts(with: [0x00, 0x01, 0xFF]) && Array(em.suffix(digest.count)) == digest)
            #expect(Array(em.suffix(digest.count + hash.digestInfoPrefix.count).prefix(hash.digestInfoPrefix.count)) == hash.digestInfoPrefix)
            #expect(em.count == 256 && em.dropFirst(2).prefix(256 - 3 - digest.count - hash.digestInfoPrefix.count).allSatisfy { $0 == 0xFF })
        }
    }

    /// n and e of a PKCS#1 RSAPublicKey.
    static func rsaNumbers(_ der: [UInt8]) throws -> ([UInt8], [UInt8]) {
        guard case .constructed(let nodes) = try DER.parse(der).content else { throw ASN1Error.invalidASN1Object(reason: "not a sequence") }
        let n = Array(nodes)
        guard case .primitive(let modulus) = n[0].content, case .primitive(let exponent) = n[1].content else {
            throw ASN1Error.invalidASN1Object(reason: "shape")
        }
        return (Array(modulus), Array(exponent))
    }

    @Test("ECC key pairs (P-256, P-384, P-521): ECDSA signatures with the right OID and no parameters; email address last, as IA5String")
    func ecc() async throws {
        let s = try makeService()
        for curve in [ControlPlane.KeyAlgorithm.eccNistP256, .eccNistP384, .eccNistP521] {
            let key = try await Self.keyPair(s, curve)
            let certificate = try await s.getPublicKeyCertificate(.init(keyIdentifier: key.keyArn), context: east)
            let certified = try Certificate(pemEncoded: String(decoding: Data(base64Encoded: certificate.keyCertificate) ?? Data(), as: UTF8.self)).publicKey
            for algorithm in ControlPlane.SigningAlgorithmType.allCases {
                let subject = ControlPlane.CertificateSubjectType(commonName: " Mixed Case ", country: "us", emailAddress: "ops@example.com")
                let der = try Self.requestDER(try await s.getCertificateSigningRequest(
                    .init(keyIdentifier: key.keyArn, signingAlgorithm: algorithm, certificateSubject: subject), context: east))
                let (info, oid, parameters, signature) = try Self.parts(der)
                if algorithm != .sha224 {
                    let csr = try CertificateSigningRequest(derEncoded: der)
                    #expect(Array(csr.subject.map { $0.description }).prefix(2) == ["C=us", #"CN=\ Mixed Case\ "#])  // RFC 4514 escapes the spaces it displays
                    #expect(csr.subject.count == 3 && csr.publicKey == certified)
                }
                #expect(oid == CertificationRequest.Hash(rawValue: algorithm.rawValue)?.ecdsaSignatureOID && parameters == 0)
                // emailAddress is an IA5String (tag 0x16) in the last RDN.
                #expect(info.contains(0x16))
                let digest = (CertificationRequest.Hash(rawValue: algorithm.rawValue) ?? .SHA256).digest(info)
                let valid: Bool
                switch curve {
                case .eccNistP256:
                    let k = try #require(P256.Signing.PublicKey(certified))
                    valid = k.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: signature), for: CertificationRequest.PrecomputedDigest(bytes: digest))
                case .eccNistP384:
                    let k = try #require(P384.Signing.PublicKey(certified))
                    valid = k.isValidSignature(try P384.Signing.ECDSASignature(derRepresentation: signature), for: CertificationRequest.PrecomputedDigest(bytes: digest))
                default:
                    let k = try #require(P521.Signing.PublicKey(certified))
                    valid = k.isValidSignature(try P521.Signing.ECDSASignature(derRepresentation: signature), for: CertificationRequest.PrecomputedDigest(bytes: digest))
                }
                #expect(valid, "\(curve.rawValue) \(algorithm.rawValue)")
            }
        }
    }

    @Test("Refusals: symmetric key, public-key certificate, disabled or deleted key are ValidationException; unknown key ResourceNotFound")
    func refusals() async throws {
        let s = try makeService()
        let request = { (arn: String) in
            ControlPlane.GetCertificateSigningRequestInput(keyIdentifier: arn, signingAlgorithm: .sha256, certificateSubject: Self.guideSubject)
        }
        let m3 = try await createM3(s)
        await expectError(.validation) { _ = try await s.getCertificateSigningRequest(request(m3.keyArn), context: east) }
        let disabled = try await Self.keyPair(s, .rsa2048, enabled: false)
        await expectError(.validation) { _ = try await s.getCertificateSigningRequest(request(disabled.keyArn), context: east) }
        let deleted = try await Self.keyPair(s, .eccNistP256)
        _ = try await s.deleteKey(.init(keyIdentifier: deleted.keyArn), context: east)
        await expectError(.validation) { _ = try await s.getCertificateSigningRequest(request(deleted.keyArn), context: east) }
        await expectError(.resourceNotFound) {
            _ = try await s.getCertificateSigningRequest(request("arn:aws:payment-cryptography:us-east-1:111122223333:key/aaaaaaaaaaaaaaaa"), context: east)
        }
        let caKey = P256.Signing.PrivateKey()
        let caCert = try KeyExchangeServiceTests.certificate(subject: "CA", key: caKey.publicKey, issuer: "CA", issuerKey: caKey, ca: true)
        let publicKey = try await s.importKey(.init(keyMaterial: .rootCertificatePublicKey(.init(
            keyAttributes: .init(keyUsage: .tr31S0AsymmetricKeyForDigitalSignature, keyClass: .publicKey, keyAlgorithm: .eccNistP256,
                                 keyModesOfUse: .init(verify: true)),
            publicKeyCertificate: try KeyExchangeServiceTests.pem(caCert)))), context: east).key
        await expectError(.validation) { _ = try await s.getCertificateSigningRequest(request(publicKey.keyArn), context: east) }
        let email = ControlPlane.CertificateSubjectType(commonName: "x", emailAddress: "o’neil@example.com")
        let pair = try await Self.keyPair(s, .rsa2048)
        await expectError(.validation) {
            _ = try await s.getCertificateSigningRequest(.init(keyIdentifier: pair.keyArn, signingAlgorithm: .sha256, certificateSubject: email), context: east)
        }
    }
}
