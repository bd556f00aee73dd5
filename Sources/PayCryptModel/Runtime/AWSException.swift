/// Every exception paycrypt answers with, and its HTTP status: the one table that maps an error to
/// its `__type` (the raw value, also sent as `X-Amzn-ErrorType`) and its status.
///
/// The service exceptions and statuses are the AWS Payment Cryptography API reference's (both
/// models list them; the control plane's model gives no status codes, so the table is the source).
/// The protocol-level ones are what AWS's JSON front ends answer: unknown operations, bodies that are
/// not JSON or too large, and the four SigV4 refusals (README, Decisions: 403 for all four).
public enum AWSException: String, Sendable, CaseIterable {
    case validation = "ValidationException"
    case verificationFailed = "VerificationFailedException"
    case accessDenied = "AccessDeniedException"
    case resourceNotFound = "ResourceNotFoundException"
    case conflict = "ConflictException"
    case serviceQuotaExceeded = "ServiceQuotaExceededException"
    case throttling = "ThrottlingException"
    case internalServer = "InternalServerException"
    case serviceUnavailable = "ServiceUnavailableException"
    /// PutResourcePolicy with a policy that grants `"*"` (AWS Payment Cryptography User Guide, "Resource-based policies"; status 400: README, Decisions: PublicPolicyException).
    case publicPolicy = "PublicPolicyException"
    /// paycrypt's decision for an operation or member of the model that it does not implement yet.
    case notImplemented = "NotImplementedException"
    /// An `X-Amz-Target` no operation has (400), or a data-plane path no operation has (404).
    case unknownOperation = "UnknownOperationException"
    /// A body that is not one JSON document, or a content type that is not JSON.
    case serialization = "SerializationException"
    /// A body over the configured size limit.
    case requestEntityTooLarge = "RequestEntityTooLargeException"
    case missingAuthenticationToken = "MissingAuthenticationTokenException"
    case incompleteSignature = "IncompleteSignatureException"
    case unrecognizedClient = "UnrecognizedClientException"
    case invalidSignature = "InvalidSignatureException"

    /// The HTTP status. `unknownOperation` is 400 here; a data-plane path that no operation has
    /// answers ``unknownPathStatus``.
    public var httpStatus: Int {
        switch self {
        case .validation, .verificationFailed, .unknownOperation, .serialization, .publicPolicy: 400
        case .serviceQuotaExceeded: 402
        case .accessDenied, .missingAuthenticationToken, .incompleteSignature, .unrecognizedClient, .invalidSignature: 403
        case .resourceNotFound: 404
        case .conflict: 409
        case .requestEntityTooLarge: 413
        case .throttling: 429
        case .internalServer: 500
        case .notImplemented: 501
        case .serviceUnavailable: 503
        }
    }

    /// The status of an unknown operation reached by a data-plane path (no route: 404).
    public static let unknownPathStatus = 404

    /// Whether the data plane's body for this exception uses the lower-case `message` member with a
    /// `fieldList` (only the data plane's ValidationException does, per its model).
    public var usesLowerCaseMessage: Bool { self == .validation }
}
