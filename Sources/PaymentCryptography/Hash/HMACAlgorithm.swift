import Crypto

/// The hash functions HMAC is defined with here (the four of AWS's `HMAC_SHA*` key algorithms).
public enum HMACHash: String, Sendable, CaseIterable {
    case sha224, sha256, sha384, sha512

    /// The full HMAC output size in bytes.
    public var byteCount: Int {
        switch self {
        case .sha224: 28
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }
}

/// HMAC (RFC 2104) with SHA-224, SHA-256, SHA-384 or SHA-512.
public enum HMACAlgorithm {
    /// Computes the full HMAC of `message` under `key`.
    public static func authenticationCode(hash: HMACHash, key: [UInt8], message: [UInt8]) -> [UInt8] {
        let k = SymmetricKey(data: key)
        switch hash {
        case .sha224: return HMACSHA224.authenticationCode(for: message, key: key)
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: message, using: k))
        case .sha384: return Array(HMAC<SHA384>.authenticationCode(for: message, using: k))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: message, using: k))
        }
    }
}
