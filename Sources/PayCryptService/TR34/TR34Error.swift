/// Why a TR-34 (`X9_TR34_2012`) key block could not be unwrapped or built.
///
/// One case per check the receiver makes (ANSI X9 TR-34-2012 §5, the
/// receiving device's checks), so that the service can tell the client which check failed. No case carries key
/// bytes, decrypted bytes or anything derived from them; the strings only name the part of the
/// structure or the algorithm concerned.
public enum TR34Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not the DER the 2012 layout needs; the text names the part that is wrong.
    case malformed(String)
    /// The block names an algorithm or parameter this implementation does not accept
    /// (a digest other than SHA-256, an OAEP other than SHA-256/MGF1-SHA-256/empty label,
    /// a content cipher other than des-ede3-cbc or aes128-cbc …); the text names it.
    case unsupportedAlgorithm(String)
    /// The KDH (signing key) certificate was not issued by the certificate authority: its issuer
    /// is not the authority's subject.
    case kdhCertificateNotIssuedByAuthority
    /// The KDH certificate's signature does not verify with the authority's public key.
    case kdhCertificateSignatureInvalid
    /// The KDH certificate is not valid at the time of the call (not yet valid or expired).
    case kdhCertificateNotValidNow
    /// The certificate authority's own certificate is not valid at the time of the call.
    case authorityCertificateNotValidNow
    /// The KDH certificate does not hold an RSA public key.
    case kdhCertificateNotRSA
    /// The SignerInfo does not name the KDH certificate (issuer and serial number).
    case signerMismatch
    /// The signature over the signed attributes does not verify with the KDH public key.
    case signatureInvalid
    /// A signed attribute the layout requires is missing; the text names it.
    case missingAttribute(String)
    /// A signed attribute occurs twice, or has other than one value; the text names it.
    case invalidAttribute(String)
    /// The messageDigest attribute is not the SHA-256 of the EnvelopedData octets.
    case messageDigestMismatch
    /// The request gave a RandomNonce (two-pass) but the block has no randomNonce attribute.
    case nonceMissing
    /// The randomNonce attribute differs from the request's RandomNonce.
    case nonceMismatch
    /// No RandomNonce was given (one-pass) and the block has no signingTime attribute.
    case signingTimeMissing
    /// The recipient of the EnvelopedData is not the wrapping certificate (issuer and serial
    /// number) of the import token.
    case recipientMismatch
    /// The wrapping certificate does not carry the wrapping key's public key.
    case wrappingKeyMismatch
    /// The content-encryption key could not be decrypted with the wrapping key (RSA-OAEP).
    case keyDecryptionFailed
    /// The decrypted content-encryption key has the wrong length for the content cipher.
    case contentKeyLength(expected: Int, actual: Int)
    /// The encrypted KeyBlock could not be decrypted: wrong length, or bad PKCS#7 padding.
    case contentDecryptionFailed
    /// The decrypted KeyBlock is not the TR-34 KeyBlock structure; the text names the part.
    case keyBlockMalformed(String)
    /// The KeyBlock's version is not 1.
    case keyBlockVersion(Int)
    /// The KDH identifier inside the KeyBlock is not the signer's.
    case keyBlockSignerMismatch
    /// The header inside the KeyBlock differs from the signed header attribute.
    case headerMismatch
    /// The key block header is not a 16-or-more character printable-ASCII TR-31 style header,
    /// or names an algorithm this side cannot wrap; the text says why.
    case invalidHeader(String)
    /// The clear key has a length the content cipher or header algorithm does not allow.
    case invalidKeyLength(Int)
    /// The randomNonce given is empty or longer than the layout allows.
    case invalidNonce(Int)
    /// A certificate or key given to ``TR34/wrap(key:header:kdhKey:kdhCertificate:krdCertificate:randomNonce:now:)``
    /// is unusable (not RSA, not serialisable); the text says which.
    case invalidCertificate(String)
    /// The cryptographic library failed (randomness, encryption or signing); the text is the
    /// library's and never contains key material.
    case cryptographicFailure(String)

    /// A message that can go to the client as it is: it names the check that failed.
    public var description: String {
        switch self {
        case .malformed(let part): return "the TR-34 key block is malformed: \(part)"
        case .unsupportedAlgorithm(let what): return "the TR-34 key block uses an unsupported algorithm: \(what)"
        case .kdhCertificateNotIssuedByAuthority:
            return "the signing key certificate was not issued by the certificate authority"
        case .kdhCertificateSignatureInvalid:
            return "the signing key certificate's signature does not verify with the certificate authority's public key"
        case .kdhCertificateNotValidNow: return "the signing key certificate is expired or not yet valid"
        case .authorityCertificateNotValidNow: return "the certificate authority's certificate is expired or not yet valid"
        case .kdhCertificateNotRSA: return "the signing key certificate does not hold an RSA public key"
        case .signerMismatch: return "the TR-34 signer is not the signing key certificate (issuer and serial number)"
        case .signatureInvalid: return "the TR-34 signature does not verify with the signing key certificate"
        case .missingAttribute(let name): return "the TR-34 signed attributes have no \(name) attribute"
        case .invalidAttribute(let name): return "the TR-34 signed attribute \(name) is repeated or does not hold exactly one value"
        case .messageDigestMismatch: return "the TR-34 messageDigest does not match the enveloped data"
        case .nonceMissing: return "the TR-34 key block has no random nonce, but RandomNonce was given"
        case .nonceMismatch: return "the TR-34 random nonce does not match RandomNonce"
        case .signingTimeMissing: return "the TR-34 key block has neither a random nonce nor a signing time"
        case .recipientMismatch: return "the TR-34 recipient is not the wrapping key certificate of the import token"
        case .wrappingKeyMismatch: return "the wrapping key certificate does not match the wrapping key"
        case .keyDecryptionFailed: return "the TR-34 content-encryption key could not be decrypted with the wrapping key"
        case .contentKeyLength(let expected, let actual):
            return "the TR-34 content-encryption key is \(actual) bytes long; the content cipher needs \(expected)"
        case .contentDecryptionFailed: return "the TR-34 encrypted key block could not be decrypted (length or padding)"
        case .keyBlockMalformed(let part): return "the decrypted TR-34 key block is malformed: \(part)"
        case .keyBlockVersion(let version): return "the TR-34 key block version is \(version); only 1 is accepted"
        case .keyBlockSignerMismatch: return "the key distribution host named in the TR-34 key block is not the signer"
        case .headerMismatch: return "the TR-34 key block header differs from the signed header"
        case .invalidHeader(let why): return "the TR-34 key block header is invalid: \(why)"
        case .invalidKeyLength(let count): return "a key of \(count) bytes cannot be carried in this TR-34 key block"
        case .invalidNonce(let count): return "a random nonce of \(count) bytes is not allowed"
        case .invalidCertificate(let why): return "unusable certificate or key for TR-34: \(why)"
        case .cryptographicFailure(let why): return "cryptographic failure: \(why)"
        }
    }
}
