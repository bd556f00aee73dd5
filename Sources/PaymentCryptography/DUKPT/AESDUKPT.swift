/// ANSI X9.24-3:2017 DUKPT with AES base derivation keys, host side: the initial key, the
/// derivation key for any 32-bit counter, and working keys of every usage and type.
public enum AESDUKPT {
    /// The type of a derived key, with its algorithm indicator and length (X9.24-3 §6.2 Table 2).
    public enum KeyType: String, Sendable, CaseIterable {
        case tdes2 = "TDES_2KEY", tdes3 = "TDES_3KEY"
        case aes128 = "AES_128", aes192 = "AES_192", aes256 = "AES_256"
        case hmac128 = "HMAC_128", hmac192 = "HMAC_192", hmac256 = "HMAC_256"

        /// The algorithm indicator in the derivation data.
        var algorithmIndicator: UInt16 {
            switch self {
            case .tdes2: 0
            case .tdes3: 1
            case .aes128: 2
            case .aes192: 3
            case .aes256: 4
            case .hmac128, .hmac192, .hmac256: 5
            }
        }

        /// The key length in bits.
        public var bitCount: Int {
            switch self {
            case .tdes2, .aes128, .hmac128: 128
            case .tdes3, .aes192, .hmac192: 192
            case .aes256, .hmac256: 256
            }
        }

        /// The security strength ordering of X9.24-3: 2TDEA < 3TDEA < AES-128 = HMAC-128 < AES-192 = HMAC-192 < AES-256 = HMAC-256.
        public var strength: Int {
            switch self {
            case .tdes2: 1
            case .tdes3: 2
            case .aes128, .hmac128: 3
            case .aes192, .hmac192: 4
            case .aes256, .hmac256: 5
            }
        }

        /// The AES type of a BDK of this many bytes, if any.
        public static func aes(byteCount: Int) -> KeyType? {
            switch byteCount {
            case 16: .aes128
            case 24: .aes192
            case 32: .aes256
            default: nil
            }
        }
    }

    /// Key usage indicators of the derivation data (X9.24-3 §6.3.2 Table 3).
    public enum KeyUsage: UInt16, Sendable, CaseIterable {
        case keyEncryptionKey = 0x0002
        case pinEncryption = 0x1000
        case macGeneration = 0x2000
        case macVerification = 0x2001
        case macBothWays = 0x2002
        case dataEncryption = 0x3000
        case dataDecryption = 0x3001
        case dataBothWays = 0x3002
        case keyDerivation = 0x8000
        case initialKeyDerivation = 0x8001
    }

    /// Builds the 16-byte derivation data.
    static func derivationData(usage: KeyUsage, type: KeyType, tail: [UInt8]) -> [UInt8] {
        let bits = UInt16(type.bitCount)
        return [0x01, 0x01,
                UInt8(usage.rawValue >> 8), UInt8(usage.rawValue & 0xFF),
                UInt8(type.algorithmIndicator >> 8), UInt8(type.algorithmIndicator & 0xFF),
                UInt8(bits >> 8), UInt8(bits & 0xFF)] + tail
    }

    /// DeriveKey: AES-ECB of the derivation data with its block counter 1, 2, ... truncated to the type's length.
    static func deriveKey(_ key: AESKey, data: [UInt8], type: KeyType) throws(PaymentCryptographyError) -> [UInt8] {
        let byteCount = type.bitCount / 8
        var dd = data
        var out = [UInt8]()
        var i: UInt8 = 1
        while out.count < byteCount {
            dd[1] = i
            out += try key.encrypt(block: dd)
            i += 1
        }
        return Array(out.prefix(byteCount))
    }

    /// The initial key of a device from the BDK (16, 24 or 32 bytes) and its 8-byte initial key ID.
    /// - Throws: ``PaymentCryptographyError`` for other sizes.
    public static func initialKey(bdk: [UInt8], initialKeyID: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard let type = KeyType.aes(byteCount: bdk.count) else { throw .invalidKeyLength(bdk.count) }
        guard initialKeyID.count == 8 else { throw .invalidDataLength(initialKeyID.count) }
        return try deriveKey(AESKey(key: bdk), data: derivationData(usage: .initialKeyDerivation, type: type, tail: initialKeyID), type: type)
    }

    /// The derivation ("transaction") key for the 12-byte KSN's counter, walking from the initial key.
    public static func derivationKey(initialKey: [UInt8], ksn: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard let type = KeyType.aes(byteCount: initialKey.count) else { throw .invalidKeyLength(initialKey.count) }
        guard ksn.count == 12 else { throw .invalidDataLength(ksn.count) }
        let derivationID = Array(ksn[4..<8])
        let counter = UInt32(ksn[8]) << 24 | UInt32(ksn[9]) << 16 | UInt32(ksn[10]) << 8 | UInt32(ksn[11])
        var key = initialKey
        var working: UInt32 = 0
        var bit: UInt32 = 1 << 31
        while bit != 0 {
            if counter & bit != 0 {
                working |= bit
                let tail = derivationID + [UInt8(working >> 24), UInt8(truncatingIfNeeded: working >> 16), UInt8(truncatingIfNeeded: working >> 8), UInt8(truncatingIfNeeded: working)]
                key = try deriveKey(AESKey(key: key), data: derivationData(usage: .keyDerivation, type: type, tail: tail), type: type)
            }
            bit >>= 1
        }
        return key
    }

    /// A working key of the given usage and type from a derivation key and the 12-byte KSN.
    /// - Throws: ``PaymentCryptographyError/invalidParameter(_:)`` when the type is stronger than the derivation key.
    public static func workingKey(derivationKey: [UInt8], ksn: [UInt8], usage: KeyUsage, type: KeyType) throws(PaymentCryptographyError) -> [UInt8] {
        guard let derivationType = KeyType.aes(byteCount: derivationKey.count) else { throw .invalidKeyLength(derivationKey.count) }
        guard ksn.count == 12 else { throw .invalidDataLength(ksn.count) }
        guard type.strength <= derivationType.strength else {
            throw .invalidParameter("a \(type.rawValue) working key is stronger than the \(derivationType.rawValue) derivation key")
        }
        let tail = Array(ksn[4..<12])
        return try deriveKey(AESKey(key: derivationKey), data: derivationData(usage: usage, type: type, tail: tail), type: type)
    }

    /// BDK to working key in one call.
    public static func workingKey(bdk: [UInt8], ksn: [UInt8], usage: KeyUsage, type: KeyType) throws(PaymentCryptographyError) -> [UInt8] {
        guard ksn.count == 12 else { throw .invalidDataLength(ksn.count) }
        let ik = try initialKey(bdk: bdk, initialKeyID: Array(ksn[0..<8]))
        return try workingKey(derivationKey: derivationKey(initialKey: ik, ksn: ksn), ksn: ksn, usage: usage, type: type)
    }
}
