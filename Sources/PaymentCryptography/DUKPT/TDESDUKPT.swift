/// ANSI X9.24-1:2009 DUKPT with TDES keys, host side: the initial key (IPEK) from the base
/// derivation key and the KSN, the walk to the current transaction key, and the variants.
public enum TDESDUKPT {
    /// The XOR variants of X9.24-1:2009 Annex A.4.1, Table A-1.
    public enum Variant: Sendable, CaseIterable {
        /// PIN encryption key.
        case pinEncryption
        /// MAC key for requests (the device's MACs).
        case macRequest
        /// MAC key for responses (the host's MACs).
        case macResponse
        /// Data encryption key for requests; includes the one-way function of Figure A-2.
        case dataRequest
        /// Data encryption key for responses; includes the one-way function of Figure A-2.
        case dataResponse

        /// The 16-byte XOR mask of the variant.
        public var mask: [UInt8] {
            let half: UInt64 = switch self {
            case .pinEncryption: 0x0000_0000_0000_00FF
            case .macRequest: 0x0000_0000_0000_FF00
            case .macResponse: 0x0000_0000_FF00_0000
            case .dataRequest: 0x0000_0000_00FF_0000
            case .dataResponse: 0x0000_00FF_0000_0000
            }
            return Bytes.bytes(half) + Bytes.bytes(half)
        }
    }

    static let keyMask: [UInt8] = [0xC0, 0xC0, 0xC0, 0xC0, 0, 0, 0, 0]

    /// The number of bits of the transaction counter in the 80-bit KSN.
    public static let counterBits = 21

    /// Derives the IPEK from a BDK (16 bytes, or 24 bytes: see below) and a 10-byte KSN.
    ///
    /// A 24-byte BDK uses its full TDES on both halves, with the mask C0C0C0C000000000 applied
    /// to all three parts for the right half (the project's decision for AWS's TDES_3KEY BDKs).
    /// - Throws: ``PaymentCryptographyError/invalidKeyLength(_:)`` or ``PaymentCryptographyError/invalidDataLength(_:)``.
    public static func initialKey(bdk: [UInt8], ksn: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard bdk.count == 16 || bdk.count == 24 else { throw .invalidKeyLength(bdk.count) }
        guard ksn.count == 10 else { throw .invalidDataLength(ksn.count) }
        var register = Array(ksn[0..<8])
        register[7] &= 0xE0
        let r = Bytes.uint64(register, at: 0)
        let left = try TripleDES(key: bdk).encrypt(block: r)
        let maskedBDK = Bytes.xor(bdk, Array((keyMask + keyMask + keyMask).prefix(bdk.count)))
        let right = try TripleDES(key: maskedBDK).encrypt(block: r)
        return Bytes.bytes(left) + Bytes.bytes(right)
    }

    /// The transaction counter (21 bits) of a 10-byte KSN.
    public static func counter(ksn: [UInt8]) -> UInt32 {
        (UInt32(ksn[7] & 0x1F) << 16) | (UInt32(ksn[8]) << 8) | UInt32(ksn[9])
    }

    /// Walks from the IPEK to the transaction key of the KSN's counter (the host algorithm).
    /// - Throws: ``PaymentCryptographyError`` when the IPEK is not 16 bytes or the KSN not 10.
    public static func transactionKey(initialKey ipek: [UInt8], ksn: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard ipek.count == 16 else { throw .invalidKeyLength(ipek.count) }
        guard ksn.count == 10 else { throw .invalidDataLength(ksn.count) }
        let tc = counter(ksn: ksn)
        var r8 = Bytes.uint64(Array(ksn[2..<10]), at: 0) & ~UInt64(0x1F_FFFF)
        var kl = Bytes.uint64(ipek, at: 0)
        var kr = Bytes.uint64(ipek, at: 8)
        var bit: UInt32 = 1 << 20
        while bit != 0 {
            if tc & bit != 0 {
                r8 |= UInt64(bit)
                (kl, kr) = try nonReversibleKeyGeneration(kl, kr, register: r8)
            }
            bit >>= 1
        }
        return Bytes.bytes(kl) + Bytes.bytes(kr)
    }

    /// IPEK, then the transaction key, in one call.
    public static func transactionKey(bdk: [UInt8], ksn: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        try transactionKey(initialKey: initialKey(bdk: bdk, ksn: ksn), ksn: ksn)
    }

    /// Applies a variant to a transaction key (the data variants also get the one-way function).
    public static func workingKey(transactionKey key: [UInt8], variant: Variant) throws(PaymentCryptographyError) -> [UInt8] {
        guard key.count == 16 else { throw .invalidKeyLength(key.count) }
        let v = Bytes.xor(key, variant.mask)
        switch variant {
        case .dataRequest, .dataResponse:
            let tdes = try TripleDES(key: v)
            return Bytes.bytes(tdes.encrypt(block: Bytes.uint64(v, at: 0))) + Bytes.bytes(tdes.encrypt(block: Bytes.uint64(v, at: 8)))
        default:
            return v
        }
    }

    /// The non-reversible key generation process of X9.24-1 on a 16-byte key KL||KR.
    static func nonReversibleKeyGeneration(_ kl: UInt64, _ kr: UInt64, register: UInt64) throws(PaymentCryptographyError) -> (UInt64, UInt64) {
        let newRight = kr ^ (try DES(key: Bytes.bytes(kl))).encrypt(block: register ^ kr)
        let maskL = kl ^ 0xC0C0_C0C0_0000_0000
        let maskR = kr ^ 0xC0C0_C0C0_0000_0000
        let newLeft = maskR ^ (try DES(key: Bytes.bytes(maskL))).encrypt(block: register ^ maskR)
        return (newLeft, newRight)
    }
}
