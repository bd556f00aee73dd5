import Crypto
import Foundation
import X509
import _CryptoExtras

extension TR34 {
    /// Builds a TR-34 2012 key block for `ExportKey`: the service is the KDH and signs; the
    /// recipient (KRD) is the holder of `krdCertificate`.
    ///
    /// The layout is the one ``unwrap(block:kdhCertificate:caCertificate:wrappingKey:wrappingCertificate:randomNonce:now:)``
    /// reads and AWS produces: SignedData v1 (SHA-256, no certificates) whose encapsulated
    /// content is the EnvelopedData fields without their SEQUENCE header; one KeyTransRecipientInfo
    /// (RSAES-OAEP SHA-256, parameters untagged); the KeyBlock PKCS#7-padded and encrypted with
    /// des-ede3-cbc (header algorithm `T`) or aes128-CBC (header algorithm `A`) under a fresh
    /// ephemeral key; signed attributes contentType, randomNonce (two-pass) or signingTime
    /// (one-pass), the header, messageDigest, in that order.
    ///
    /// - Parameters:
    ///   - key: The clear key: 16 or 24 bytes for TDES, 16, 24 or 32 for AES.
    ///   - header: The key block header, at least 16 printable ASCII characters, for example
    ///     `D9999K0TB00E0000`; its eighth character (the TR-31 algorithm) picks the cipher.
    ///   - kdhKey: The service's RSA signing key.
    ///   - kdhCertificate: The certificate of `kdhKey`.
    ///   - krdCertificate: The recipient's certificate (RSA).
    ///   - randomNonce: The recipient's `RandomNonce` for two-pass; nil for one-pass.
    ///   - now: The signing time of a one-pass block.
    /// - Returns: The DER of the key block (the service hex-encodes it).
    /// - Throws: ``TR34Error/invalidHeader(_:)``, ``TR34Error/invalidKeyLength(_:)``,
    ///   ``TR34Error/invalidNonce(_:)``, ``TR34Error/invalidCertificate(_:)`` for unusable inputs;
    ///   ``TR34Error/cryptographicFailure(_:)`` if encryption or signing fails.
    public static func wrap(
        key: [UInt8],
        header: String,
        kdhKey: _RSA.Signing.PrivateKey,
        kdhCertificate: Certificate,
        krdCertificate: Certificate,
        randomNonce: [UInt8]?,
        now: Date
    ) throws(TR34Error) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        _ = try headerText(headerBytes)
        let cipher = try contentCipher(header: headerBytes, keyLength: key.count)
        if let randomNonce, randomNonce.isEmpty || randomNonce.count > 64 {
            throw .invalidNonce(randomNonce.count)
        }
        return try wrap(
            key: key, header: headerBytes, cipher: cipher, contentKey: randomBytes(cipher.keyLength), iv: randomBytes(cipher.blockSize),
            kdhKey: kdhKey, kdhCertificate: kdhCertificate, krdCertificate: krdCertificate, randomNonce: randomNonce, now: now
        )
    }

    /// The cipher the header's algorithm needs, after checking the key length against it.
    static func contentCipher(header: [UInt8], keyLength: Int) throws(TR34Error) -> TR34ContentCipher {
        switch header[7] {
        case UInt8(ascii: "T"):
            guard keyLength == 16 || keyLength == 24 else { throw .invalidKeyLength(keyLength) }
            return .desEDE3CBC
        case UInt8(ascii: "A"):
            guard [16, 24, 32].contains(keyLength) else { throw .invalidKeyLength(keyLength) }
            return .aes128CBC
        default:
            throw .invalidHeader("algorithm \(Character(Unicode.Scalar(header[7]))) cannot be sent in a TR-34 key block; only T (TDES) and A (AES)")
        }
    }

    /// `count` bytes from the system's secure random number generator.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The deterministic part of ``wrap(key:header:kdhKey:kdhCertificate:krdCertificate:randomNonce:now:)``,
    /// with the ephemeral key and IV given (RSA-OAEP still draws its own seed).
    static func wrap(
        key: [UInt8],
        header: [UInt8],
        cipher: TR34ContentCipher,
        contentKey: [UInt8],
        iv: [UInt8],
        kdhKey: _RSA.Signing.PrivateKey,
        kdhCertificate: Certificate,
        krdCertificate: Certificate,
        randomNonce: [UInt8]?,
        now: Date
    ) throws(TR34Error) -> [UInt8] {
        typealias D = TR34DER
        guard let kdhPublicKey = _RSA.Signing.PublicKey(kdhCertificate.publicKey) else {
            throw .invalidCertificate("the signing certificate does not hold an RSA key")
        }
        guard kdhPublicKey.derRepresentation == kdhKey.publicKey.derRepresentation else {
            throw .invalidCertificate("the signing key is not the signing certificate's key")
        }
        guard let krdSigningKey = _RSA.Signing.PublicKey(krdCertificate.publicKey) else {
            throw .invalidCertificate("the recipient certificate does not hold an RSA key")
        }
        let kdhIdentifier = try D.issuerAndSerialNumber(of: kdhCertificate)
        let krdIdentifier = try D.issuerAndSerialNumber(of: krdCertificate)

        // The KeyBlock, encrypted under the ephemeral key.
        let keyBlock = D.sequence(
            D.smallInteger(1),
            kdhIdentifier,
            D.octetString(key),
            D.sequence(D.oid(D.idData), D.set(D.octetString(header)))
        )
        let ciphertext = try cipher.encrypt(keyBlock, key: contentKey, iv: iv)

        // The ephemeral key, encrypted to the recipient.
        let encryptedKey: [UInt8]
        do {
            let krdKey = try _RSA.Encryption.PublicKey(unsafeDERRepresentation: krdSigningKey.derRepresentation)
            encryptedKey = Array(try krdKey.encrypt(contentKey, padding: .PKCS1_OAEP_SHA256))
        } catch {
            throw .cryptographicFailure("RSA-OAEP encryption to the recipient failed")
        }

        // The EnvelopedData fields, without their SEQUENCE header (the 2012 quirk).
        let oaepParameters = D.sequence(
            D.sequence(D.oid(D.idSHA256), D.null),
            D.sequence(D.oid(D.idMGF1), D.sequence(D.oid(D.idSHA256))),
            D.sequence(D.oid(D.idPSpecified), D.octetString([]))
        )
        let envelope = D.smallInteger(0)
            + D.set(
                D.sequence(
                    D.smallInteger(0),
                    krdIdentifier,
                    D.sequence(D.oid(D.idRSAESOAEP), oaepParameters),
                    D.octetString(encryptedKey)
                )
            )
            // EncryptedContentInfo with the ciphertext inside the algorithm SEQUENCE: the layout
            // AWS's TR-34 samples write and their export parser reads, with its exact field count
            // (README Decisions, "TR-34 EncryptedContentInfo").
            + D.sequence(
                D.oid(D.idData),
                D.sequence(D.oid(cipher.oid), D.octetString(iv), D.tlv(0x80, ciphertext))
            )

        // The signed attributes, in the order AWS writes them.
        let freshness: [UInt8]
        if let randomNonce {
            freshness = D.sequence(D.oid(D.idRandomNonce), D.set(D.octetString(randomNonce)))
        } else {
            freshness = D.sequence(D.oid(D.idSigningTime), D.set(D.tlv(0x17, utcTime(now))))
        }
        let attributes = D.sequence(D.oid(D.idContentType), D.set(D.oid(D.idEnvelopedData)))
            + freshness
            + D.sequence(D.oid(D.idData), D.set(D.octetString(header)))
            + D.sequence(D.oid(D.idMessageDigest), D.set(D.octetString(Array(SHA256.hash(data: envelope)))))
        let signature: [UInt8]
        do {
            signature = Array(try kdhKey.signature(for: D.tlv(0x31, attributes), padding: .insecurePKCS1v1_5).rawRepresentation)
        } catch {
            throw .cryptographicFailure("signing the TR-34 attributes failed")
        }

        let signedData = D.sequence(
            D.smallInteger(1),
            D.set(D.sequence(D.oid(D.idSHA256))),
            D.sequence(D.oid(D.idEnvelopedData), D.tlv(0xA0, D.octetString(envelope))),
            D.set(
                D.sequence(
                    D.smallInteger(1),
                    kdhIdentifier,
                    D.sequence(D.oid(D.idSHA256)),
                    D.tlv(0xA0, attributes),
                    D.sequence(D.oid(D.idRSAEncryption), D.null),
                    D.octetString(signature)
                )
            )
        )
        return D.sequence(D.oid(D.idSignedData), D.tlv(0xA0, signedData))
    }

    /// `YYMMDDHHMMSSZ` (UTCTime) of `date` in UTC.
    static func utcTime(_ date: Date) -> [UInt8] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let fields = [(c.year ?? 2000) % 100, c.month ?? 1, c.day ?? 1, c.hour ?? 0, c.minute ?? 0, c.second ?? 0]
        return Array((fields.map { String(format: "%02d", $0) }.joined() + "Z").utf8)
    }
}
