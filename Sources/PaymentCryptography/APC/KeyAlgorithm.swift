/// The symmetric key algorithms of AWS Payment Cryptography (`KeyAlgorithm`), with the key
/// lengths each takes and its default key check value.
public enum KeyAlgorithm: String, Sendable, CaseIterable, Codable {
    case TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256
    case HMAC_SHA224, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512

    /// True for the two TDES algorithms.
    public var isTDES: Bool { self == .TDES_2KEY || self == .TDES_3KEY }
    /// True for the three AES algorithms.
    public var isAES: Bool { self == .AES_128 || self == .AES_192 || self == .AES_256 }
    /// The hash of an `HMAC_SHA*` algorithm, nil for the block ciphers.
    public var hmacHash: HMACHash? {
        switch self {
        case .HMAC_SHA224: .sha224
        case .HMAC_SHA256: .sha256
        case .HMAC_SHA384: .sha384
        case .HMAC_SHA512: .sha512
        default: nil
        }
    }

    /// The key lengths in bytes this algorithm takes. HMAC keys take 16 to 64 bytes, the
    /// range AWS allows for imported HMAC key material.
    public var keyByteCounts: ClosedRange<Int> {
        switch self {
        case .TDES_2KEY: 16...16
        case .TDES_3KEY: 24...24
        case .AES_128: 16...16
        case .AES_192: 24...24
        case .AES_256: 32...32
        case .HMAC_SHA224, .HMAC_SHA256, .HMAC_SHA384, .HMAC_SHA512: 16...64
        }
    }

    /// The key check value method AWS uses by default for this algorithm.
    public var defaultKeyCheckValueMethod: KeyCheckValue.Method {
        if isTDES { return .ansiX924 }
        if isAES { return .cmac }
        return .hmac
    }
}

/// Clear key material together with its algorithm, checked for length at creation.
public struct SymmetricKeyMaterial: Sendable {
    /// The key's algorithm.
    public let algorithm: KeyAlgorithm
    /// The clear key bytes. Never log or print them.
    public let bytes: [UInt8]
    /// The block cipher, expanded once (a TDES key schedule, an AES key), so that a key kept in a
    /// cache does not expand its schedule again for every MAC.
    let cipher: Cipher?

    enum Cipher: Sendable {
        case tdes(TripleDES, retail: RetailMAC)
        case aes(AESKey)
        /// An HMAC key, already keyed (SHA-256/384/512; SHA-224 is keyed per message).
        case hmac(KeyedHMAC)
    }

    /// Wraps key bytes, checking their length against the algorithm.
    /// - Throws: ``PaymentCryptographyError/invalidKeyLength(_:)`` when the length does not fit.
    public init(algorithm: KeyAlgorithm, bytes: [UInt8]) throws(PaymentCryptographyError) {
        guard algorithm.keyByteCounts.contains(bytes.count) else { throw .invalidKeyLength(bytes.count) }
        self.algorithm = algorithm
        self.bytes = bytes
        if algorithm.isTDES {
            cipher = .tdes(try TripleDES(key: bytes), retail: try RetailMAC(tdesKey: bytes))
        } else if algorithm.isAES {
            cipher = .aes(try AESKey(key: bytes, preparingCMAC: true))
        } else if let hash = algorithm.hmacHash, let keyed = KeyedHMAC(hash: hash, key: bytes) {
            cipher = .hmac(keyed)
        } else {
            cipher = nil
        }
    }

    /// The key check value (upper-case hex, 3 bytes = 6 digits) by `method`, default the algorithm's own.
    /// - Throws: ``PaymentCryptographyError/invalidParameter(_:)`` for a method that does not apply to the key.
    public func keyCheckValue(method: KeyCheckValue.Method? = nil) throws(PaymentCryptographyError) -> String {
        let m = method ?? algorithm.defaultKeyCheckValueMethod
        if algorithm.isTDES { return Bytes.hex(try KeyCheckValue.tdes(bytes, method: m)) }
        if algorithm.isAES {
            guard m == .cmac else { throw .invalidParameter("\(m.rawValue) check values are not defined for AES keys; use CMAC") }
            return Bytes.hex(try KeyCheckValue.aes(bytes))
        }
        guard m == .hmac, let hash = algorithm.hmacHash else {
            throw .invalidParameter("\(m.rawValue) check values are not defined for HMAC keys; use HMAC")
        }
        return Bytes.hex(KeyCheckValue.hmac(bytes, hash: hash))
    }
}
