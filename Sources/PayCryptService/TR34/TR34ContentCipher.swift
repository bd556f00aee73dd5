import PaymentCryptography

/// The two content-encryption algorithms of a TR-34 2012 EnvelopedData: des-ede3-cbc with a
/// 24-byte ephemeral key (for TDES keys) and aes128-CBC with a 16-byte key (for AES keys), both
/// with PKCS#7 padding of the KeyBlock.
enum TR34ContentCipher: Sendable, Equatable {
    /// des-ede3-cbc (1.2.840.113549.3.7): three-key TDES, 8-byte IV.
    case desEDE3CBC
    /// aes128-CBC (2.16.840.1.101.3.4.1.2): AES-128, 16-byte IV.
    case aes128CBC

    /// The cipher an algorithm identifier's OID names, or nil.
    init?(oid: [UInt8]) {
        switch oid {
        case TR34DER.idDESEDE3CBC: self = .desEDE3CBC
        case TR34DER.idAES128CBC: self = .aes128CBC
        default: return nil
        }
    }

    /// The OID content octets.
    var oid: [UInt8] {
        switch self {
        case .desEDE3CBC: return TR34DER.idDESEDE3CBC
        case .aes128CBC: return TR34DER.idAES128CBC
        }
    }

    /// The content-encryption key length in bytes.
    var keyLength: Int { self == .desEDE3CBC ? 24 : 16 }

    /// The block (and IV) length in bytes.
    var blockSize: Int { self == .desEDE3CBC ? 8 : 16 }

    /// Pads with PKCS#7 (always at least one byte) and CBC-encrypts.
    /// - Throws: ``TR34Error/cryptographicFailure(_:)`` if the key or IV has the wrong length.
    func encrypt(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) throws(TR34Error) -> [UInt8] {
        let pad = blockSize - plaintext.count % blockSize
        let padded = plaintext + [UInt8](repeating: UInt8(pad), count: pad)
        do {
            switch self {
            case .desEDE3CBC: return try TripleDES(key: key).encryptCBC(padded, iv: iv)
            case .aes128CBC: return try AESKey(key: key).encryptCBC(padded, iv: iv)
            }
        } catch {
            throw .cryptographicFailure("content encryption failed")
        }
    }

    /// CBC-decrypts whole blocks (no unpadding: the caller finds the KeyBlock's end first).
    /// - Throws: ``TR34Error/contentDecryptionFailed`` for a ciphertext that is empty or not
    ///   whole blocks, or an IV of the wrong length.
    func decrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) throws(TR34Error) -> [UInt8] {
        guard !ciphertext.isEmpty, ciphertext.count % blockSize == 0, iv.count == blockSize else {
            throw .contentDecryptionFailed
        }
        do {
            switch self {
            case .desEDE3CBC: return try TripleDES(key: key).decryptCBC(ciphertext, iv: iv)
            case .aes128CBC: return try AESKey(key: key).decryptCBC(ciphertext, iv: iv)
            }
        } catch {
            throw .contentDecryptionFailed
        }
    }

    /// Checks what follows the KeyBlock's DER in the decrypted content: PKCS#7 padding
    /// (1 to `blockSize` bytes, each equal to the count), or nothing at all when the KeyBlock
    /// already fills whole blocks (AWS's public TR-34 sample pads only then, and AWS accepts it).
    func isValidPadding(_ trailer: ArraySlice<UInt8>) -> Bool {
        if trailer.isEmpty { return true }
        guard trailer.count <= blockSize, let last = trailer.last, Int(last) == trailer.count else { return false }
        return trailer.allSatisfy { $0 == last }
    }
}
