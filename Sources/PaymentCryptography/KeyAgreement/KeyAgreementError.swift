/// Why an ECDH key agreement or its key derivation was refused. The text never holds key
/// material or the shared secret.
public enum KeyAgreementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The private key bytes are not a scalar of the curve (SEC 1 §2.3.6).
    case invalidPrivateKey(ECCCurve)
    /// The other party's public key is not a point of the curve (SP 800-56A Rev. 3 §5.6.2.3.4).
    case publicKeyNotOnCurve(ECCCurve)
    /// The requested output length is outside what the KDF defines.
    case invalidOutputLength(Int)

    /// A short explanation naming the check that failed.
    public var description: String {
        switch self {
        case .invalidPrivateKey(let c): "the private key is not a valid \(c.name) scalar"
        case .publicKeyNotOnCurve(let c): "the public key is not a point on \(c.name)"
        case .invalidOutputLength(let n): "a derived key of \(n) bytes is not defined"
        }
    }
}
