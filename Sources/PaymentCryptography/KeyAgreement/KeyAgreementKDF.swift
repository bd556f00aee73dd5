import Crypto

/// The hash of an ECDH key derivation (AWS `KeyDerivationHashAlgorithm`).
public enum KDFHash: String, Sendable, CaseIterable, Codable {
    /// SHA-256, SHA-384, SHA-512 (FIPS 180-4) on swift-crypto.
    case SHA_256, SHA_384, SHA_512

    func digest(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .SHA_256: Array(SHA256.hash(data: data))
        case .SHA_384: Array(SHA384.hash(data: data))
        case .SHA_512: Array(SHA512.hash(data: data))
        }
    }
}

/// The key derivation functions of an ECDH-derived key (AWS `KeyDerivationFunction`).
public enum KeyAgreementKDF: String, Sendable, CaseIterable, Codable {
    /// NIST SP 800-56C Rev. 2 §4.1, option 1 (the one-step "Concat KDF" with a hash):
    /// K(i) = H(counter ‖ Z ‖ OtherInfo), the 32-bit big-endian counter first.
    case NIST_SP800
    /// ANSI X9.63 §5.6.3 (SEC 1 §3.6.1): K(i) = H(Z ‖ counter ‖ SharedInfo), the counter after Z.
    case ANSI_X963

    /// The first `length` bytes of K(1) ‖ K(2) ‖ ..., the counter starting at 1.
    /// - Parameters:
    ///   - z: the shared secret.
    ///   - info: OtherInfo / SharedInfo, as given (any bytes, empty included).
    ///   - length: the derived key's length in bytes, 1 to 1024.
    /// - Throws: ``KeyAgreementError/invalidOutputLength(_:)``.
    public func derive(hash: KDFHash, z: [UInt8], info: [UInt8], length: Int) throws(KeyAgreementError) -> [UInt8] {
        guard (1...1024).contains(length) else { throw .invalidOutputLength(length) }
        var out: [UInt8] = []
        out.reserveCapacity(length + 64)
        var counter: UInt32 = 1
        while out.count < length {
            let c: [UInt8] = [UInt8(counter >> 24), UInt8((counter >> 16) & 0xFF), UInt8((counter >> 8) & 0xFF), UInt8(counter & 0xFF)]
            switch self {
            case .NIST_SP800: out += hash.digest(c + z + info)
            case .ANSI_X963: out += hash.digest(z + c + info)
            }
            counter += 1
        }
        return Array(out.prefix(length))
    }
}
