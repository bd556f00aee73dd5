/// A single-length DES key.
///
/// Single DES is broken as a cipher. It is exposed only because standards built on it need it:
/// the ISO/IEC 9797-1 retail MAC (algorithm 3) and the ANSI X9.24-1 DUKPT key walk, and for
/// known-answer tests. Use ``TripleDES`` for encryption.
public struct DES: Sendable {
    let schedule: DESKeySchedule

    /// Creates a DES key from 8 bytes (parity bits are ignored).
    /// - Throws: ``PaymentCryptographyError/invalidKeyLength(_:)`` unless `key` has 8 bytes.
    public init(key: some Collection<UInt8>) throws(PaymentCryptographyError) {
        guard key.count == 8 else { throw .invalidKeyLength(key.count) }
        schedule = DESKeySchedule(key: Bytes.uint64(Array(key), at: 0))
    }

    /// Encrypts one 64-bit block (big-endian).
    @inline(__always)
    public func encrypt(block: UInt64) -> UInt64 { DESEngine.crypt(block, schedule, decrypt: false) }

    /// Decrypts one 64-bit block (big-endian).
    @inline(__always)
    public func decrypt(block: UInt64) -> UInt64 { DESEngine.crypt(block, schedule, decrypt: true) }
}

/// A TDEA (triple DES, encrypt-decrypt-encrypt) key of two or three parts (ANSI X9.52, SP 800-67).
///
/// A 16-byte key K1‖K2 is used as K1, K2, K1. A 24-byte key is K1‖K2‖K3. An 8-byte key is
/// accepted too and behaves as single DES (K1 = K2 = K3), as ISO 9797-1 and X9.9 allow.
public struct TripleDES: Sendable {
    let k1: DESKeySchedule
    let k2: DESKeySchedule
    let k3: DESKeySchedule
    /// The key length in bytes: 8, 16 or 24.
    public let keyByteCount: Int

    /// The block size in bytes.
    public static let blockSize = 8

    /// Creates a TDES key from 8, 16 or 24 bytes.
    /// - Throws: ``PaymentCryptographyError/invalidKeyLength(_:)`` for any other length.
    public init(key: some Collection<UInt8>) throws(PaymentCryptographyError) {
        let k = Array(key)
        switch k.count {
        case 8:
            let s = DESKeySchedule(key: Bytes.uint64(k, at: 0))
            (k1, k2, k3) = (s, s, s)
        case 16:
            let a = DESKeySchedule(key: Bytes.uint64(k, at: 0))
            (k1, k2, k3) = (a, DESKeySchedule(key: Bytes.uint64(k, at: 8)), a)
        case 24:
            k1 = DESKeySchedule(key: Bytes.uint64(k, at: 0))
            k2 = DESKeySchedule(key: Bytes.uint64(k, at: 8))
            k3 = DESKeySchedule(key: Bytes.uint64(k, at: 16))
        default:
            throw .invalidKeyLength(k.count)
        }
        keyByteCount = k.count
    }

    /// Encrypts one 64-bit block: E_K3(D_K2(E_K1(x))).
    @inline(__always)
    public func encrypt(block: UInt64) -> UInt64 {
        let x = DESTables.initialPermutation(block)
        var l = UInt32(truncatingIfNeeded: x >> 32)
        var r = UInt32(truncatingIfNeeded: x)
        // Between the three DES passes FP and IP cancel; only the halves swap.
        DESEngine.rounds(&l, &r, k1, decrypt: false)
        swap(&l, &r)
        DESEngine.rounds(&l, &r, k2, decrypt: true)
        swap(&l, &r)
        DESEngine.rounds(&l, &r, k3, decrypt: false)
        return DESTables.finalPermutation((UInt64(r) << 32) | UInt64(l))
    }

    /// Decrypts one 64-bit block: D_K1(E_K2(D_K3(x))).
    @inline(__always)
    public func decrypt(block: UInt64) -> UInt64 {
        let x = DESTables.initialPermutation(block)
        var l = UInt32(truncatingIfNeeded: x >> 32)
        var r = UInt32(truncatingIfNeeded: x)
        DESEngine.rounds(&l, &r, k3, decrypt: true)
        swap(&l, &r)
        DESEngine.rounds(&l, &r, k2, decrypt: false)
        swap(&l, &r)
        DESEngine.rounds(&l, &r, k1, decrypt: true)
        return DESTables.finalPermutation((UInt64(r) << 32) | UInt64(l))
    }

    /// ECB encryption of whole blocks.
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` unless the data is a multiple of 8 bytes.
    public func encryptECB(_ data: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        try Bytes.mapBlocks(data) { encrypt(block: $0) }
    }

    /// ECB decryption of whole blocks.
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` unless the data is a multiple of 8 bytes.
    public func decryptECB(_ data: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        try Bytes.mapBlocks(data) { decrypt(block: $0) }
    }

    /// CBC encryption of whole blocks (no padding).
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` unless the data is a multiple of 8 bytes
    ///   and the IV is 8 bytes.
    public func encryptCBC(_ data: [UInt8], iv: [UInt8] = [UInt8](repeating: 0, count: 8)) throws(PaymentCryptographyError) -> [UInt8] {
        guard iv.count == 8 else { throw .invalidDataLength(iv.count) }
        var chain = Bytes.uint64(iv, at: 0)
        return try Bytes.mapBlocks(data) { block in
            chain = encrypt(block: block ^ chain)
            return chain
        }
    }

    /// CBC decryption of whole blocks (no padding).
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` unless the data is a multiple of 8 bytes
    ///   and the IV is 8 bytes.
    public func decryptCBC(_ data: [UInt8], iv: [UInt8] = [UInt8](repeating: 0, count: 8)) throws(PaymentCryptographyError) -> [UInt8] {
        guard iv.count == 8 else { throw .invalidDataLength(iv.count) }
        var chain = Bytes.uint64(iv, at: 0)
        return try Bytes.mapBlocks(data) { block in
            let plain = decrypt(block: block) ^ chain
            chain = block
            return plain
        }
    }
}
