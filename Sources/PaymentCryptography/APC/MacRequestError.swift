/// Why a GenerateMac or VerifyMac request is refused, in AWS's terms. Every case maps to a
/// ValidationException except ``Kind/verificationFailed``, which is VerificationFailedException.
public struct MacRequestError: FieldRefusal, Sendable, Equatable {
    /// The kind of refusal.
    public enum Kind: Sendable, Equatable {
        /// A field's value breaks a rule; `field` names it.
        case invalidField
        /// The key's algorithm does not fit the MAC choice (AWS: "KeyAlgorithm of the input key
        /// <arn> is invalid for the operation.").
        case keyAlgorithmInvalid
        /// VerifyMac: the MAC does not match (AWS `VerificationFailedException`, `INVALID_MAC`).
        case verificationFailed
    }

    /// The kind of refusal.
    public let kind: Kind
    /// The AWS field path, e.g. `GenerationAttributes.DukptCmac.KeySerialNumber`; nil when the
    /// refusal is about the key rather than a field.
    public let field: String?
    /// A message for the caller. It never contains key material or MAC input.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, field: String?, message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    static func field(_ path: String, _ message: String) -> MacRequestError {
        MacRequestError(.invalidField, field: path, message: message)
    }

    /// The message AWS gives for a key of the wrong algorithm, naming the key.
    public static func keyAlgorithmMessage(keyArn: String) -> String {
        "KeyAlgorithm of the input key \(keyArn) is invalid for the operation."
    }

    /// The decision for VerifyMac's failure message.
    public static let verificationFailedMessage = "MAC verification failed."
}
