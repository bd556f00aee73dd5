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

/// GetCertificateSigningRequest (README, Decisions: GetCertificateSigningRequest): the request is read back with
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
            #expect(try Self.rsaSignatureIsValid(der, digestInfoPrefix: hash.digestInfoPrefix, digest: hash.digest))
        }
    }

    /// Whether an RSA-signed request's signature is valid under the key of its own SubjectPublicKeyInfo:
    /// RSAVP1, then the EMSA-PKCS1-v1_5 encoding of `digest(info)` compared whole (RFC 8017 §8.2.2).
    static func rsaSignatureIsValid(_ der: [UInt8], digestInfoPrefix: [UInt8], digest: ([UInt8]) -> [UInt8]) throws -> Bool {
        let (info, _, _, signature) = try parts(der)
        guard case .constructed(let fields) = try DER.parse(info).content, case .constructed(let spki) = Array(fields)[2].content,
              let bits = Array(spki).last else { throw ASN1Error.invalidASN1Object(reason: "shape") }
        let (n, e) = try rsaNumbers(Array(try ASN1BitString(derEncoded: bits).bytes))
        let k = n.drop { $0 == 0 }.count
        let t = digestInfoPrefix + digest(info)
        let expected: [UInt8] = [0x00, 0x01] + [UInt8](repeating: 0xFF, count: k - t.count - 3) + [0x00] + t
        return try RSAPublicOperation.rsaep(message: signature, modulus: n, exponent: e) == expected
    }

    @Test("The tests' CSR reader against pyca/cryptography's vectors: rsa_sha1.pem (C, ST, L, O, CN in order) verifies, invalid_signature.pem does not")
    func readerVectors() throws {
        // vectors/cryptography_vectors/x509/requests/ of pyca/cryptography (asserted in its tests/x509/test_x509.py).
        let rsaSHA1 = """
            -----BEGIN CERTIFICATE REQUEST-----
            MIICnDCCAYQCAQAwVzELMAkGA1UEBhMCVVMxDjAMBgNVBAgTBVRleGFzMQ8wDQYD
            VQQHEwZBdXN0aW4xDTALBgNVBAoTBFB5Q0ExGDAWBgNVBAMTD2NyeXB0b2dyYXBo
            eS5pbzCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAKhAp4Rgy4YQZt+j
            BFqUumzxt6udJMdhz/3cwstePx3D5L4lPnA57xT+nW0jBPUNny4VhMUVMKt1CG81
            cTi/97hU0GfR1fOE8fLyw5zDsVQV4mOFVO+EAmSK4+8IM28it+zG1DMcKyHDCRp/
            epUYGAdUpkZkC2BBnkzG9ceYEQp/Awpjn+h+M7R3bfzZk5QOx3arV6GBrYWYhXl2
            3DA/mlc8phmrP+WWMo6SgGuChoPtwXzCVrQZSKK/qNBH0hWNPY4GmqBfqFsycqux
            xLRCK2Nm87cOZCN3sUXNYlnl0+fbBI1Rkh5Qdmo3sbEw7msR9QfSCoNAAejeFqks
            FPLpZKMCAwEAAaAAMA0GCSqGSIb3DQEBBQUAA4IBAQCDZMhv+7/gv8miH4MSVmWM
            qJiXQbgFdtNvCKk0YDpDsYNyRtABZ6UYq7Hee1Gh5bfr6hSUSACBixqSPIBPEgoN
            Yk9jEO956GEnVcKwHcx/Wd/bzg2z8mMPGF9QS4wXr4DL02T6X9poM3FTkwlIImzU
            Y4KHoK7WUk0wBohcGQKKHuL1qR1ud9uqC0mZbuCgxgtVthvQgKCLs0qn8+B+kfN/
            ahFkW+LYZUwVcNzaFF7XzJIBf31TIl1/KD80Wexb2kHPbdddQ2dsVDSDOFImt+T6
            KchznxsOrxmWE1k5kZeYYuNhgejEwnDDVLf1LBKNsbcGOYIzJMfqJHkbe8PXAF87
            -----END CERTIFICATE REQUEST-----
            """
        let invalidSignature = """
            -----BEGIN CERTIFICATE REQUEST-----
            MIIBTjCBuAIBADAPMQ0wCwYDVQQDDAR0ZXN0MIGfMA0GCSqGSIb3DQEBAQUAA4GN
            ADCBiQKBgQDOdf0xwr1fUP0+wtYfwi1sqAe78WNSONLjtGYSpEFBNS9T6dW+m3vj
            EaEZ0dI7B+Y5jC53JG8vSoBN/xLzw/CCDgLq8OvftOeS4+FZqznRDucgzbqctVzs
            PshGcfZ3n8DIiEBbSqeMvs02spKXvYxi3M2S5aJ2GVl2wNlzRLcTuwIDAQABoAAw
            DQYJKoZIhvcNAQELBQADgYEAZ7Jbqn9hhMYJ+y4ikTNG6GNu48GINyzXXX3bzv3O
            +xGnKbjp99FbJKDOalnG492kZKyg2cCC5UQW8SNZOQpfnjsguB3HZoOrRlExkavY
            IapdMZiK5g6ocViceV4gRybkW/Yh3p7cFzOmaABAWzeyJm3/TcTWBLvx/M7Mj1pE
            8f8=
            -----END CERTIFICATE REQUEST-----
            """
        let sha1 = try PEMDocument(pemString: rsaSHA1).derBytes
        let (_, oid, parameters, _) = try Self.parts(sha1)
        #expect(oid == [1, 2, 840, 113549, 1, 1, 5] && parameters == 1)
        let csr = try CertificateSigningRequest(derEncoded: sha1)
        #expect(Array(csr.subject.map { $0.description }) == ["C=US", "ST=Texas", "L=Austin", "O=PyCA", "CN=cryptography.io"])
        let sha1Prefix: [UInt8] = [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]
        #expect(try Self.rsaSignatureIsValid(sha1, digestInfoPrefix: sha1Prefix) { Array(Insecure.SHA1.hash(data: $0)) })
        let invalid = try PEMDocument(pemString: invalidSignature).derBytes
        #expect(try Self.parts(invalid).algorithm == [1, 2, 840, 113549, 1, 1, 11])
        #expect(!(try Self.rsaSignatureIsValid(invalid, digestInfoPrefix: CertificationRequest.Hash.SHA256.digestInfoPrefix) {
            CertificationRequest.Hash.SHA256.digest($0)
        }))
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
