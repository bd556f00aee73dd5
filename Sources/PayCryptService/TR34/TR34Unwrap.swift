import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// TR-34 (ANSI X9.TR-34-2012, AWS's `X9_TR34_2012`) key blocks: asymmetric distribution of a
/// symmetric key from a key distribution host (KDH) to a key receiving device (KRD).
///
/// The layout is ANSI X9 TR-34-2012's, with the quirks of its 2012 sample blocks. ``unwrap(block:kdhCertificate:caCertificate:wrappingKey:wrappingCertificate:randomNonce:now:)``
/// is the receiver (ImportKey); ``wrap(key:header:kdhKey:kdhCertificate:krdCertificate:randomNonce:now:)``
/// the sender (ExportKey). Both are pure: bytes and certificates in, bytes out, no I/O.
public enum TR34 {}

/// What a TR-34 key block carried, once every check has passed.
public struct TR34UnwrappedKey: Sendable, Equatable {
    /// The key block header, a TR-31 style header of (usually) 16 characters, for example
    /// `D9999K0TB00E0000`: usage, algorithm, mode of use, version, exportability. Its version id
    /// and length digits carry no meaning in TR-34.
    public let keyBlockHeader: String
    /// The clear key.
    public let key: [UInt8]

    /// Creates the result.
    /// - Parameters:
    ///   - keyBlockHeader: The signed and encrypted header.
    ///   - key: The clear key bytes.
    public init(keyBlockHeader: String, key: [UInt8]) {
        self.keyBlockHeader = keyBlockHeader
        self.key = key
    }
}

extension TR34UnwrappedKey: CustomStringConvertible {
    /// The header and the key length; never the key.
    public var description: String { "TR34UnwrappedKey(header: \(keyBlockHeader), key: \(key.count) bytes)" }
}

extension TR34 {
    /// Unwraps a TR-34 2012 key block received by `ImportKey`, checking everything the receiver
    /// must check, in this order:
    ///
    /// 1. the block's structure (ContentInfo → SignedData v1 with SHA-256 → one SignerInfo);
    /// 2. the KDH certificate was issued by the authority (issuer = the authority's subject, its
    ///    signature verifies with the authority's key) and both certificates are valid at `now`;
    /// 3. the signer is the KDH certificate (issuer and serial number);
    /// 4. the RSA PKCS#1 v1.5 SHA-256 signature over the signed attributes, exactly as written
    ///    (not re-sorted), encoded as a SET;
    /// 5. the attributes: contentType is envelopedData, messageDigest is the SHA-256 of the
    ///    EnvelopedData octets, the randomNonce equals `randomNonce` (two-pass) or a signingTime
    ///    is present (one-pass), and a header attribute is present;
    /// 6. the single recipient is the wrapping certificate (issuer and serial number), whose key
    ///    is `wrappingKey`; RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) decrypts the
    ///    content-encryption key;
    /// 7. des-ede3-cbc or aes128-CBC decrypts the KeyBlock, whose padding is PKCS#7;
    /// 8. the KeyBlock is version 1, names the signer as KDH, holds the key and a header equal
    ///    to the signed header.
    ///
    /// Whether the header's usage, algorithm and mode of use are allowed is the caller's check.
    ///
    /// - Parameters:
    ///   - block: The DER of the key block (`WrappedKeyBlock` after hex decoding).
    ///   - kdhCertificate: The signing key certificate (`SigningKeyCertificate`).
    ///   - caCertificate: The imported root certificate (`CertificateAuthorityPublicKeyIdentifier`).
    ///   - wrappingKey: The service's RSA key named by the import token.
    ///   - wrappingCertificate: The certificate of `wrappingKey` that GetParametersForImport returned.
    ///   - randomNonce: The request's `RandomNonce` bytes for the two-pass form; nil for one-pass.
    ///   - now: The time the certificates must be valid at.
    /// - Returns: The key block header and the clear key.
    /// - Throws: ``TR34Error``, one case per failed check; none carries key material.
    public static func unwrap(
        block: [UInt8],
        kdhCertificate: Certificate,
        caCertificate: Certificate,
        wrappingKey: ImportWrappingKey,
        wrappingCertificate: Certificate,
        randomNonce: [UInt8]?,
        now: Date
    ) throws(TR34Error) -> TR34UnwrappedKey {
        let malformed: (String) -> TR34Error = { .malformed($0) }
        let signed = try SignedParts(parsing: block)

        // 2. The KDH certificate chains to the authority and both are valid now.
        try checkChain(kdh: kdhCertificate, authority: caCertificate, now: now)

        // 3. The signer is the KDH certificate.
        guard try TR34DER.names(signed.signerIdentifier, kdhCertificate, "the signer identifier", error: malformed) else {
            throw .signerMismatch
        }

        // 4. The signature over the attributes as written, re-tagged as a SET.
        guard let kdhPublicKey = _RSA.Signing.PublicKey(kdhCertificate.publicKey) else { throw .kdhCertificateNotRSA }
        var signedBytes = Array(signed.signedAttributesEncoded)
        signedBytes[0] = 0x31
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signed.signature)
        guard kdhPublicKey.isValidSignature(signature, for: signedBytes, padding: .insecurePKCS1v1_5) else {
            throw .signatureInvalid
        }

        // 5. The attributes.
        let attributes = try SignedAttributes(parsing: signed.signedAttributes)
        guard attributes.contentType == TR34DER.idEnvelopedData else {
            throw .malformed("the contentType attribute is \(TR34DER.name(ofOID: attributes.contentType)), not id-envelopedData")
        }
        guard Array(SHA256.hash(data: signed.envelopedData)) == attributes.messageDigest else {
            throw .messageDigestMismatch
        }
        if let randomNonce {
            guard let blockNonce = attributes.randomNonce else { throw .nonceMissing }
            guard blockNonce == randomNonce else { throw .nonceMismatch }
        } else if !attributes.hasSigningTime {
            throw .signingTimeMissing
        }

        // 6. The recipient and the content-encryption key.
        let envelope = try Envelope(parsing: signed.envelopedData)
        guard try TR34DER.names(envelope.recipientIdentifier, wrappingCertificate, "the recipient identifier", error: malformed) else {
            throw .recipientMismatch
        }
        guard wrappingCertificate.publicKey == Certificate.PublicKey(wrappingKey.key.publicKey) else {
            throw .wrappingKeyMismatch
        }
        let contentKey: [UInt8]
        do {
            contentKey = try RSAOAEP.decrypt(envelope.encryptedKey, with: wrappingKey, spec: .rsaOAEPSHA256)
        } catch {
            throw .keyDecryptionFailed
        }
        guard contentKey.count == envelope.cipher.keyLength else {
            throw .contentKeyLength(expected: envelope.cipher.keyLength, actual: contentKey.count)
        }

        // 7. The KeyBlock and its padding.
        let plaintext = try envelope.cipher.decrypt(envelope.ciphertext, key: contentKey, iv: envelope.iv)
        guard let keyBlockLength = TR34DER.leadingElementLength(plaintext),
              envelope.cipher.isValidPadding(plaintext[keyBlockLength...])
        else {
            throw .contentDecryptionFailed
        }

        // 8. The KeyBlock's content.
        let keyBlock = try KeyBlock(parsing: plaintext[..<keyBlockLength])
        guard keyBlock.version == 1 else { throw .keyBlockVersion(keyBlock.version) }
        guard try TR34DER.names(keyBlock.kdhIdentifier, kdhCertificate, "the KeyBlock's KDH identifier", error: { .keyBlockMalformed($0) }) else {
            throw .keyBlockSignerMismatch
        }
        guard keyBlock.header == attributes.header else { throw .headerMismatch }
        let header = try headerText(attributes.header)
        guard !keyBlock.key.isEmpty else { throw .keyBlockMalformed("the key is empty") }
        return TR34UnwrappedKey(keyBlockHeader: header, key: keyBlock.key)
    }

    /// The header bytes as text: at least 16 printable ASCII characters.
    static func headerText(_ bytes: [UInt8]) throws(TR34Error) -> String {
        guard bytes.count >= 16 else { throw .invalidHeader("it has \(bytes.count) characters; at least 16 are needed") }
        guard bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { throw .invalidHeader("it is not printable ASCII") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The KDH certificate was issued by the authority and both are valid at `now`.
    static func checkChain(kdh: Certificate, authority: Certificate, now: Date) throws(TR34Error) {
        guard kdh.issuer == authority.subject else { throw .kdhCertificateNotIssuedByAuthority }
        guard authority.publicKey.isValidSignature(kdh.signature, for: kdh) else { throw .kdhCertificateSignatureInvalid }
        guard authority.notValidBefore <= now, now <= authority.notValidAfter else { throw .authorityCertificateNotValidNow }
        guard kdh.notValidBefore <= now, now <= kdh.notValidAfter else { throw .kdhCertificateNotValidNow }
    }
}

// MARK: - The parsed layers

extension TR34 {
    /// ContentInfo → SignedData → the one SignerInfo, with the raw pieces the checks need.
    struct SignedParts {
        /// The EnvelopedData's fields as carried in the OCTET STRING (the digest covers these).
        let envelopedData: [UInt8]
        /// The SignerInfo's `sid` node (IssuerAndSerialNumber).
        let signerIdentifier: ASN1Node
        /// The `[0]` signed-attributes node.
        let signedAttributes: ASN1Node
        /// The `[0]` node's bytes as written (tag, length, content).
        let signedAttributesEncoded: ArraySlice<UInt8>
        /// The signature value.
        let signature: [UInt8]

        init(parsing block: [UInt8]) throws(TR34Error) {
            let error: (String) -> TR34Error = { .malformed($0) }
            let root = try TR34DER.parse(block, "the key block", error: error)
            var contentInfo = try TR34DER.Children(of: root, .sequence, "the ContentInfo", error: error)
            let contentType = try contentInfo.oid("content type")
            guard contentType == TR34DER.idSignedData else {
                throw .malformed("the content type is \(TR34DER.name(ofOID: contentType)), not id-signedData")
            }
            var explicit = try TR34DER.Children(
                of: contentInfo.next("content"), ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific), "the ContentInfo content", error: error
            )
            let signedDataNode = try explicit.next("SignedData")
            try explicit.end()
            try contentInfo.end()

            var signedData = try TR34DER.Children(of: signedDataNode, .sequence, "the SignedData", error: error)
            let version = try signedData.smallInteger("version")
            guard version == 1 else { throw .malformed("the SignedData version is \(version), not 1") }
            var digests = try TR34DER.Children(of: signedData.next("digestAlgorithms"), .set, "the digestAlgorithms", error: error)
            var sawSHA256 = false
            while let digest = digests.nextIfPresent() {
                sawSHA256 = try TR34.digestAlgorithm(digest, "a digest algorithm") || sawSHA256
            }
            guard sawSHA256 else { throw .unsupportedAlgorithm("the SignedData digest algorithms do not include sha256") }

            var encapsulated = try TR34DER.Children(of: signedData.next("encapContentInfo"), .sequence, "the encapContentInfo", error: error)
            let encapsulatedType = try encapsulated.oid("eContentType")
            guard encapsulatedType == TR34DER.idEnvelopedData else {
                throw .malformed("the encapsulated content type is \(TR34DER.name(ofOID: encapsulatedType)), not id-envelopedData")
            }
            var eContent = try TR34DER.Children(
                of: encapsulated.next("eContent"), ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific), "the eContent", error: error
            )
            envelopedData = try eContent.octets("the EnvelopedData OCTET STRING")
            try eContent.end()
            try encapsulated.end()

            // Optional certificates [0] and crls [1] (AWS sends none; tolerated), then signerInfos.
            var next = try signedData.next("signerInfos")
            while next.identifier.tagClass == .contextSpecific {
                next = try signedData.next("signerInfos")
            }
            try signedData.end()
            var signerInfos = try TR34DER.Children(of: next, .set, "the signerInfos", error: error)
            let signerInfoNode = try signerInfos.next("SignerInfo")
            try signerInfos.end()

            var signerInfo = try TR34DER.Children(of: signerInfoNode, .sequence, "the SignerInfo", error: error)
            let signerVersion = try signerInfo.smallInteger("SignerInfo version")
            guard signerVersion == 1 else { throw .malformed("the SignerInfo version is \(signerVersion), not 1") }
            signerIdentifier = try signerInfo.next("signer identifier")
            guard try TR34.digestAlgorithm(signerInfo.next("digestAlgorithm"), "the SignerInfo digest algorithm") else {
                throw .unsupportedAlgorithm("the SignerInfo digest algorithm is not sha256")
            }
            signedAttributes = try signerInfo.next("signedAttrs")
            guard signedAttributes.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                  case .constructed = signedAttributes.content
            else {
                throw .malformed("the SignerInfo has no signed attributes")
            }
            signedAttributesEncoded = signedAttributes.encodedBytes
            var signatureAlgorithm = try TR34DER.Children(
                of: signerInfo.next("signatureAlgorithm"), .sequence, "the signature algorithm", error: error
            )
            let signatureOID = try signatureAlgorithm.oid("signature algorithm")
            guard signatureOID == TR34DER.idRSAEncryption || signatureOID == TR34DER.idSHA256WithRSA else {
                throw .unsupportedAlgorithm("the signature algorithm is \(TR34DER.name(ofOID: signatureOID)), not rsaEncryption")
            }
            signature = try signerInfo.octets("signature")
            // Unsigned attributes [1] may follow; they carry nothing TR-34 needs.
        }
    }

    /// True for a sha256 AlgorithmIdentifier (parameters absent or NULL).
    static func digestAlgorithm(_ node: ASN1Node, _ what: String) throws(TR34Error) -> Bool {
        var fields = try TR34DER.Children(of: node, .sequence, what, error: { .malformed($0) })
        let oid = try fields.oid("algorithm")
        if let parameters = fields.nextIfPresent(), parameters.identifier != .null {
            return false
        }
        try fields.end()
        return oid == TR34DER.idSHA256
    }

    /// The signed attributes, by type; each of the known types at most once with one value.
    struct SignedAttributes {
        let contentType: [UInt8]
        let messageDigest: [UInt8]
        let header: [UInt8]
        let randomNonce: [UInt8]?
        let hasSigningTime: Bool

        init(parsing node: ASN1Node) throws(TR34Error) {
            let error: (String) -> TR34Error = { .malformed($0) }
            var attributes = try TR34DER.Children(
                of: node, ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific), "the signed attributes", error: error
            )
            var values: [[UInt8]: ASN1Node] = [:]
            while let attribute = attributes.nextIfPresent() {
                var fields = try TR34DER.Children(of: attribute, .sequence, "a signed attribute", error: error)
                let type = try fields.oid("attribute type")
                let name = TR34.attributeName(type)
                var set = try TR34DER.Children(of: fields.next("attribute values"), .set, "the \(name) values", error: error)
                let value = set.nextIfPresent()
                try fields.end()
                guard let value, set.nextIfPresent() == nil, values[type] == nil else { throw .invalidAttribute(name) }
                values[type] = value
            }
            func required(_ type: [UInt8]) throws(TR34Error) -> ASN1Node {
                guard let value = values[type] else { throw .missingAttribute(TR34.attributeName(type)) }
                return value
            }
            contentType = try TR34DER.primitive(required(TR34DER.idContentType), .objectIdentifier, "the contentType value", error: error)
            messageDigest = try TR34DER.primitive(required(TR34DER.idMessageDigest), .octetString, "the messageDigest value", error: error)
            header = try TR34DER.primitive(required(TR34DER.idData), .octetString, "the key block header value", error: error)
            randomNonce = try values[TR34DER.idRandomNonce].map { node throws(TR34Error) in
                try TR34DER.primitive(node, .octetString, "the randomNonce value", error: error)
            }
            hasSigningTime = values[TR34DER.idSigningTime] != nil
        }
    }

    /// A name for a signed attribute type, for messages.
    static func attributeName(_ type: [UInt8]) -> String {
        switch type {
        case TR34DER.idContentType: return "contentType"
        case TR34DER.idMessageDigest: return "messageDigest"
        case TR34DER.idRandomNonce: return "randomNonce"
        case TR34DER.idSigningTime: return "signingTime"
        case TR34DER.idData: return "key block header (id-data)"
        default: return TR34DER.name(ofOID: type)
        }
    }

    /// The EnvelopedData fields: one KeyTransRecipientInfo and the EncryptedContentInfo.
    struct Envelope {
        let recipientIdentifier: ASN1Node
        let encryptedKey: [UInt8]
        let cipher: TR34ContentCipher
        let iv: [UInt8]
        let ciphertext: [UInt8]

        init(parsing octets: [UInt8]) throws(TR34Error) {
            let error: (String) -> TR34Error = { .malformed($0) }
            // The 2012 quirk: the OCTET STRING holds the fields without the SEQUENCE header.
            // A block that does carry the header (first octet SEQUENCE, not INTEGER) is read too.
            let sequence = octets.first == 0x30 ? octets : TR34DER.tlv(0x30, octets)
            let root = try TR34DER.parse(sequence, "the EnvelopedData", error: error)
            var fields = try TR34DER.Children(of: root, .sequence, "the EnvelopedData", error: error)
            let version = try fields.smallInteger("EnvelopedData version")
            guard version == 0 else { throw .malformed("the EnvelopedData version is \(version), not 0") }
            var next = try fields.next("recipientInfos")
            if next.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                next = try fields.next("recipientInfos")  // originatorInfo: not used by TR-34
            }
            var recipients = try TR34DER.Children(of: next, .set, "the recipientInfos", error: error)
            let recipientNode = try recipients.next("recipient")
            guard recipients.nextIfPresent() == nil else { throw .malformed("the EnvelopedData has more than one recipient") }

            var recipient = try TR34DER.Children(of: recipientNode, .sequence, "the KeyTransRecipientInfo", error: error)
            let recipientVersion = try recipient.smallInteger("KeyTransRecipientInfo version")
            guard recipientVersion == 0 else { throw .malformed("the KeyTransRecipientInfo version is \(recipientVersion), not 0") }
            recipientIdentifier = try recipient.next("recipient identifier")
            try TR34.checkOAEP(recipient.next("keyEncryptionAlgorithm"))
            encryptedKey = try recipient.octets("encryptedKey")
            try recipient.end()

            var content = try TR34DER.Children(of: fields.next("encryptedContentInfo"), .sequence, "the EncryptedContentInfo", error: error)
            let contentType = try content.oid("content type")
            guard contentType == TR34DER.idData else {
                throw .malformed("the encrypted content type is \(TR34DER.name(ofOID: contentType)), not id-data")
            }
            var algorithm = try TR34DER.Children(of: content.next("contentEncryptionAlgorithm"), .sequence, "the content encryption algorithm", error: error)
            let cipherOID = try algorithm.oid("content encryption algorithm")
            guard let cipher = TR34ContentCipher(oid: cipherOID) else {
                throw .unsupportedAlgorithm("the content encryption algorithm is \(TR34DER.name(ofOID: cipherOID)), not des-ede3-cbc or aes128-CBC")
            }
            self.cipher = cipher
            iv = try algorithm.octets("IV")
            guard iv.count == cipher.blockSize else { throw .malformed("the IV is \(iv.count) bytes, not \(cipher.blockSize)") }
            // Two layouts (README Decisions, "TR-34 EncryptedContentInfo"): `[0] ciphertext` after the algorithm SEQUENCE
            // (TR-34 / CMS), or inside it after the IV, as AWS's TR-34 samples write it.
            let contentTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
            if let inside = algorithm.nextIfPresent() {
                ciphertext = try TR34DER.primitive(inside, contentTag, "the encryptedContent (inside the algorithm, as AWS's samples write it)", error: error)
                try algorithm.end()
                try content.end()
            } else {
                ciphertext = try TR34DER.primitive(content.next("encryptedContent"), contentTag, "the encryptedContent", error: error)
                try content.end()
            }
            // Unprotected attributes [1] may follow; nothing TR-34 needs.
        }
    }

    /// Checks the keyEncryptionAlgorithm: id-RSAES-OAEP with SHA-256, MGF1-SHA-256 and an empty
    /// label. The 2012 layout writes the three parameters without their `[0]`/`[1]`/`[2]` tags;
    /// the tagged form of RFC 4055 is read too.
    static func checkOAEP(_ node: ASN1Node) throws(TR34Error) {
        let error: (String) -> TR34Error = { .malformed($0) }
        var algorithm = try TR34DER.Children(of: node, .sequence, "the key encryption algorithm", error: error)
        let oid = try algorithm.oid("key encryption algorithm")
        guard oid == TR34DER.idRSAESOAEP else {
            throw .unsupportedAlgorithm("the key encryption algorithm is \(TR34DER.name(ofOID: oid)), not id-RSAES-OAEP")
        }
        guard let parametersNode = algorithm.nextIfPresent() else {
            throw .unsupportedAlgorithm("RSAES-OAEP without parameters means SHA-1; only SHA-256 is accepted")
        }
        try algorithm.end()
        var parameters = try TR34DER.Children(of: parametersNode, .sequence, "the RSAES-OAEP parameters", error: error)
        var hashOK = false
        var mgfOK = false
        while var parameter = parameters.nextIfPresent() {
            if parameter.identifier.tagClass == .contextSpecific {
                var tagged = try TR34DER.Children(of: parameter, parameter.identifier, "a tagged OAEP parameter", error: error)
                parameter = try tagged.next("value")
                try tagged.end()
            }
            var fields = try TR34DER.Children(of: parameter, .sequence, "an OAEP parameter", error: error)
            let parameterOID = try fields.oid("OAEP parameter algorithm")
            switch parameterOID {
            case TR34DER.idSHA256:
                if let null = fields.nextIfPresent(), null.identifier != .null {
                    throw .malformed("the OAEP hash parameters are not NULL")
                }
                hashOK = true
            case TR34DER.idMGF1:
                guard try digestAlgorithm(fields.next("MGF1 hash"), "the MGF1 hash") else {
                    throw .unsupportedAlgorithm("the OAEP mask generation hash is not sha256")
                }
                mgfOK = true
            case TR34DER.idPSpecified:
                guard try fields.octets("OAEP label").isEmpty else {
                    throw .unsupportedAlgorithm("the OAEP label is not empty")
                }
            default:
                throw .unsupportedAlgorithm("the OAEP parameter \(TR34DER.name(ofOID: parameterOID)) is not sha256, MGF1-SHA-256 or an empty label")
            }
            try fields.end()
        }
        guard hashOK else { throw .unsupportedAlgorithm("the OAEP hash is not sha256") }
        guard mgfOK else { throw .unsupportedAlgorithm("the OAEP mask generation function is not MGF1-SHA-256") }
    }

    /// The decrypted KeyBlock: { version, KDH IssuerAndSerialNumber, key, { id-data, { header } } }.
    struct KeyBlock {
        let version: Int
        let kdhIdentifier: ASN1Node
        let key: [UInt8]
        let header: [UInt8]

        init(parsing bytes: ArraySlice<UInt8>) throws(TR34Error) {
            let error: (String) -> TR34Error = { .keyBlockMalformed($0) }
            let root = try TR34DER.parse(bytes, "the KeyBlock", error: error)
            var fields = try TR34DER.Children(of: root, .sequence, "the KeyBlock", error: error)
            version = try fields.smallInteger("KeyBlock version")
            kdhIdentifier = try fields.next("KDH identifier")
            key = try fields.octets("clear key")
            var attribute = try TR34DER.Children(of: fields.next("header attribute"), .sequence, "the header attribute", error: error)
            let type = try attribute.oid("header attribute type")
            guard type == TR34DER.idData else { throw .keyBlockMalformed("the header attribute type is not id-data") }
            var values = try TR34DER.Children(of: attribute.next("header values"), .set, "the header values", error: error)
            header = try values.octets("header")
            try values.end()
            try attribute.end()
            try fields.end()
        }
    }
}
