/// A block cipher under one key, as the NIST SP 800-38A modes of operation need it: the forward
/// cipher function CIPH and, for ECB and CBC decryption only, its inverse.
public struct BlockCipher: Sendable {
    enum Engine: Sendable {
        case tdes(TripleDES)
        case aes(AESKey)
    }

    let engine: Engine

    /// The block size b in bytes: 8 for TDES, 16 for AES.
    public var blockSize: Int {
        switch engine {
        case .tdes: TripleDES.blockSize
        case .aes: AESKey.blockSize
        }
    }

    /// TDEA (SP 800-67) with a 16- or 24-byte key (8 bytes: single DES, for vectors only).
    public init(tdes: TripleDES) { engine = .tdes(tdes) }

    /// AES (FIPS 197) with a 16-, 24- or 32-byte key.
    public init(aes: AESKey) { engine = .aes(aes) }

    /// The cipher of TDES or AES key material, reusing its expanded key.
    /// - Throws: ``PaymentCryptographyError/invalidParameter(_:)`` for an HMAC key.
    public init(material: SymmetricKeyMaterial) throws(PaymentCryptographyError) {
        switch material.cipher {
        case .tdes(let t, _): engine = .tdes(t)
        case .aes(let a): engine = .aes(a)
        case .hmac?, nil: throw .invalidParameter("\(material.algorithm.rawValue) is not a block cipher")
        }
    }

    /// CIPH_K: encrypts one block of ``blockSize`` bytes.
    func encrypt(block: ArraySlice<UInt8>) throws(PaymentCryptographyError) -> [UInt8] {
        switch engine {
        case .tdes(let t):
            guard block.count == 8 else { throw .invalidDataLength(block.count) }
            return Bytes.bytes(t.encrypt(block: Bytes.uint64(Array(block), at: 0)))
        case .aes(let a):
            return try a.encrypt(block: Array(block))
        }
    }

    /// CIPH⁻¹_K: decrypts one block of ``blockSize`` bytes.
    func decrypt(block: ArraySlice<UInt8>) throws(PaymentCryptographyError) -> [UInt8] {
        switch engine {
        case .tdes(let t):
            guard block.count == 8 else { throw .invalidDataLength(block.count) }
            return Bytes.bytes(t.decrypt(block: Bytes.uint64(Array(block), at: 0)))
        case .aes(let a):
            // CBC decryption of one block with a zero IV is CIPH⁻¹ itself (SP 800-38A 6.2).
            return try a.decryptCBC(Array(block), iv: [UInt8](repeating: 0, count: 16))
        }
    }
}

/// The confidentiality modes of NIST SP 800-38A, with no padding: the caller gives data of a
/// length the mode can take (whole blocks for ECB and CBC, whole segments for CFB).
public enum BlockCipherMode: Sendable, Equatable, Hashable {
    /// Electronic codebook (6.1).
    case ecb
    /// Cipher block chaining (6.2).
    case cbc
    /// Cipher feedback with an s-bit segment (6.3); s is 1 or a multiple of 8 up to the block size in bits.
    case cfb(segmentBits: Int)
    /// Output feedback (6.4).
    case ofb
}

/// SP 800-38A encryption and decryption on a ``BlockCipher``.
public enum BlockModes {
    /// Encrypts `data` under `cipher` in `mode`.
    /// - Parameters:
    ///   - iv: the initialization vector, one block; ignored by ECB.
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` when the data is not whole
    ///   blocks (ECB, CBC) or whole segments (CFB), or the IV is not one block;
    ///   ``PaymentCryptographyError/invalidParameter(_:)`` for a CFB segment the cipher cannot take.
    public static func encrypt(_ data: [UInt8], cipher: BlockCipher, mode: BlockCipherMode, iv: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        try run(data, cipher: cipher, mode: mode, iv: iv, encrypting: true)
    }

    /// Decrypts `data` under `cipher` in `mode`; the same rules as ``encrypt(_:cipher:mode:iv:)``.
    public static func decrypt(_ data: [UInt8], cipher: BlockCipher, mode: BlockCipherMode, iv: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        try run(data, cipher: cipher, mode: mode, iv: iv, encrypting: false)
    }

    static func run(_ data: [UInt8], cipher: BlockCipher, mode: BlockCipherMode, iv: [UInt8], encrypting: Bool) throws(PaymentCryptographyError) -> [UInt8] {
        let b = cipher.blockSize
        if mode != .ecb, iv.count != b { throw .invalidDataLength(iv.count) }
        switch mode {
        case .ecb:
            guard data.count % b == 0 else { throw .invalidDataLength(data.count) }
            var out = [UInt8]()
            out.reserveCapacity(data.count)
            for offset in stride(from: 0, to: data.count, by: b) {
                let block = data[offset..<offset + b]
                let result = try encrypting ? cipher.encrypt(block: block) : cipher.decrypt(block: block)
                out += result
            }
            return out
        case .cbc:
            guard data.count % b == 0 else { throw .invalidDataLength(data.count) }
            if case .aes(let a) = cipher.engine, !data.isEmpty {
                if encrypting { return try a.encryptCBC(data, iv: iv) }
                return try a.decryptCBC(data, iv: iv)
            }
            var chain = iv
            var out = [UInt8]()
            out.reserveCapacity(data.count)
            for offset in stride(from: 0, to: data.count, by: b) {
                let block = Array(data[offset..<offset + b])
                if encrypting {
                    chain = try cipher.encrypt(block: Bytes.xor(block, chain)[...])
                    out += chain
                } else {
                    let decrypted = try cipher.decrypt(block: block[...])
                    out += Bytes.xor(decrypted, chain)
                    chain = block
                }
            }
            return out
        case .ofb:
            // O_j = CIPH(O_{j-1}), O_0 = IV; C = P ⊕ O, the last block possibly partial (6.4).
            var o = iv
            var out = [UInt8]()
            out.reserveCapacity(data.count)
            for offset in stride(from: 0, to: data.count, by: b) {
                o = try cipher.encrypt(block: o[...])
                let end = min(offset + b, data.count)
                for i in offset..<end { out.append(data[i] ^ o[i - offset]) }
            }
            return out
        case .cfb(let s):
            guard s == 1 || (s % 8 == 0 && s > 0 && s <= 8 * b) else {
                throw .invalidParameter("CFB segment of \(s) bits on a \(8 * b)-bit block")
            }
            return s == 1 ? try cfb1(data, cipher: cipher, iv: iv, encrypting: encrypting)
                          : try cfbBytes(data, cipher: cipher, iv: iv, segmentBytes: s / 8, encrypting: encrypting)
        }
    }

    /// CFB with a segment of whole bytes (6.3): O_j = CIPH(I_j), C_j = P_j ⊕ MSB_s(O_j),
    /// I_{j+1} = LSB_{b−s}(I_j) ‖ C_j. Both directions feed back the ciphertext segment.
    static func cfbBytes(_ data: [UInt8], cipher: BlockCipher, iv: [UInt8], segmentBytes n: Int, encrypting: Bool) throws(PaymentCryptographyError) -> [UInt8] {
        guard data.count % n == 0 else { throw .invalidDataLength(data.count) }
        var register = iv
        var out = [UInt8]()
        out.reserveCapacity(data.count)
        for offset in stride(from: 0, to: data.count, by: n) {
            let o = try cipher.encrypt(block: register[...])
            var c = [UInt8](repeating: 0, count: n)
            for i in 0..<n {
                let x = data[offset + i] ^ o[i]
                out.append(x)
                c[i] = encrypting ? x : data[offset + i]
            }
            register = Array(register[n...]) + c
        }
        return out
    }

    /// CFB with a 1-bit segment (6.3), most significant bit first: one block encryption per bit.
    static func cfb1(_ data: [UInt8], cipher: BlockCipher, iv: [UInt8], encrypting: Bool) throws(PaymentCryptographyError) -> [UInt8] {
        var register = iv
        var out = [UInt8]()
        out.reserveCapacity(data.count)
        for byte in data {
            var result: UInt8 = 0
            for bit in stride(from: 7, through: 0, by: -1) {
                let o = try cipher.encrypt(block: register[...])
                let p = (byte >> UInt8(bit)) & 1
                let x = p ^ (o[0] >> 7)
                result |= x << UInt8(bit)
                shiftLeftOneBit(&register, appending: encrypting ? x : p)
            }
            out.append(result)
        }
        return out
    }

    /// I ← LSB_{b−1}(I) ‖ bit.
    @inline(__always)
    static func shiftLeftOneBit(_ register: inout [UInt8], appending bit: UInt8) {
        for i in 0..<register.count {
            let next = i + 1 < register.count ? register[i + 1] >> 7 : bit
            register[i] = (register[i] << 1) | next
        }
    }
}
