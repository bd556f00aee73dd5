/// One entry of the audit trail: who called which operation on which resource, and how it ended.
///
/// The trail records the request's metadata only: never key material, message data, MACs or
/// any other request field. Entries are append-only; the store numbers them.
public struct AuditRecord: Sendable, Codable, Equatable {
    /// The entry's position in the trail, assigned by the store when the entry is appended
    /// (1, 2, 3, … in the order of appends, never reused). The value passed to
    /// ``KeyStore/appendAudit(_:)`` is ignored.
    public var sequence: Int64
    /// When the request was handled: seconds since 1970-01-01T00:00:00Z.
    public var time: Double
    /// The 12-digit account id the request acted for.
    public var account: String
    /// The region the request acted in.
    public var region: String
    /// The caller: the SigV4 access key id, or `"anonymous"` for an unsigned request.
    public var principal: String
    /// The AWS operation name, e.g. `CreateKey`.
    public var operation: String
    /// The ARN (or alias name) the operation acted on, when it names one.
    public var resource: String?
    /// `"success"`, or the AWS error code the request was answered with (e.g. `ValidationException`).
    public var result: String
    /// The request id returned to the caller (`x-amzn-RequestId`).
    public var requestId: String

    /// The ``result`` of a request that succeeded.
    public static let success = "success"
    /// The ``principal`` of a request without SigV4 credentials.
    public static let anonymous = "anonymous"

    /// Creates an entry.
    ///
    /// - Parameters:
    ///   - sequence: the position in the trail; leave it 0 when appending, the store assigns it.
    ///   - time: seconds since 1970-01-01T00:00:00Z.
    ///   - account: the account id.
    ///   - region: the region.
    ///   - principal: the access key id, or ``anonymous``.
    ///   - operation: the AWS operation name.
    ///   - resource: the ARN or alias the operation acted on, if any.
    ///   - result: ``success`` or the AWS error code.
    ///   - requestId: the request id returned to the caller.
    public init(sequence: Int64 = 0, time: Double, account: String, region: String, principal: String,
                operation: String, resource: String? = nil, result: String, requestId: String) {
        self.sequence = sequence
        self.time = time
        self.account = account
        self.region = region
        self.principal = principal
        self.operation = operation
        self.resource = resource
        self.result = result
        self.requestId = requestId
    }
}
