import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PayCryptModel
import PayCryptService

/// How the responder authenticates, limits and observes requests.
public struct ResponderOptions: Sendable {
    /// The account requests act for when authentication is off.
    public var accountId: String
    /// The region when a request carries no SigV4 credential scope.
    public var defaultRegion: String
    /// Larger request bodies are refused with 413.
    public var maxBodySize: Int
    /// The accepted access keys; nil turns SigV4 verification off (`--no-auth`).
    public var identities: Identities?
    /// Request-rate limits per account and plane.
    public var rateLimits: RateLimits
    /// Where request metrics go; nil records none.
    public var metrics: ServerMetrics?
    /// Whether the store can be reached now; `GET /ready` answers 503 while it returns false
    /// (a shared PostgreSQL store that is down). Nil: always ready once listening.
    public var storeReachable: (@Sendable () -> Bool)?
    /// Decode request bodies with the one-pass reader where it can (the default); false decodes
    /// every body on the tree path (`--no-fast-path`, to compare).
    public var onePassDecoding = true

    public init(accountId: String = "111122223333", defaultRegion: String = "us-east-1", maxBodySize: Int = 1 << 20,
                identities: Identities? = nil, rateLimits: RateLimits = RateLimits(), metrics: ServerMetrics? = nil) {
        self.accountId = accountId
        self.defaultRegion = defaultRegion
        self.maxBodySize = maxBodySize
        self.identities = identities
        self.rateLimits = rateLimits
        self.metrics = metrics
    }
}

/// Serves both planes of AWS Payment Cryptography on one port (README, "Wire protocols"): a request
/// with `X-Amz-Target` is control plane (awsJson1_0); anything else is routed by method and path
/// against the data plane model (restJson1).
///
/// A request's journey, one small step each: route → read body → authenticate (SigV4) → throttle →
/// decode and validate → call → encode → observe (audit trail, log line, metrics). Every error leaves
/// in AWS's shape.
public struct PaymentCryptographyResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    /// The responder's parts, behind one reference: the responder is copied into every journey's
    /// task, and a copy then costs one retain instead of one for each reference its parts hold.
    private final class Parts: Sendable {
        let service: PaymentCryptographyService
        let table: OperationTable
        let options: ResponderOptions
        let limiter = RateLimiter()
        let authenticator: RequestAuthenticator
        let observer: RequestObserver

        init(service: PaymentCryptographyService, options: ResponderOptions, logger: Logger) {
            self.service = service
            table = OperationTable(service: service, onePass: options.onePassDecoding)
            self.options = options
            authenticator = RequestAuthenticator(options: options)
            observer = RequestObserver(logger: logger, metrics: options.metrics)
        }
    }

    private let parts: Parts
    var service: PaymentCryptographyService { parts.service }
    var table: OperationTable { parts.table }
    var options: ResponderOptions { parts.options }
    var limiter: RateLimiter { parts.limiter }
    var authenticator: RequestAuthenticator { parts.authenticator }
    var observer: RequestObserver { parts.observer }

    /// Creates the responder.
    public init(service: PaymentCryptographyService, options: ResponderOptions, logger: Logger = Logger(label: "paycrypt.http")) {
        parts = Parts(service: service, options: options, logger: logger)
    }

    /// Creates a responder without authentication for one account (tests, `--no-auth`).
    public init(service: PaymentCryptographyService, accountId: String, defaultRegion: String = "us-east-1",
                logger: Logger = Logger(label: "paycrypt.http")) {
        self.init(service: service, options: ResponderOptions(accountId: accountId, defaultRegion: defaultRegion), logger: logger)
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        await handle(request).response
    }

    /// The journey of a Hummingbird request, its body read from the request. `GET /health` and
    /// `/ready` are answered before the head is converted, so that they cost what they did.
    func handle(_ request: Request) async -> APIAnswer {
        if let answer = probeAnswer(method: request.method.rawValue, path: request.uri.path) { return answer }
        return await handle(APIRequest(request), body: .unread(request))
    }

    /// The answer to `GET /health` or `GET /ready`; nil for any other request.
    func probeAnswer(method: String, path: String) -> APIAnswer? {
        guard method == "GET", path == "/health" || path == "/ready" else { return nil }
        let ready = path == "/health" || (options.storeReachable?() ?? true)
        return Self.health(requestId: RequestId.next(), ready: ready)
    }

    /// The whole journey of one request, without the HTTP connection: what `respond` answers, and
    /// what the connection's fast path (``APIChannelHandler``) writes itself.
    ///
    /// - Parameters:
    ///   - request: The request's head.
    ///   - body: Its whole body when already gathered (the fast path), or the request to read it from.
    func handle(_ request: APIRequest, body: APIRequestBody) async -> APIAnswer {
        if let answer = probeAnswer(method: request.method, path: request.path) { return answer }
        let requestId = RequestId.next()
        let started = ContinuousClock.now
        var journey = RequestJourney(requestId: requestId, plane: request.contains("x-amz-target") ? .control : .data)
        let answer: APIAnswer
        do {
            let bytes = try await run(request, body: body, &journey)
            answer = Self.success(bytes, plane: journey.plane, requestId: requestId)
        } catch {
            let rendered = AWSErrorResponse(error, plane: journey.plane, operation: journey.operation, requestId: requestId, observer: observer)
            journey.outcome = rendered.exception
            answer = rendered.answer(plane: journey.plane, requestId: requestId)
        }
        await audit(journey)
        observer.observe(journey, status: Int(answer.status.code), elapsed: ContinuousClock.now - started)
        return answer
    }

    /// The steps of a request, in order; the first that throws decides the answer.
    func run(_ request: APIRequest, body source: APIRequestBody, _ journey: inout RequestJourney) async throws -> [UInt8] {
        let route = try Route(request, plane: journey.plane)
        journey.operation = route.operation
        let body: [UInt8]
        switch source {
        case .gathered(let buffer): body = Array(buffer.readableBytesView)
        case .unread(let request): body = try await readBody(request)
        }
        let caller = try authenticator.authenticate(request, body: body)
        journey.principal = caller.principal?.accessKeyId
        let context = PayCryptService.RequestContext(account: caller.account, region: caller.region, principal: caller.principal, requestId: journey.requestId)
        journey.context = context
        try throttle(account: caller.account, plane: journey.plane)
        guard let handler = route.handler(in: table) else {
            throw ServiceError(.notImplemented, "Operation \(route.operation) is not supported by paycrypt yet.")
        }
        try Self.checkContentType(request, plane: journey.plane)
        var call = OperationCall(body: body, binding: route.binding, context: context)
        defer { journey.resource = call.resource }
        do {
            return try await handler(&call)
        } catch is JSONValue.ParseError {
            throw AWSErrorResponse(.serialization, "The request body is not valid JSON.")
        }
    }

    /// Reads the body, refusing one over the size limit.
    func readBody(_ request: Request) async throws -> [UInt8] {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: options.maxBodySize)
            return Array(buffer.readableBytesView)
        } catch {
            throw AWSErrorResponse(.requestEntityTooLarge, "The request body is larger than \(options.maxBodySize) bytes.")
        }
    }

    /// Quotas: a token bucket per account and plane.
    func throttle(account: String, plane: Plane) throws {
        guard let rate = plane == .data ? options.rateLimits.dataPlanePerSecond : options.rateLimits.controlPlanePerSecond else { return }
        guard limiter.take(plane == .data ? "\(account)/data" : "\(account)/control", rate: rate) else {
            options.metrics?.recordThrottled(plane: plane.label)
            throw ServiceError(.throttling, "Rate exceeded")
        }
    }

    /// A body that is not JSON by its content type is a SerializationException.
    static func checkContentType(_ request: APIRequest, plane: Plane) throws {
        // The values are read one by one (no joined copy); the joined value mentions JSON exactly
        // when one of them does, as the separator `, ` cannot complete `json`.
        var mentioned = false
        request.forEachValue("content-type") { value in mentioned = mentioned || Self.mentionsJSON(value) }
        if !mentioned, let contentType = request["content-type"] {
            throw AWSErrorResponse(.serialization, "Content-Type \(RequestObserver.loggable(contentType)) is not supported; send \(plane.contentType).")
        }
    }

    /// True when `contentType` contains `json` in any letter case. One pass over the bytes: `json`
    /// has no prefix that is also its suffix, so a mismatch restarts the match at this byte.
    static func mentionsJSON(_ contentType: String) -> Bool {
        let target: (UInt8, UInt8, UInt8, UInt8) = (0x6A, 0x73, 0x6F, 0x6E)  // "json"
        var matched = 0
        for byte in contentType.utf8 {
            let lower = byte | 0x20
            let expected = matched == 0 ? target.0 : matched == 1 ? target.1 : matched == 2 ? target.2 : target.3
            if lower == expected {
                matched += 1
                if matched == 4 { return true }
            } else {
                matched = lower == target.0 ? 1 : 0
            }
        }
        return false
    }

    /// Control-plane changes go to the audit trail, once the request was authenticated.
    func audit(_ journey: RequestJourney) async {
        guard journey.plane == .control, PaymentCryptographyService.auditedOperations.contains(journey.operation),
              let context = journey.context else { return }
        await service.audit(operation: journey.operation, resource: journey.resource.map(RequestObserver.loggable),
                            result: journey.outcome, context: context)
    }

    static func success(_ bytes: [UInt8], plane: Plane, requestId: String) -> APIAnswer {
        var headers = HTTPFields()
        headers.reserveCapacity(5)
        // Appended, not set: the fields are new, so there is nothing to replace.
        headers.append(HTTPField(name: .contentType, value: plane.contentType))
        headers.append(HTTPField(name: .amznRequestId, value: requestId))
        return APIAnswer(status: .ok, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    /// Liveness and readiness: the store was opened and the master key loaded before the server
    /// started listening, so a listening server is live; it is ready unless its shared store
    /// cannot be reached now (503 `{"status":"unavailable"}`).
    static func health(requestId: String, ready: Bool = true) -> APIAnswer {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.amznRequestId] = requestId
        let body = ready ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}"
        return APIAnswer(status: ready ? .ok : .serviceUnavailable, headers: headers, body: ByteBuffer(string: body))
    }
}

/// Where a request's body is: gathered whole by the connection's fast path, or still to be read
/// from a Hummingbird request.
enum APIRequestBody: Sendable {
    case gathered(ByteBuffer)
    case unread(Request)
}

/// One answer of the API: status, headers and the whole body. Hummingbird gets it as a
/// ``Response``; the connection's fast path writes it as HTTP parts. Its headers never include
/// `Content-Length`, `Date` or `Server`: Hummingbird and the fast path add those.
struct APIAnswer: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    /// The answer as a Hummingbird response.
    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

/// What one request was, for the audit trail, the log line and the metrics.
struct RequestJourney: Sendable {
    let requestId: String
    let plane: Plane
    /// The AWS operation, from the model (never from the request); `-` before routing.
    var operation = "-"
    /// The caller's access key id, once authenticated.
    var principal: String?
    /// The validated resource the request names, then the one its response names.
    var resource: String?
    /// Set once authentication succeeded.
    var context: PayCryptService.RequestContext?
    /// `success` or the exception name.
    var outcome = "success"
}

/// Where a request goes: its plane's operation, the handler, and the URI labels of a data-plane path.
struct Route {
    let plane: Plane
    let operation: String
    let binding: (operation: OperationSchema, labels: [String: String])?

    /// Routes by `X-Amz-Target` (control plane) or by method and path (data plane).
    init(_ request: APIRequest, plane: Plane) throws {
        self.plane = plane
        switch plane {
        case .control:
            let target = request["x-amz-target"] ?? ""
            guard request.method == "POST", let op = ControlPlane.service.operation(forTarget: target) else {
                throw AWSErrorResponse(.unknownOperation, "Unknown operation \(RequestObserver.loggable(target)).")
            }
            operation = op.name
            binding = nil
        case .data:
            guard let (op, labels) = DataPlane.service.route(method: request.method, path: request.path) else {
                throw AWSErrorResponse(.unknownOperation, status: AWSException.unknownPathStatus,
                                       "No operation at \(RequestObserver.loggable(request.method)) \(RequestObserver.loggable(request.path)).")
            }
            operation = op.name
            binding = (op, labels)
        }
    }

    func handler(in table: OperationTable) -> OperationHandler? {
        plane == .data ? table.data[operation] : table.control[operation]
    }
}

extension HTTPField.Name {
    // Literal, valid header names: these initialisers cannot fail.
    static let amzTarget = HTTPField.Name("X-Amz-Target")!
    static let amznRequestId = HTTPField.Name("x-amzn-RequestId")!
    static let amznErrorType = HTTPField.Name("X-Amzn-ErrorType")!
}

/// What one operation answered when run without HTTP: the status, the exception name (nil on
/// success) and the JSON body, exactly as the server would send them.
public struct InvocationResult: Sendable {
    /// The HTTP status the server would answer with.
    public let status: Int
    /// The exception name (`__type`), or nil on success.
    public let exception: String?
    /// The response body: the output, or the error in the plane's shape.
    public let body: [UInt8]
}

extension PaymentCryptographyResponder {
    /// Runs one operation the way the server does (decode and validate, call, encode, the same
    /// error rendering), without HTTP, authentication or throttling: the offline calculator's path.
    /// Members that a data-plane operation binds to its URI (`KeyIdentifier` of EncryptData, say)
    /// are read from the JSON body instead.
    ///
    /// - Parameters:
    ///   - operation: The AWS operation name, e.g. `GenerateMac`.
    ///   - body: The request JSON.
    ///   - context: The account and region to act in.
    public func invoke(operation: String, body: [UInt8], context: PayCryptService.RequestContext) async -> InvocationResult {
        let plane: Plane = table.data[operation] != nil || DataPlane.service.operation(named: operation) != nil ? .data : .control
        do {
            let handler: OperationHandler?
            var binding: (operation: OperationSchema, labels: [String: String])?
            if plane == .data, let schema = DataPlane.service.operation(named: operation) {
                var labels: [String: String] = [:]
                if let tree = try? JSONValue.parseRequestBody(bytes: body) {
                    for b in schema.bindings where b.location == .uri {
                        if let value = tree[b.member]?.stringValue { labels[b.locationName] = value }
                    }
                }
                binding = (schema, labels)
                handler = table.data[operation]
            } else if ControlPlane.service.operation(named: operation) != nil {
                handler = table.control[operation]
            } else {
                throw AWSErrorResponse(.unknownOperation, "Unknown operation \(RequestObserver.loggable(operation)).")
            }
            guard let handler else {
                throw ServiceError(.notImplemented, "Operation \(operation) is not supported by paycrypt yet.")
            }
            var call = OperationCall(body: body, binding: binding, context: context)
            do {
                let bytes = try await handler(&call)
                return InvocationResult(status: 200, exception: nil, body: bytes)
            } catch is JSONValue.ParseError {
                throw AWSErrorResponse(.serialization, "The request body is not valid JSON.")
            }
        } catch {
            let rendered = AWSErrorResponse(error, plane: plane, operation: operation, requestId: "-", observer: observer)
            return InvocationResult(status: rendered.status, exception: rendered.exception, body: rendered.bodyBytes())
        }
    }
}
