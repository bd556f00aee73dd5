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

/// An HMAC whose key is already processed (RFC 2104: the key's inner and outer pads hashed once),
/// copied for each message. A key the server keeps in its cache pays for the pads once, not per MAC.
struct KeyedHMAC: Sendable {
    private enum Keyed: Sendable {
        case sha256(PrecomputedHMAC<SHA256>)
        case sha384(PrecomputedHMAC<SHA384>)
        case sha512(PrecomputedHMAC<SHA512>)
    }

    private let keyed: Keyed

    /// Keys an HMAC; nil for SHA-224, which swift-crypto does not offer (``HMACSHA224`` is used per message).
    init?(hash: HMACHash, key: [UInt8]) {
        switch hash {
        case .sha224: return nil
        case .sha256: keyed = .sha256(PrecomputedHMAC(key: key))
        case .sha384: keyed = .sha384(PrecomputedHMAC(key: key))
        case .sha512: keyed = .sha512(PrecomputedHMAC(key: key))
        }
    }

    /// The full HMAC of `message`; the same bytes as ``HMACAlgorithm/authenticationCode(hash:key:message:)``.
    func authenticationCode(_ message: [UInt8]) -> [UInt8] {
        switch keyed {
        case .sha256(let h): return h.authenticationCodeBytes(message)
        case .sha384(let h): return h.authenticationCodeBytes(message)
        case .sha512(let h): return h.authenticationCodeBytes(message)
        }
    }
}
