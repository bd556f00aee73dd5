import Crypto
import Foundation
import PayCryptModel
import PaymentCryptography
import SwiftASN1
import Testing
import X509
@testable import PayCryptService

/// The key-exchange operations in process (README, "Key exchange with ECDH"): an ECC key pair, its
/// certificate, and an ImportKey / ExportKey under the ECDH-derived key, with the other party's
/// side computed from its own P-256 key. The acceptance suite plays the other party with pyca
/// cryptography; this test pins the wiring without a server.
@Suite("Key exchange through the service: ECC key pairs and ECDH key blocks")
struct KeyExchangeServiceTests {
    static func pem(_ c: Certificate) throws -> String {
        var s = DER.Serializer()
        try s.serialize(c)
        return Data(PEMDocument(type: "CERTIFICATE", derBytes: s.serializedBytes).pemString.utf8).base64EncodedString()
    }

    static func certificate(subject: String, key: P256.Signing.PublicKey, issuer: String, issuerKey: P256.Signing.PrivateKey, ca: Bool) throws -> Certificate {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key), notValidBefore: now - 86_400, notValidAfter: now + 86_400 * 30,
            issuer: try DistinguishedName { CommonName(issuer) }, subject: try DistinguishedName { CommonName(subject) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(ca ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : BasicConstraints.notCertificateAuthority) },
            issuerPrivateKey: .init(issuerKey))
    }

    @Test("ImportKey and ExportKey under an ECDH-derived AES-256 key agree with the other party's own derivation")
    func importAndExport() async throws {
        let s = try makeService()
        let caKey = P256.Signing.PrivateKey()
        let caCert = try Self.certificate(subject: "CA", key: caKey.publicKey, issuer: "CA", issuerKey: caKey, ca: true)
        let ca = try await s.importKey(.init(keyMaterial: .rootCertificatePublicKey(.init(
            keyAttributes: .init(keyUsage: .tr31S0AsymmetricKeyForDigitalSignature, keyClass: .publicKey, keyAlgorithm: .eccNistP256,
                                 keyModesOfUse: .init(verify: true)),
            publicKeyCertificate: try Self.pem(caCert)))), context: east).key
        let party = P256.KeyAgreement.PrivateKey()
        let partyCert = try Self.certificate(subject: "party", key: try P256.Signing.PublicKey(rawRepresentation: party.publicKey.rawRepresentation),
                                             issuer: "CA", issuerKey: caKey, ca: false)
        let pair = try await s.createKey(.init(
            keyAttributes: .init(keyUsage: .tr31K3AsymmetricKeyForKeyAgreement, keyClass: .asymmetricKeyPair, keyAlgorithm: .eccNistP256,
                                 keyModesOfUse: .init(deriveKey: true)), exportable: true), context: east).key
        #expect(pair.keyCheckValueAlgorithm == .sha1 && pair.keyCheckValue.count == 6)
        let certOut = try await s.getPublicKeyCertificate(.init(keyIdentifier: pair.keyArn), context: east)
        #expect(try await s.getPublicKeyCertificate(.init(keyIdentifier: pair.keyArn), context: east).keyCertificate == certOut.keyCertificate)
        guard let pemData = Data(base64Encoded: certOut.keyCertificate), let pemText = String(data: pemData, encoding: .utf8) else {
            Issue.record("the certificate is not base64 of PEM")
            return
        }
        let serviceCert = try Certificate(pemEncoded: pemText)
        guard let servicePoint = P256.Signing.PublicKey(serviceCert.publicKey) else { Issue.record("not a P-256 key"); return }
        // The other party: Z with its key and the service's certificate, SP 800-56C one-step KDF, SHA-256.
        let z = try ECDH.sharedSecret(.p256, privateKey: Array(party.rawRepresentation), publicKey: Array(servicePoint.x963Representation))
        let kbpk = try KeyAgreementKDF.oneStep.derive(hash: .sha256, z: z, info: [0x01, 0x02], length: 32)
        let clear = [UInt8](repeating: 0x5A, count: 16)
        let header = TR31Header(version: .d, keyUsage: TR31KeyUsage(rawValue: "D0")!, algorithm: .aes, modeOfUse: .encryptDecrypt, exportability: .exportable)
        let block = try TR31KeyBlock.wrap(clear, header: header, using: try TR31ProtectionKey(aes: kbpk))
        let imported = try await s.importKey(.init(keyMaterial: .diffieHellmanTr31KeyBlock(.init(
            privateKeyIdentifier: pair.keyArn, certificateAuthorityPublicKeyIdentifier: ca.keyArn, publicKeyCertificate: try Self.pem(partyCert),
            deriveKeyAlgorithm: .aes256, keyDerivationFunction: .nistSp800, keyDerivationHashAlgorithm: .sha256,
            derivationData: .sharedInformation("0102"), wrappedKeyBlock: block))), context: east).key
        #expect(imported.keyCheckValue == (try SymmetricKeyMaterial(algorithm: .AES_128, bytes: clear).keyCheckValue()))
        let exported = try await s.exportKey(.init(keyMaterial: .diffieHellmanTr31KeyBlock(.init(
            privateKeyIdentifier: pair.keyArn, certificateAuthorityPublicKeyIdentifier: ca.keyArn, publicKeyCertificate: try Self.pem(partyCert),
            deriveKeyAlgorithm: .aes256, keyDerivationFunction: .nistSp800, keyDerivationHashAlgorithm: .sha256,
            derivationData: .sharedInformation("0102"))), exportKeyIdentifier: imported.keyArn), context: east).wrappedKey
        #expect(exported?.wrappingKeyArn == pair.keyArn)
        #expect(try TR31KeyBlock.unwrap(exported?.keyMaterial ?? "", using: try TR31ProtectionKey(aes: kbpk)).key == clear)
        // Another SharedInformation gives another key: the MAC fails, a ValidationException.
        await expectError(.validation) {
            _ = try await s.importKey(.init(keyMaterial: .diffieHellmanTr31KeyBlock(.init(
                privateKeyIdentifier: pair.keyArn, certificateAuthorityPublicKeyIdentifier: ca.keyArn, publicKeyCertificate: try Self.pem(partyCert),
                deriveKeyAlgorithm: .aes256, keyDerivationFunction: .nistSp800, keyDerivationHashAlgorithm: .sha256,
                derivationData: .sharedInformation("0103"), wrappedKeyBlock: block))), context: east)
        }
    }

    @Test("keyblock inspect explains the header and, with the KEK, the key's check value and attributes")
    func inspect() throws {
        let kbpk = [UInt8](repeating: 0x11, count: 32), clear = [UInt8](repeating: 0x22, count: 16)
        let header = TR31Header(version: .d, keyUsage: TR31KeyUsage(rawValue: "M6")!, algorithm: .aes, modeOfUse: .generateVerify, exportability: .sensitive)
        let block = try TR31KeyBlock.wrap(clear, header: header, using: try TR31ProtectionKey(aes: kbpk))
        let open = KeyBlockInspection.inspect(block, kek: try SymmetricKeyMaterial(algorithm: .AES_256, bytes: kbpk))
        #expect(open.verified == true && open.problem == nil)
        #expect(open.keyCheckValue == (try SymmetricKeyMaterial(algorithm: .AES_128, bytes: clear).keyCheckValue()))
        #expect(open.keyAttributes?["KeyUsage"] == "TR31_M6_ISO_9797_5_CMAC_KEY" && open.keyAttributes?["Exportable"] == "true")
        let wrong = KeyBlockInspection.inspect(block, kek: try SymmetricKeyMaterial(algorithm: .AES_256, bytes: [UInt8](repeating: 0x12, count: 32)))
        #expect(wrong.verified == false && wrong.problem != nil)
        #expect(!"\(wrong)".contains(Bytes.hex(clear)) && !"\(open)".contains(Bytes.hex(clear)))
    }
}
