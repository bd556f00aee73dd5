/// A TR-31 key block protection key (KBPK): the key-encryption key a key block is wrapped under,
/// with the algorithm it belongs to. The algorithm is part of the value because a 16- or 24-byte
/// key alone could be either TDES or AES, and the version must match it (D needs AES, A/B/C TDES).
///
/// The key bytes are not printed: `description` shows only the algorithm and length.
public struct TR31ProtectionKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The block cipher of a key block protection key.
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        /// Triple DES (versions A, B, C).
        case tdes = "TDES"
        /// AES (version D).
        case aes = "AES"
    }

    /// The algorithm of the key.
    public let algorithm: Algorithm
    let bytes: [UInt8]

    /// The key length in bytes.
    public var byteCount: Int { bytes.count }

    /// A TDES protection key of 8 (single length; versions A and C only), 16 or 24 bytes.
    /// - Throws: ``TR31Error/invalidProtectionKeyLength(_:)`` for any other length.
    public init(tdes key: [UInt8]) throws(TR31Error) {
        guard [8, 16, 24].contains(key.count) else { throw .invalidProtectionKeyLength(key.count) }
        algorithm = .tdes
        bytes = key
    }

    /// An AES protection key of 16, 24 or 32 bytes.
    /// - Throws: ``TR31Error/invalidProtectionKeyLength(_:)`` for any other length.
    public init(aes key: [UInt8]) throws(TR31Error) {
        guard [16, 24, 32].contains(key.count) else { throw .invalidProtectionKeyLength(key.count) }
        algorithm = .aes
        bytes = key
    }

    /// The algorithm and length, never the key.
    public var description: String { "TR31ProtectionKey(\(algorithm.rawValue), \(bytes.count) bytes)" }

    /// The algorithm and length, never the key.
    public var debugDescription: String { description }

    /// Checks that this key can protect a block of `version`.
    /// - Throws: ``TR31Error/protectionKeyMismatch(version:algorithm:byteCount:)``.
    func check(for version: TR31Version) throws(TR31Error) {
        guard algorithm == version.protectionAlgorithm, version.protectionKeyByteCounts.contains(bytes.count) else {
            throw .protectionKeyMismatch(version: version, algorithm: algorithm, byteCount: bytes.count)
        }
    }
}
