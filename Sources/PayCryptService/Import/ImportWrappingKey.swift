import Crypto
import Foundation
import _CryptoExtras

/// The RSA modulus sizes a KEY_CRYPTOGRAM wrapping key can have: AWS's `WrappingKeyAlgorithm`
/// values `RSA_2048`, `RSA_3072` and `RSA_4096` (the service maps the wire names to these).
public enum WrappingKeySize: Int, Sendable, CaseIterable {
    /// A 2048-bit modulus (256-byte cryptograms).
    case bits2048 = 2048
    /// A 3072-bit modulus (384-byte cryptograms).
    case bits3072 = 3072
    /// A 4096-bit modulus (512-byte cryptograms).
    case bits4096 = 4096

    /// The modulus length in bits.
    public var bitCount: Int { rawValue }

    /// The modulus length in bytes, which is also the length of every key cryptogram for this size.
    public var byteCount: Int { rawValue / 8 }
}

/// The RSA private key behind one `GetParametersForImport` answer for `KEY_CRYPTOGRAM`.
///
/// The service creates one per call with ``generate(size:)``, puts its public half in the
/// wrapping-key certificate (see ``WrappingKeyFactory``), keeps ``derRepresentation`` with the
/// import token, and on `ImportKey` loads it back with ``init(derRepresentation:)`` and calls
/// ``decrypt(keyCryptogram:spec:)``.
///
/// The same key is used for RSA-OAEP decryption only; it never signs.
public struct ImportWrappingKey: Sendable {
    /// The key as swift-crypto holds it. The `Signing` flavour is used because it is `Sendable`
    /// and because swift-certificates takes its public key; decryption re-reads the DER into
    /// whichever swift-crypto type the padding needs.
    let key: _RSA.Signing.PrivateKey

    /// The size of the modulus.
    public let size: WrappingKeySize

    private init(checking key: _RSA.Signing.PrivateKey) throws(WrappingKeyError) {
        guard let size = WrappingKeySize(rawValue: key.keySizeInBits) else {
            throw .unsupportedKeySize(key.keySizeInBits)
        }
        self.key = key
        self.size = size
    }

    /// Generates a fresh RSA key pair (public exponent 65537) of the given size.
    ///
    /// RSA-4096 generation takes about a second or more; 2048 well under one.
    /// - Parameter size: The modulus size the client asked for.
    /// - Throws: ``WrappingKeyError/cryptographicFailure(_:)`` if the library fails.
    public static func generate(size: WrappingKeySize) throws(WrappingKeyError) -> ImportWrappingKey {
        let key: _RSA.Signing.PrivateKey
        do {
            key = try _RSA.Signing.PrivateKey(keySize: .init(bitCount: size.bitCount))
        } catch {
            throw .cryptographicFailure("RSA key generation failed: \(error)")
        }
        return try ImportWrappingKey(checking: key)
    }

    /// Loads a key stored with ``derRepresentation`` (PKCS#1 `RSAPrivateKey`); PKCS#8
    /// `PrivateKeyInfo` is accepted too.
    /// - Parameter derRepresentation: The DER bytes.
    /// - Throws: ``WrappingKeyError/invalidPrivateKey`` if the bytes are not an RSA private key,
    ///   ``WrappingKeyError/unsupportedKeySize(_:)`` if it is not 2048, 3072 or 4096 bits.
    public init(derRepresentation: [UInt8]) throws(WrappingKeyError) {
        let key: _RSA.Signing.PrivateKey
        do {
            // The unsafe initialiser only lowers the size floor to 1024 bits, so that a wrong
            // size is reported as such; the size check below is the real gate.
            key = try _RSA.Signing.PrivateKey(unsafeDERRepresentation: derRepresentation)
        } catch {
            throw .invalidPrivateKey
        }
        try self.init(checking: key)
    }

    /// Loads a key from PEM (`RSA PRIVATE KEY` or `PRIVATE KEY`).
    /// - Parameter pemRepresentation: The PEM text.
    /// - Throws: As ``init(derRepresentation:)``.
    public init(pemRepresentation: String) throws(WrappingKeyError) {
        let key: _RSA.Signing.PrivateKey
        do {
            key = try _RSA.Signing.PrivateKey(unsafePEMRepresentation: pemRepresentation)
        } catch {
            throw .invalidPrivateKey
        }
        try self.init(checking: key)
    }

    /// The private key as DER-encoded PKCS#1 `RSAPrivateKey`: what the service stores with the
    /// import token (sealed, like every key it stores).
    public var derRepresentation: [UInt8] { Array(key.derRepresentation) }

    /// The private key as PEM (`RSA PRIVATE KEY`).
    public var pemRepresentation: String { key.pemRepresentation }

    /// The public key as DER-encoded `SubjectPublicKeyInfo`.
    public var publicKeyDER: [UInt8] { Array(key.publicKey.derRepresentation) }

    /// The public key as PEM (`PUBLIC KEY`).
    public var publicKeyPEM: String { key.publicKey.pemRepresentation }

    /// Decrypts a key cryptogram sent to `ImportKey`: the clear key bytes.
    ///
    /// Same as ``RSAOAEP/decrypt(_:with:spec:)``.
    /// - Parameters:
    ///   - keyCryptogram: The ciphertext bytes (the service has already decoded the hex).
    ///   - spec: The `WrappingSpec` of the request.
    /// - Throws: ``KeyCryptogramError``.
    public func decrypt(keyCryptogram: [UInt8], spec: KeyCryptogramWrappingSpec) throws(KeyCryptogramError) -> [UInt8] {
        try RSAOAEP.decrypt(keyCryptogram, with: self, spec: spec)
    }
}
