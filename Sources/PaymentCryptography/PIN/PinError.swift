/// Why a PIN request is refused, naming the AWS field at fault. Every case maps to a
/// ValidationException except ``Kind/verificationFailed``, which is VerificationFailedException
/// with Reason `INVALID_PIN` (AWS API reference, VerifyPinData).
public struct PinError: FieldRefusal, Sendable, Equatable {
    /// The kind of refusal.
    public enum Kind: Sendable, Equatable {
        /// A field's value breaks a rule; `field` names it.
        case invalidField
        /// An encrypted PIN block that does not decode (format nibble, length, PIN digits, fill).
        case invalidPinBlock
        /// The key's algorithm does not fit the PIN block format or the member.
        case keyAlgorithmInvalid
        /// The PIN does not verify.
        case verificationFailed
    }

    /// The kind of refusal.
    public let kind: Kind
    /// The AWS field path, e.g. `VerificationAttributes.Ibm3624Pin.PinOffset`; nil when the
    /// refusal is about the key or the comparison.
    public let field: String?
    /// A message for the caller. It never contains a PIN, PAN, PIN block or key material.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, field: String?, message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    static func field(_ path: String, _ message: String) -> PinError {
        PinError(.invalidField, field: path, message: message)
    }

    /// A block that does not decode, with the AWS documentation's text.
    static func invalidBlock(_ path: String) -> PinError {
        PinError(.invalidPinBlock, field: path, message: invalidPinBlockMessage)
    }

    /// AWS's text for a PIN block that does not decode (API reference, "Pin block provided is invalid").
    public static let invalidPinBlockMessage = "Pin block provided is invalid. Please check your input to ensure all field values are correct."

    /// AWS's text for a failed PIN verification (API reference, VerifyPinData).
    public static let verificationFailedMessage = "Pin block verification failed."

    /// The AWS `Reason` of a failed verification.
    public static let verificationFailedReason = "INVALID_PIN"
}
