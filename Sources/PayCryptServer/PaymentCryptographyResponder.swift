import Foundation
import HTTPTypes
import Hummingbird
import Logging
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

/// Serves both planes of AWS Payment Cryptography on one port (contract §1): a request with
/// `X-Amz-Target: PaymentCryptographyControlPlane.*` is control plane (awsJson1_0); anything
/// else is routed by method and path against the data plane model (restJson1).
///
/// A request goes: route → read body → authenticate (SigV4) → throttle → validate and call the
/// operation → audit (control-plane changes) → log and metrics. Every error leaves in AWS's shape.
public struct PaymentCryptographyResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let service: PaymentCryptographyService
    let table: OperationTable
    let options: ResponderOptions
    let limiter = RateLimiter()
    let logger: Logger

    /// Creates the responder.
    public init(service: PaymentCryptographyService, options: ResponderOptions, logger: Logger = Logger(label: "paycrypt.http")) {
        self.service = service
        table = OperationTable(service: service)
        self.options = options
        self.logger = logger
    }

    /// Creates a responder without authentication for one account (tests, `--no-auth`).
    public init(service: PaymentCryptographyService, accountId: String, defaultRegion: String = "us-east-1",
                logger: Logger = Logger(label: "paycrypt.http")) {
        self.init(service: service, options: ResponderOptions(accountId: accountId, defaultRegion: defaultRegion), logger: logger)
    }

    /// What one request was, for the log line, the metrics and the audit trail.
    struct Outcome {
        var operation = "-"
        var principal = "-"
        var resource: String?
        var context: PayCryptService.RequestContext?
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let requestId = UUID().uuidString.lowercased()
        if request.method == .get, request.uri.path == "/health" || request.uri.path == "/ready" {
            // Liveness and readiness: the store was opened and the master key loaded before the
            // server started listening, so a listening server is ready.
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.amznRequestId] = requestId
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\"}")))
        }
        let started = ContinuousClock.now
        var request = request
        let plane: Plane = request.headers[.amzTarget] != nil ? .control : .data
        var outcome = Outcome()
        let response: Response
        var result = "success"
        do {
            let data = try await handle(&request, plane: plane, requestId: requestId, outcome: &outcome)
            var headers = HTTPFields()
            headers[.contentType] = plane.contentType
            headers[.amznRequestId] = requestId
            response = Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
            if let json = try? JSONValue(parsing: data),
               let arn = json["KeyArn"]?.stringValue ?? json["Key"]?["KeyArn"]?.stringValue ?? json["Alias"]?["AliasName"]?.stringValue {
                outcome.resource = arn
            }
        } catch {
            let e = render(error, plane: plane, requestId: requestId, operation: outcome.operation)
            result = e.name
            response = e.response(plane: plane, requestId: requestId)
        }
        if plane == .control, PaymentCryptographyService.auditedOperations.contains(outcome.operation), let ctx = outcome.context {
            await service.audit(operation: outcome.operation, resource: outcome.resource, result: result, context: ctx)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        options.metrics?.recordRequest(operation: outcome.operation, plane: plane == .data ? "data" : "control",
                                       outcome: result, status: Int(response.status.code), seconds: seconds)
        logger.info("request", metadata: [
            "requestId": "\(requestId)", "operation": "\(outcome.operation)", "principal": "\(outcome.principal)",
            "keyArn": "\(outcome.resource ?? "-")", "status": "\(response.status.code)", "outcome": "\(result)",
            "ms": "\(String(format: "%.3f", seconds * 1000))",
        ])
        return response
    }

    /// Turns any error into an AWS error response; an unexpected one becomes a bare 500 whose
    /// details are not echoed (they could carry request data).
    func render(_ error: any Error, plane: Plane, requestId: String, operation: String) -> AWSErrorResponse {
        switch error {
        case let e as AWSErrorResponse: return e
        case let e as ServiceError: return AWSErrorResponse(e, plane: plane)
        case let e as ValidationFailure: return AWSErrorResponse(e, plane: plane)
        default:
            logger.error("unexpected error", metadata: ["requestId": "\(requestId)", "operation": "\(operation)", "errorType": "\(type(of: error))"])
            return AWSErrorResponse(ServiceError(.internalServer, "The request could not be processed."), plane: plane)
        }
    }

    /// Finds the operation, reads, authenticates and validates the request, and calls the handler.
    func handle(_ request: inout Request, plane: Plane, requestId: String, outcome: inout Outcome) async throws -> Data {
        let handler: OperationHandler?
        var bindings: (operation: OperationSchema, labels: [String: String])?
        switch plane {
        case .control:
            let target = request.headers[.amzTarget] ?? ""
            guard request.method == .post, let op = ControlPlane.service.operation(forTarget: target) else {
                throw AWSErrorResponse(name: "UnknownOperationException", status: 400, message: "Unknown operation \(target).")
            }
            outcome.operation = op.name
            handler = table.control[op.name]
        case .data:
            guard let (op, labels) = DataPlane.service.route(method: request.method.rawValue, path: request.uri.path) else {
                throw AWSErrorResponse(name: "UnknownOperationException", status: 404,
                                       message: "No operation at \(request.method.rawValue) \(request.uri.path).")
            }
            outcome.operation = op.name
            bindings = (op, labels)
            handler = table.data[op.name]
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: options.maxBodySize)
        } catch {
            throw AWSErrorResponse(name: "RequestEntityTooLargeException", status: 413,
                                   message: "The request body is larger than \(options.maxBodySize) bytes.")
        }
        let bytes = Array(buffer.readableBytesView)

        // Authentication: SigV4, or the configured account when it is off.
        var account = options.accountId
        var region = CredentialScope.region(authorization: request.headers[.authorization]) ?? options.defaultRegion
        var principal: Principal?
        if let identities = options.identities {
            let verifier = SigV4Verifier(secretFor: { identities.identity($0)?.secretAccessKey })
            // HTTPTypes keeps Host as the :authority pseudo-header; SigV4 signs it as `host`.
            var headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
            if !headers.contains(where: { $0.name.lowercased() == "host" }), let authority = request.head.authority {
                headers.append((name: "host", value: authority))
            }
            let signed = SigV4Request(method: request.method.rawValue, rawPath: request.uri.path, rawQuery: request.uri.query,
                                      headers: headers, body: bytes)
            switch verifier.verify(signed) {
            case .failure(let f):
                throw AWSErrorResponse(name: f.code, status: f.httpStatus, message: f.message)
            case .success(let caller):
                guard let identity = identities.identity(caller.accessKeyId) else {
                    throw AWSErrorResponse(name: "UnrecognizedClientException", status: 403, message: "The security token included in the request is invalid.")
                }
                principal = identity.principal
                account = identity.principal.account
                region = caller.region
            }
        }
        outcome.principal = principal?.accessKeyId ?? "-"
        guard CredentialScope.isValidRegion(region) else {
            throw AWSErrorResponse(ServiceError(.validation, "The region '\(region)' in the request's credential scope is not a valid region name."), plane: plane)
        }
        let context = PayCryptService.RequestContext(account: account, region: region, principal: principal, requestId: requestId)
        outcome.context = context

        // Quotas: a token bucket per account and plane.
        if let rate = plane == .data ? options.rateLimits.dataPlanePerSecond : options.rateLimits.controlPlanePerSecond,
           !limiter.take("\(account)/\(plane == .data ? "data" : "control")", rate: rate) {
            options.metrics?.recordThrottled(plane: plane == .data ? "data" : "control")
            throw AWSErrorResponse(ServiceError(.throttling, "Rate exceeded"), plane: plane)
        }

        guard let handler else {
            throw AWSErrorResponse(ServiceError(.notImplemented, "Operation \(outcome.operation) is not supported by paycrypt yet."), plane: plane)
        }
        if let contentType = request.headers[.contentType], !contentType.lowercased().contains("json") {
            throw AWSErrorResponse(name: "SerializationException", status: 400,
                                   message: "Content-Type \(contentType) is not supported; send \(plane.contentType).")
        }
        var body: JSONValue
        do {
            body = try JSONValue.parseRequestBody(Data(bytes))
        } catch {
            throw AWSErrorResponse(name: "SerializationException", status: 400, message: "The request body is not valid JSON.")
        }
        if let bindings {
            body = DataPlane.service.bindInput(of: bindings.operation, body: body, uriLabels: bindings.labels)
        }
        outcome.resource = body["KeyIdentifier"]?.stringValue ?? body["ResourceArn"]?.stringValue ?? body["AliasName"]?.stringValue
        return try await handler(body, context)
    }
}

extension HTTPField.Name {
    // Literal, valid header names: these initialisers cannot fail.
    static let amzTarget = HTTPField.Name("X-Amz-Target")!
    static let amznRequestId = HTTPField.Name("x-amzn-RequestId")!
    static let amznErrorType = HTTPField.Name("X-Amzn-ErrorType")!
}
