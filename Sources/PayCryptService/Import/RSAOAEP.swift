import Crypto
import Foundation
import _CryptoExtras

/// The RSA-OAEP variants a key cryptogram can be wrapped with (AWS's `WrappingSpec`).
///
/// Both use an empty OAEP label and MGF1 with the same hash as the label hash.
public enum KeyCryptogramWrappingSpec: Sendable, CaseIterable {
    /// `RSA_OAEP_SHA_256`: SHA-256, MGF1-SHA-256, empty label.
    case rsaOAEPSHA256
    /// `RSA_OAEP_SHA_512`: SHA-512, MGF1-SHA-512, empty label.
    case rsaOAEPSHA512
}

/// RSAES-OAEP decryption of key cryptograms (RFC 8017 §7.1.2).
///
/// SHA-256 goes through swift-crypto (`_RSA.Encryption`, BoringSSL). swift-crypto has no
/// OAEP with SHA-512, so that variant uses the hand-written decoder in `OAEPDecoding.swift`
/// on top of BoringSSL's raw private-key operation.
public enum RSAOAEP {
    /// Decrypts `ciphertext` with the wrapping key: the clear message (for ImportKey, the key bytes).
    ///
    /// - Parameters:
    ///   - ciphertext: The cryptogram; exactly as long as the key's modulus.
    ///   - key: The wrapping key of the import token.
    ///   - spec: Which OAEP variant the sender used.
    /// - Throws: ``KeyCryptogramError/ciphertextLength(expected:actual:)`` for a ciphertext of the
    ///   wrong length; ``KeyCryptogramError/decryptionFailed`` for anything else (wrong key, wrong
    ///   spec, tampered bytes, a value not below the modulus), without saying which check failed.
    public static func decrypt(
        _ ciphertext: [UInt8],
        with key: ImportWrappingKey,
        spec: KeyCryptogramWrappingSpec
    ) throws(KeyCryptogramError) -> [UInt8] {
        let k = key.size.byteCount
        guard ciphertext.count == k else {
            throw .ciphertextLength(expected: k, actual: ciphertext.count)
        }
        switch spec {
        case .rsaOAEPSHA256:
            do {
                let decryptor = try _RSA.Encryption.PrivateKey(derRepresentation: key.key.derRepresentation)
                return Array(try decryptor.decrypt(ciphertext, padding: .PKCS1_OAEP_SHA256))
            } catch {
                throw .decryptionFailed
            }
        case .rsaOAEPSHA512:
            return try OAEPDecoding.decrypt(ciphertext, with: key.key, hash: SHA512.self)
        }
    }
}
