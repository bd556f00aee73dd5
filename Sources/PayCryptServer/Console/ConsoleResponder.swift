import HTTPTypes
import Hummingbird
import NIOCore
import PayCryptModel
import PayCryptService

/// The web console (README "Web console") in front of the API responder.
///
/// `GET /console` serves a page, a style sheet and two scripts compiled into the binary
/// (``ConsoleAssets``); the page signs every call it makes with SigV4 in the browser, so it can do
/// nothing the API would refuse. Two paycrypt endpoints serve what the AWS API has no operation
/// for, authenticated and authorised like the API's own operations:
///
/// - `POST /paycrypt/key-audit-trail` with `{"KeyIdentifier": ...}`: the key's audit trail
///   (action `payment-cryptography:GetKeyAuditTrail` on the key's ARN);
/// - `GET /paycrypt/request-counts`: the server's request counters by operation and outcome
///   (action `payment-cryptography:GetRequestCounts` on `*`).
///
/// Everything else goes to the API responder. With the console off, every request does.
public struct ConsoleResponder: HTTPResponder {
    /// The request context: nothing beyond Hummingbird's basic one is needed.
    public typealias Context = BasicRequestContext

    let api: PaymentCryptographyResponder
    let enabled: Bool

    /// Creates the responder.
    ///
    /// - Parameters:
    ///   - api: The AWS API responder every other request goes to.
    ///   - enabled: false (`--no-console`) sends every request to `api`.
    public init(api: PaymentCryptographyResponder, enabled: Bool = true) {
        self.api = api
        self.enabled = enabled
    }

    /// Serves the console's files and endpoints, and hands every other request to the API.
    public func respond(to request: Request, context: Context) async throws -> Response {
        guard enabled else { return try await api.respond(to: request, context: context) }
        let path = request.uri.path
        if path == "/console" || path.hasPrefix("/console/") {
            return Self.asset(request)
        }
        if path.hasPrefix("/paycrypt/") {
            return await endpoint(request)
        }
        return try await api.respond(to: request, context: context)
    }

    /// A file of the console, or 404. `/console` and `/console/` are the page.
    static func asset(_ request: Request) -> Response {
        var name = String(request.uri.path.dropFirst("/console".count))
        if name.isEmpty || name == "/" { name = "/index.html" }
        guard request.method == .get || request.method == .head, let file = ConsoleAssets.files[name] else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "Not found\n")))
        }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.cacheControl] = "no-store"
        // The page loads only its own files and talks only to this server (no CDN, no inline script).
        headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: file.text)))
    }

    /// The two paycrypt endpoints, signed and authorised like API calls; errors in AWS's restJson1 shape.
    func endpoint(_ request: Request) async -> Response {
        let requestId = RequestId.next()
        var operation = "-"
        do {
            let path = request.uri.path
            switch (request.method, path) {
            case (.post, "/paycrypt/key-audit-trail"): operation = "GetKeyAuditTrail"
            case (.get, "/paycrypt/request-counts"): operation = "GetRequestCounts"
            default:
                throw AWSErrorResponse(.unknownOperation, status: AWSException.unknownPathStatus,
                                       "No operation at \(request.method.rawValue) \(RequestObserver.loggable(path)).")
            }
            let body = try await api.readBody(request)
            let caller = try api.authenticator.authenticate(APIRequest(request), body: body)
            let context = PayCryptService.RequestContext(account: caller.account, region: caller.region, principal: caller.principal, requestId: requestId)
            let answer: JSONValue
            if operation == "GetKeyAuditTrail" {
                answer = try await keyAuditTrail(body: body, context: context)
            } else {
                answer = try requestCounts(context: context)
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.amznRequestId] = requestId
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try answer.jsonBytes())))
        } catch is JSONValue.ParseError {
            return AWSErrorResponse(.serialization, "The request body is not valid JSON.").answer(plane: .data, requestId: requestId).response
        } catch {
            return AWSErrorResponse(error, plane: .data, operation: operation, requestId: requestId, observer: api.observer)
                .answer(plane: .data, requestId: requestId).response
        }
    }

    /// `{"KeyIdentifier": ...}` → `{"KeyArn": ..., "AuditEvents": [...]}`, oldest first.
    func keyAuditTrail(body: [UInt8], context: PayCryptService.RequestContext) async throws -> JSONValue {
        let input = try JSONValue(parsing: body)
        guard let identifier = input["KeyIdentifier"]?.stringValue, (7...322).contains(identifier.count) else {
            throw ServiceError(.validation, "KeyIdentifier is required: a key ARN, alias ARN or alias name.",
                               fields: [.init(path: "KeyIdentifier", message: "a key ARN, alias ARN or alias name of 7 to 322 characters")])
        }
        let (arn, events) = try await api.service.keyAuditTrail(identifier, context: context)
        return .object([
            "KeyArn": .string(arn),
            "AuditEvents": .array(events.map { e in
                .object([
                    "Sequence": .integer(Int(e.sequence)), "Time": .number(e.time), "Principal": .string(e.principal),
                    "Operation": .string(e.operation), "Resource": e.resource.map { .string($0) } ?? .null,
                    "Result": .string(e.result), "RequestId": .string(e.requestId),
                ])
            }),
        ])
    }

    /// `{"RequestCounts": [{"Operation", "Plane", "Outcome", "Count"}]}`: the counters of the whole
    /// server (every account), the numbers `GET /metrics` shows.
    func requestCounts(context: PayCryptService.RequestContext) throws -> JSONValue {
        try api.service.authorizeRequestCounts(context: context)
        let counts = api.options.metrics?.requestCounts() ?? []
        return .object(["RequestCounts": .array(counts.map { c in
            .object(["Operation": .string(c.operation), "Plane": .string(c.plane), "Outcome": .string(c.outcome), "Count": .integer(c.count)])
        })])
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
