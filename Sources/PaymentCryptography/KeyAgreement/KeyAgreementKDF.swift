import Crypto

/// The hash function H of an ECDH key derivation.
public enum KDFHash: Sendable, CaseIterable {
    /// SHA-256, SHA-384, SHA-512 (FIPS 180-4) on swift-crypto.
    case sha256, sha384, sha512

    func digest(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Array(SHA256.hash(data: data))
        case .sha384: Array(SHA384.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        }
    }
}

/// The key derivation functions of an ECDH-derived key.
public enum KeyAgreementKDF: Sendable, CaseIterable {
    /// NIST SP 800-56C Rev. 2 §4.1, option 1 (the one-step "Concat KDF" with a hash):
    /// K(i) = H(counter ‖ Z ‖ OtherInfo), the 32-bit big-endian counter first.
    case oneStep
    /// ANSI X9.63 §5.6.3 (SEC 1 §3.6.1): K(i) = H(Z ‖ counter ‖ SharedInfo), the counter after Z.
    case x963

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
            case .oneStep: out += hash.digest(c + z + info)
            case .x963: out += hash.digest(z + c + info)
            }
            counter += 1
        }
        return Array(out.prefix(length))
    }
}
