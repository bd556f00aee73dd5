/// Why a key cryptogram (ImportKey with `KeyCryptogram`) could not be unwrapped.
///
/// Neither case carries any byte of the ciphertext or of what it decrypted to. Decryption
/// failures are deliberately a single case: telling a bad OAEP label hash from a bad separator
/// would hand a padding oracle to whoever sends cryptograms.
public enum KeyCryptogramError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The ciphertext is not exactly as long as the wrapping key's modulus.
    case ciphertextLength(expected: Int, actual: Int)
    /// The ciphertext does not decrypt to a valid OAEP encoding under this key and wrapping spec.
    case decryptionFailed

    /// A message that can go to the client as it is.
    public var description: String {
        switch self {
        case .ciphertextLength(let expected, let actual):
            return "the key cryptogram is \(actual) bytes long; the wrapping key needs exactly \(expected)"
        case .decryptionFailed:
            return "the key cryptogram could not be decrypted with the wrapping key"
        }
    }
}

/// Why an import wrapping key, the service's certificate authority or a wrapping-key certificate
/// could not be made or loaded.
public enum WrappingKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An RSA key of this many bits is not a wrapping key size (2048, 3072 or 4096).
    case unsupportedKeySize(Int)
    /// Stored key bytes or PEM text are not a private key of the expected kind.
    case invalidPrivateKey
    /// Stored certificate bytes or PEM text are not a certificate of the expected kind.
    case invalidCertificate(String)
    /// The stored private key of the certificate authority does not match its certificate.
    case authorityKeyMismatch
    /// The cryptographic library failed to generate a key or to sign a certificate; the text
    /// is the library's (it never contains key material).
    case cryptographicFailure(String)

    /// A message for logs and for an internal-error response.
    public var description: String {
        switch self {
        case .unsupportedKeySize(let bits): return "an RSA wrapping key must be 2048, 3072 or 4096 bits, not \(bits)"
        case .invalidPrivateKey: return "the private key is not a valid key of the expected kind"
        case .invalidCertificate(let reason): return "invalid certificate: \(reason)"
        case .authorityKeyMismatch: return "the certificate authority's private key does not match its certificate"
        case .cryptographicFailure(let reason): return "cryptographic failure: \(reason)"
        }
    }
}
