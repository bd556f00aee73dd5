import Crypto
import Foundation
import PaymentCryptography
import SwiftASN1
import _CryptoExtras

/// A PKCS#10 certificate signing request (RFC 2986), built and signed with one of the service's
/// key pairs (README, "Certificate signing requests (bring your own CA)"). DER is written here rather than with swift-certificates'
/// `CertificateSigningRequest`, which knows neither SHA-224 nor the string types paycrypt
/// fixes for each subject attribute.
enum CertificationRequest {
    /// One attribute of the subject: its OID and its value as a DER string of the given type.
    struct SubjectAttribute: Equatable {
        var oid: ASN1ObjectIdentifier
        var stringType: ASN1Identifier
        var value: String
    }

    /// The hash of `SigningAlgorithm` (AWS `SigningAlgorithmType`).
    enum Hash: String, CaseIterable {
        case SHA224, SHA256, SHA384, SHA512

        /// H(data).
        func digest(_ data: [UInt8]) -> [UInt8] {
            switch self {
            case .SHA224: PaymentCryptography.SHA224.hash(data)
            case .SHA256: Array(Crypto.SHA256.hash(data: data))
            case .SHA384: Array(Crypto.SHA384.hash(data: data))
            case .SHA512: Array(Crypto.SHA512.hash(data: data))
            }
        }

        /// `sha224WithRSAEncryption` … `sha512WithRSAEncryption` (RFC 4055 §5; RFC 8017 App. C).
        var rsaSignatureOID: ASN1ObjectIdentifier {
            switch self {
            case .SHA224: [1, 2, 840, 113549, 1, 1, 14]
            case .SHA256: [1, 2, 840, 113549, 1, 1, 11]
            case .SHA384: [1, 2, 840, 113549, 1, 1, 12]
            case .SHA512: [1, 2, 840, 113549, 1, 1, 13]
            }
        }

        /// `ecdsa-with-SHA224` … `ecdsa-with-SHA512` (RFC 5758 §3.2).
        var ecdsaSignatureOID: ASN1ObjectIdentifier {
            switch self {
            case .SHA224: [1, 2, 840, 10045, 4, 3, 1]
            case .SHA256: [1, 2, 840, 10045, 4, 3, 2]
            case .SHA384: [1, 2, 840, 10045, 4, 3, 3]
            case .SHA512: [1, 2, 840, 10045, 4, 3, 4]
            }
        }

        /// The DER of `DigestInfo`'s AlgorithmIdentifier and OCTET STRING header, the prefix of
        /// EMSA-PKCS1-v1_5's T (RFC 8017 §9.2, note 1).
        var digestInfoPrefix: [UInt8] {
            switch self {
            case .SHA224: [0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c]
            case .SHA256: [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
            case .SHA384: [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30]
            case .SHA512: [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]
            }
        }
    }

    /// The private key that signs.
    enum SigningKey {
        /// An RSA key pair as PKCS#1 `RSAPrivateKey` DER.
        case rsa(der: [UInt8])
        /// An ECC key pair: its curve and private scalar.
        case ecc(ECCCurve, scalar: [UInt8])
    }

    /// The subject in the documented order (README, Decisions: GetCertificateSigningRequest): C, ST, L, O, OU, CN, then
    /// emailAddress; only the members given, one attribute per RDN. C is a PrintableString,
    /// emailAddress an IA5String (RFC 5280 App. A), every other value a UTF8String (RFC 5280 §4.1.2.4).
    static func subject(commonName: String, organizationUnit: String?, organization: String?, city: String?, country: String?,
                        stateOrProvince: String?, emailAddress: String?) -> [SubjectAttribute] {
        let members: [(ASN1ObjectIdentifier, ASN1Identifier, String?)] = [
            ([2, 5, 4, 6], .printableString, country),
            ([2, 5, 4, 8], .utf8String, stateOrProvince),
            ([2, 5, 4, 7], .utf8String, city),
            ([2, 5, 4, 10], .utf8String, organization),
            ([2, 5, 4, 11], .utf8String, organizationUnit),
            ([2, 5, 4, 3], .utf8String, commonName),
            ([1, 2, 840, 113549, 1, 9, 1], .ia5String, emailAddress),
        ]
        return members.compactMap { oid, type, value in value.map { SubjectAttribute(oid: oid, stringType: type, value: $0) } }
    }

    /// The DER `CertificationRequest`: the info (version 0, subject, the key's SubjectPublicKeyInfo,
    /// empty attributes `[0]`), the algorithm, and the signature over the info's DER (RFC 2986 §4).
    /// - Parameters:
    ///   - subject: From ``subject(commonName:organizationUnit:organization:city:country:stateOrProvince:emailAddress:)``.
    ///   - subjectPublicKeyInfo: The DER SPKI of `key`'s public half.
    ///   - key: The signing key.
    ///   - hash: The hash of the signature.
    /// - Throws: When the key cannot be loaded or the signature fails.
    static func der(subject: [SubjectAttribute], subjectPublicKeyInfo: [UInt8], key: SigningKey, hash: Hash) throws -> [UInt8] {
        var info = DER.Serializer()
        try info.appendConstructedNode(identifier: .sequence) { s in
            try s.serialize(0)
            try s.appendConstructedNode(identifier: .sequence) { name in
                for attribute in subject {
                    try name.appendConstructedNode(identifier: .set) { rdn in
                        try rdn.appendConstructedNode(identifier: .sequence) { atv in
                            try atv.serialize(attribute.oid)
                            atv.appendPrimitiveNode(identifier: attribute.stringType) { $0.append(contentsOf: attribute.value.utf8) }
                        }
                    }
                }
            }
            s.serializeRawBytes(subjectPublicKeyInfo)
            // attributes [0] IMPLICIT SET OF Attribute, empty (decision: no extension request).
            s.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { _ in }
        }
        let infoDER = info.serializedBytes
        let signatureAlgorithm: ASN1ObjectIdentifier
        let signature: [UInt8]
        switch key {
        case .rsa(let der):
            signatureAlgorithm = hash.rsaSignatureOID
            signature = try rsassaPKCS1v15(infoDER, hash: hash, privateKeyDER: der)
        case .ecc(let curve, let scalar):
            signatureAlgorithm = hash.ecdsaSignatureOID
            signature = try ecdsa(hash.digest(infoDER), curve: curve, scalar: scalar)
        }
        var request = DER.Serializer()
        try request.appendConstructedNode(identifier: .sequence) { s in
            s.serializeRawBytes(infoDER)
            try s.appendConstructedNode(identifier: .sequence) { a in
                try a.serialize(signatureAlgorithm)
                // RSA: parameters NULL (RFC 4055 §5); ECDSA: absent (RFC 5758 §3.2).
                if case .rsa = key { try a.serialize(ASN1Null()) }
            }
            try s.serialize(ASN1BitString(bytes: ArraySlice(signature)))
        }
        return request.serializedBytes
    }

    /// The PEM of a DER request, `CERTIFICATE REQUEST` label, base64 in 64-character lines (RFC 7468 §7).
    static func pem(_ der: [UInt8]) -> String {
        let base64 = Array(Data(der).base64EncodedString())
        var lines: [String] = []
        var start = 0
        while start < base64.count {
            lines.append(String(base64[start..<min(start + 64, base64.count)]))
            start += 64
        }
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + lines.joined(separator: "\n") + "\n-----END CERTIFICATE REQUEST-----\n"
    }

    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.1): EMSA-PKCS1-v1_5 encoding (§9.2) then RSASP1 (§5.2.1).
    /// swift-crypto signs only SHA-1/256/384/512 digests, so the encoding is done here and the private
    /// operation is swift-crypto's raw RSA signing primitive (BoringSSL `RSA_sign_raw`, unpadded,
    /// blinded and checked), the one `_RSA.BlindSigning` exposes for RFC 9474.
    static func rsassaPKCS1v15(_ message: [UInt8], hash: Hash, privateKeyDER: [UInt8]) throws -> [UInt8] {
        let key = try _RSA.BlindSigning.PrivateKey<Crypto.SHA384>(derRepresentation: privateKeyDER)
        let k = key.keySizeInBits / 8
        let t = hash.digestInfoPrefix + hash.digest(message)
        // EM = 0x00 || 0x01 || PS || 0x00 || T, PS at least 8 bytes of 0xFF (k ≥ 256 here, so always).
        let em: [UInt8] = [0x00, 0x01] + [UInt8](repeating: 0xFF, count: k - t.count - 3) + [0x00] + t
        return Array(try key.blindSignature(for: em).rawRepresentation)
    }

    /// ECDSA over `digest` (FIPS 186-5 §6.4; a digest longer than the order is truncated by the
    /// library, as §6.4.1 step 3 says), DER `Ecdsa-Sig-Value` (RFC 5758 §3.2).
    static func ecdsa(_ digest: [UInt8], curve: ECCCurve, scalar: [UInt8]) throws -> [UInt8] {
        let d = PrecomputedDigest(bytes: digest)
        switch curve {
        case .p256: return Array(try P256.Signing.PrivateKey(rawRepresentation: scalar).signature(for: d).derRepresentation)
        case .p384: return Array(try P384.Signing.PrivateKey(rawRepresentation: scalar).signature(for: d).derRepresentation)
        case .p521: return Array(try P521.Signing.PrivateKey(rawRepresentation: scalar).signature(for: d).derRepresentation)
        }
    }

    /// A digest computed elsewhere (SHA-224 is not a swift-crypto digest), for swift-crypto's
    /// `signature(for: Digest)`, which signs the digest's bytes as they are.
    struct PrecomputedDigest: Digest {
        static var byteCount: Int { 64 }
        let bytes: [UInt8]
        func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try bytes.withUnsafeBytes(body) }
        func makeIterator() -> IndexingIterator<[UInt8]> { bytes.makeIterator() }
        var description: String { "PrecomputedDigest(\(bytes.count) bytes)" }
    }
}
