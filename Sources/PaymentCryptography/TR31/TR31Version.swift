/// The TR-31 / ANSI X9.143 key block version ID: how the block is cryptographically bound.
public enum TR31Version: String, Sendable, Hashable, CaseIterable {
    /// Key variant binding with TDES (TR-31:2005; deprecated). KBEK = KBPK ⊕ `45…`,
    /// KBAK = KBPK ⊕ `4D…`; 4-byte CBC-MAC over header ‖ ciphertext.
    case a = "A"
    /// TDES key derivation binding (CMAC KDF, SP 800-108 counter mode); 8-byte CMAC over
    /// header ‖ clear key data, which is also the CBC IV.
    case b = "B"
    /// TDES key variant binding; computed as ``a`` (X9.143 only clarifies header values).
    case c = "C"
    /// AES key derivation binding (AES-CMAC KDF); 16-byte AES-CMAC over header ‖ clear key
    /// data, which is also the CBC IV.
    case d = "D"

    /// The cipher block size in bytes (8 for TDES, 16 for AES). The header with its optional
    /// blocks and the clear key data are whole multiples of it.
    public var blockSize: Int { self == .d ? 16 : 8 }

    /// The length in bytes of the MAC at the end of the block (4, 8 or 16).
    public var macByteCount: Int {
        switch self {
        case .a, .c: 4
        case .b: 8
        case .d: 16
        }
    }

    /// The algorithm of the key block protection key the version needs.
    public var protectionAlgorithm: TR31ProtectionKey.Algorithm { self == .d ? .aes : .tdes }

    /// The key block protection key lengths in bytes the version accepts: A and C take single,
    /// double and triple length TDES (as psec does), B double and triple length, D AES-128/192/256.
    public var protectionKeyByteCounts: [Int] {
        switch self {
        case .a, .c: [8, 16, 24]
        case .b: [16, 24]
        case .d: [16, 24, 32]
        }
    }
}
