import PayCryptModel

/// An AWS exception raised by an operation. The HTTP layer renders it in the plane's own
/// shape (status, `X-Amzn-ErrorType`, JSON body with `__type`).
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The AWS exception names paycrypt raises, with their HTTP status: the one table in
    /// ``AWSException``.
    public typealias Kind = AWSException

    /// One field named by a ValidationException (data plane `fieldList`).
    public struct Field: Sendable, Equatable {
        public var path: String
        public var message: String
        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
    }

    public var kind: Kind
    /// The message. Never contains key material, MAC input or other sensitive values.
    public var message: String
    /// Fields named by a ValidationException.
    public var fields: [Field]
    /// `ResourceId` of a ResourceNotFoundException.
    public var resourceId: String?
    /// `Reason` of a VerificationFailedException (`INVALID_MAC`).
    public var reason: String?

    public init(_ kind: Kind, _ message: String, fields: [Field] = [], resourceId: String? = nil, reason: String? = nil) {
        self.kind = kind
        self.message = message
        self.fields = fields
        self.resourceId = resourceId
        self.reason = reason
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    static func validation(_ message: String, field: String? = nil) -> ServiceError {
        ServiceError(.validation, message, fields: field.map { [Field(path: $0, message: message)] } ?? [])
    }

    static func notFound(_ resource: String, what: String = "Key") -> ServiceError {
        ServiceError(.resourceNotFound, "\(what) \(resource) not found.", resourceId: resource)
    }

    static func conflict(_ message: String) -> ServiceError { ServiceError(.conflict, message) }
}

/// Who is calling, as the HTTP layer established it.
public struct RequestContext: Sendable {
    /// The 12-digit account id.
    public var account: String
    /// The region (from the SigV4 credential scope; `us-east-1` when absent).
    public var region: String
    /// The authenticated caller; nil when authentication is off.
    public var principal: Principal?
    /// The request id (x-amzn-RequestId), for the audit trail.
    public var requestId: String

    public init(account: String, region: String, principal: Principal? = nil, requestId: String = "") {
        self.account = account
        self.region = region
        self.principal = principal
        self.requestId = requestId
    }
}
