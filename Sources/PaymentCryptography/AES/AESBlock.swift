import Crypto
import _CryptoExtras

/// AES primitives used by the MAC algorithms, all from swift-crypto (BoringSSL).
public struct AESKey: Sendable {
    let key: SymmetricKey
    /// A CMAC context keyed once (subkeys computed); each MAC starts from a copy of it.
    let cmacTemplate: AES.CMAC?
    /// The key length in bytes: 16, 24 or 32.
    public let byteCount: Int

    /// The block size in bytes.
    public static let blockSize = 16

    /// Creates an AES key from 16, 24 or 32 bytes.
    /// - Throws: ``PaymentCryptographyError/invalidKeyLength(_:)`` for any other length.
    public init(key: [UInt8]) throws(PaymentCryptographyError) {
        try self.init(key: key, preparingCMAC: false)
    }

    /// Creates an AES key; with `preparingCMAC` the CMAC subkeys are computed now, once, for a key
    /// that will compute many MACs (a cached key); without, each ``cmac(_:)`` computes them.
    public init(key: [UInt8], preparingCMAC: Bool) throws(PaymentCryptographyError) {
        guard [16, 24, 32].contains(key.count) else { throw .invalidKeyLength(key.count) }
        self.key = SymmetricKey(data: key)
        cmacTemplate = preparingCMAC ? try? AES.CMAC(key: self.key) : nil
        byteCount = key.count
    }

    /// Encrypts one 16-byte block (AES-ECB).
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` unless `block` has 16 bytes.
    public func encrypt(block: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard block.count == 16 else { throw .invalidDataLength(block.count) }
        var b = block
        do { try AES.permute(&b, key: key) } catch { throw .invalidParameter("AES block function failed") }
        return b
    }

    /// CBC encryption with a zero IV and no padding; returns the last ciphertext block
    /// (the CBC-MAC of already padded data).
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` unless the data is a non-empty multiple of 16 bytes.
    public func cbcMAC(_ padded: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard !padded.isEmpty, padded.count % 16 == 0 else { throw .invalidDataLength(padded.count) }
        do {
            let ct = try AES._CBC.encrypt(padded, using: key, iv: AES._CBC.IV(ivBytes: [UInt8](repeating: 0, count: 16)), noPadding: true)
            return Array(ct.suffix(16))
        } catch {
            throw .invalidParameter("AES-CBC failed")
        }
    }

    /// CBC encryption of whole blocks (no padding) with the given 16-byte IV.
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` unless the data is a non-empty
    ///   multiple of 16 bytes and the IV has 16 bytes.
    public func encryptCBC(_ data: [UInt8], iv: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard iv.count == 16 else { throw .invalidDataLength(iv.count) }
        guard !data.isEmpty, data.count % 16 == 0 else { throw .invalidDataLength(data.count) }
        do {
            return Array(try AES._CBC.encrypt(data, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            throw .invalidParameter("AES-CBC failed")
        }
    }

    /// CBC decryption of whole blocks (no padding) with the given 16-byte IV.
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` unless the data is a non-empty
    ///   multiple of 16 bytes and the IV has 16 bytes.
    public func decryptCBC(_ data: [UInt8], iv: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard iv.count == 16 else { throw .invalidDataLength(iv.count) }
        guard !data.isEmpty, data.count % 16 == 0 else { throw .invalidDataLength(data.count) }
        do {
            return Array(try AES._CBC.decrypt(data, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            throw .invalidParameter("AES-CBC failed")
        }
    }

    /// AES-CMAC (NIST SP 800-38B, RFC 4493); the full 16-byte tag.
    public func cmac(_ message: [UInt8]) -> [UInt8] {
        // The key size was checked at init, so CMAC cannot refuse it.
        guard var mac = cmacTemplate ?? (try? AES.CMAC(key: key)) else { return [] }
        message.withUnsafeBytes { mac.update(bufferPointer: $0) }
        return mac.finalize().withUnsafeBytes { Array($0) }
    }
}
