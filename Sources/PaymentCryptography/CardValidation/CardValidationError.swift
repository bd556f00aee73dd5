/// Why a card validation request is refused, naming the AWS field at fault. Every case maps to
/// a ValidationException except ``Kind/verificationFailed``, which is VerificationFailedException
/// with Reason `INVALID_VALIDATION_DATA` (AWS API reference, VerifyCardValidationData).
public struct CardValidationError: FieldRefusal, Sendable, Equatable {
    /// The kind of refusal.
    public enum Kind: Sendable, Equatable {
        /// A field's value breaks a rule; `field` names it.
        case invalidField
        /// The key material does not fit the member (length).
        case keyAlgorithmInvalid
        /// The value does not verify.
        case verificationFailed
    }

    /// The kind of refusal.
    public let kind: Kind
    /// The AWS field path, e.g. `GenerationAttributes.CardVerificationValue1.ServiceCode`; nil
    /// when the refusal is about the key or the comparison.
    public let field: String?
    /// A message for the caller. It never contains the PAN, key material or validation data.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, field: String?, message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    static func field(_ path: String, _ message: String) -> CardValidationError {
        CardValidationError(.invalidField, field: path, message: message)
    }

    /// The decision for VerifyCardValidationData's failure message (AWS getting-started tutorial).
    public static let verificationFailedMessage = "Card validation data verification failed."

    /// The AWS `Reason` of a failed verification.
    public static let verificationFailedReason = "INVALID_VALIDATION_DATA"
}
