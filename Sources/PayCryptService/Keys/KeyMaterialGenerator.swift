import PaymentCryptography

/// Random key material for CreateKey.
enum KeyMaterialGenerator {
    /// New material for a symmetric algorithm: TDES keys with odd parity on every byte, AES keys
    /// of their size, HMAC keys as long as the hash output (a paycrypt decision).
    static func generate(_ algorithm: KeyAlgorithm) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        func random(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        switch algorithm {
        case .TDES_2KEY: return EMVKeyDerivation.oddParity(random(16))
        case .TDES_3KEY: return EMVKeyDerivation.oddParity(random(24))
        case .AES_128: return random(16)
        case .AES_192: return random(24)
        case .AES_256: return random(32)
        case .HMAC_SHA224: return random(28)
        case .HMAC_SHA256: return random(32)
        case .HMAC_SHA384: return random(48)
        case .HMAC_SHA512: return random(64)
        }
    }
}
