import Crypto
import PayCryptModel
import PaymentCryptography
import _CryptoExtras

/// The `Asymmetric` member of EncryptData/DecryptData/ReEncryptData: RSAES-PKCS1-v1_5 (RFC 8017
/// §7.2), RSAES-OAEP (§7.1; MGF1 with the same hash and an empty label, README Decisions) and
/// unpadded RSA, under the key pair's public (encrypt) or private (decrypt) key.
///
/// PKCS#1 v1.5, OAEP-SHA-1 and OAEP-SHA-256 go through swift-crypto (BoringSSL). OAEP-SHA-512
/// decoding and unpadded decryption use ``OAEPDecoding`` on BoringSSL's raw private-key operation;
/// OAEP-SHA-512 encoding (``emeOAEPEncode(_:k:hash:seed:)``) and unpadded encryption use
/// ``RSAPublicOperation`` (RSAEP), which swift-crypto does not offer.
/// The RSA key of an `Asymmetric` side: the public key always, the private key for a key pair.
struct RSADataKey: Sendable {
    /// The public key as DER SubjectPublicKeyInfo.
    let publicKeyDER: [UInt8]
    /// k, the modulus length in bytes.
    let byteCount: Int
    /// The key pair; nil for an imported PUBLIC_KEY (encrypt only).
    let pair: ImportWrappingKey?
}

enum RSADataEncryption {
    /// The longest plaintext, in bytes, for a padding and a modulus of `k` bytes (RFC 8017).
    static func plaintextLimit(_ padding: DataPlane.PaddingType?, k: Int) -> Int {
        switch padding {
        case .pkcs1: k - 11
        case .oaepSha1: k - 2 * 20 - 2
        case .oaepSha256: k - 2 * 32 - 2
        case .oaepSha512: k - 2 * 64 - 2
        case nil: k
        }
    }

    /// One refusal for every failed decryption, never saying which check failed (README, Decisions).
    static let decryptionFailed = "CipherText could not be decrypted with this key and PaddingType."

    static func run(_ data: [UInt8], key: RSADataKey, padding: DataPlane.PaddingType?, encrypting: Bool, dataField: String) throws -> [UInt8] {
        let k = key.byteCount
        if encrypting {
            if let padding {
                let limit = plaintextLimit(padding, k: k)
                guard data.count <= limit else {
                    throw ServiceError.validation("\(dataField) may be at most \(limit) bytes (\(2 * limit) hex digits) with PaddingType \(padding.rawValue) and this key.", field: dataField)
                }
            } else {
                guard data.count == k else {
                    throw ServiceError.validation("\(dataField) must be exactly \(k) bytes (\(2 * k) hex digits) for unpadded RSA with this key.", field: dataField)
                }
            }
            let swiftPadding: _RSA.Encryption.Padding
            switch padding {
            case .pkcs1: swiftPadding = ._WEAK_AND_INSECURE_PKCS_V1_5
            case .oaepSha1: swiftPadding = .PKCS1_OAEP
            case .oaepSha256: swiftPadding = .PKCS1_OAEP_SHA256
            case .oaepSha512, nil:
                return try rawEncrypt(data, key: key, padding: padding, dataField: dataField)
            }
            do {
                let publicKey = try _RSA.Encryption.PublicKey(derRepresentation: key.publicKeyDER)
                return Array(try publicKey.encrypt(data, padding: swiftPadding))
            } catch {
                throw ServiceError(.internalServer, "RSA encryption failed.")
            }
        }
        guard let pair = key.pair else {
            throw ServiceError.validation("An imported public key cannot decrypt; DecryptData needs the key pair.")
        }
        guard data.count == k else {
            throw ServiceError.validation("\(dataField) must be exactly \(k) bytes (\(2 * k) hex digits) for this RSA key.", field: dataField)
        }
        do {
            switch padding {
            case .oaepSha512:
                return try OAEPDecoding.decrypt(data, with: pair.key, hash: SHA512.self)
            case nil:
                return try OAEPDecoding.rsadp(data, with: pair.key)
            case .pkcs1, .oaepSha1, .oaepSha256:
                let privateKey = try _RSA.Encryption.PrivateKey(derRepresentation: pair.derRepresentation)
                let p: _RSA.Encryption.Padding = padding == .pkcs1 ? ._WEAK_AND_INSECURE_PKCS_V1_5 : padding == .oaepSha1 ? .PKCS1_OAEP : .PKCS1_OAEP_SHA256
                return Array(try privateKey.decrypt(data, padding: p))
            }
        } catch {
            throw ServiceError.validation(decryptionFailed, field: dataField)
        }
    }

    /// OAEP-SHA-512 (EME-OAEP encoding, then RSAEP) or unpadded RSAEP on exactly k bytes below n.
    static func rawEncrypt(_ data: [UInt8], key: RSADataKey, padding: DataPlane.PaddingType?, dataField: String) throws -> [UInt8] {
        let k = key.byteCount
        let n: [UInt8], e: [UInt8]
        do {
            let primitives = try _RSA.Encryption.PublicKey(derRepresentation: key.publicKeyDER).getKeyPrimitives()
            (n, e) = (Array(primitives.modulus), Array(primitives.publicExponent))
        } catch {
            throw ServiceError(.internalServer, "RSA encryption failed.")
        }
        let encoded: [UInt8]
        if padding == .oaepSha512 {
            let seed = (0..<SHA512.Digest.byteCount).map { _ in UInt8.random(in: 0...255) }
            encoded = emeOAEPEncode(data, k: k, hash: SHA512.self, seed: seed)
        } else {
            encoded = data
        }
        do {
            return try RSAPublicOperation.rsaep(message: encoded, modulus: n, exponent: e)
        } catch {
            throw ServiceError.validation("\(dataField) must be an integer below the key's modulus for unpadded RSA.", field: dataField)
        }
    }

    /// EME-OAEP encoding (RFC 8017 §7.1.1 step 2) with an empty label and MGF1 over `hash`;
    /// `message` is at most k − 2hLen − 2 bytes (checked by the caller).
    static func emeOAEPEncode<H: HashFunction>(_ message: [UInt8], k: Int, hash: H.Type, seed: [UInt8]) -> [UInt8] {
        let hLen = H.Digest.byteCount
        let lHash = Array(H.hash(data: [UInt8]()))
        let db = lHash + [UInt8](repeating: 0, count: k - message.count - 2 * hLen - 2) + [0x01] + message
        let maskedDB = zip(db, OAEPDecoding.mgf1(seed: seed, length: k - hLen - 1, hash: H.self)).map { $0 ^ $1 }
        let maskedSeed = zip(seed, OAEPDecoding.mgf1(seed: maskedDB, length: hLen, hash: H.self)).map { $0 ^ $1 }
        return [0] + maskedSeed + maskedDB
    }
}
