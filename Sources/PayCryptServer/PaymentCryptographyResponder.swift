import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PayCryptModel
import PayCryptService

/// Serves both planes of AWS Payment Cryptography on one port (contract §1): a request with
/// `X-Amz-Target: PaymentCryptographyControlPlane.*` is control plane (awsJson1_0); anything
/// else is routed by method and path against the data plane model (restJson1).
public struct PaymentCryptographyResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    let table: OperationTable
    let accountId: String
    let defaultRegion: String
    let maxBodySize: Int
    let logger: Logger

    /// Creates the responder.
    /// - Parameters:
    ///   - service: the operations.
    ///   - accountId: the account every request acts for (until identities arrive).
    ///   - defaultRegion: the region when a request has no SigV4 credential scope.
    ///   - maxBodySize: larger request bodies are refused with 413.
    public init(service: PaymentCryptographyService, accountId: String, defaultRegion: String = "us-east-1",
                maxBodySize: Int = 1 << 20, logger: Logger = Logger(label: "paycrypt.http")) {
        table = OperationTable(service: service)
        self.accountId = accountId
        self.defaultRegion = defaultRegion
        self.maxBodySize = maxBodySize
        self.logger = logger
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
        var operationName = "-"
        let response: Response
        do {
            let (name, data) = try await handle(&request, plane: plane, operationName: &operationName)
            var headers = HTTPFields()
            headers[.contentType] = plane.contentType
            headers[.amznRequestId] = requestId
            response = Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
            operationName = name
        } catch let e as AWSErrorResponse {
            response = e.response(plane: plane, requestId: requestId)
        } catch let e as ServiceError {
            response = AWSErrorResponse(e, plane: plane).response(plane: plane, requestId: requestId)
        } catch let e as ValidationFailure {
            response = AWSErrorResponse(e, plane: plane).response(plane: plane, requestId: requestId)
        } catch {
            // Never echo an unexpected error: it could carry request data.
            logger.error("unexpected error", metadata: ["requestId": "\(requestId)", "operation": "\(operationName)", "errorType": "\(type(of: error))"])
            response = AWSErrorResponse(ServiceError(.internalServer, "The request could not be processed."), plane: plane)
                .response(plane: plane, requestId: requestId)
        }
        let elapsed = ContinuousClock.now - started
        logger.info("request", metadata: [
            "requestId": "\(requestId)", "operation": "\(operationName)", "status": "\(response.status.code)",
            "ms": "\(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)",
        ])
        return response
    }

    /// Finds the operation, reads and validates the request, and calls the handler.
    func handle(_ request: inout Request, plane: Plane, operationName: inout String) async throws -> (String, Data) {
        let region = CredentialScope.region(authorization: request.headers[.authorization]) ?? defaultRegion
        guard CredentialScope.isValidRegion(region) else {
            throw AWSErrorResponse(ServiceError(.validation, "The region '\(region)' in the request's credential scope is not a valid region name."), plane: plane)
        }
        let handler: OperationHandler?
        var bindings: (operation: OperationSchema, labels: [String: String])?
        switch plane {
        case .control:
            let target = request.headers[.amzTarget] ?? ""
            guard request.method == .post, let op = ControlPlane.service.operation(forTarget: target) else {
                throw AWSErrorResponse(name: "UnknownOperationException", status: 400, message: "Unknown operation \(target).")
            }
            operationName = op.name
            handler = table.control[op.name]
        case .data:
            guard let (op, labels) = DataPlane.service.route(method: request.method.rawValue, path: request.uri.path) else {
                throw AWSErrorResponse(name: "UnknownOperationException", status: 404,
                                       message: "No operation at \(request.method.rawValue) \(request.uri.path).")
            }
            operationName = op.name
            bindings = (op, labels)
            handler = table.data[op.name]
        }
        guard let handler else {
            throw AWSErrorResponse(ServiceError(.notImplemented, "Operation \(operationName) is not supported by paycrypt yet."), plane: plane)
        }
        if let contentType = request.headers[.contentType], !contentType.lowercased().contains("json") {
            throw AWSErrorResponse(name: "SerializationException", status: 400,
                                   message: "Content-Type \(contentType) is not supported; send \(plane.contentType).")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodySize)
        } catch {
            throw AWSErrorResponse(name: "RequestEntityTooLargeException", status: 413,
                                   message: "The request body is larger than \(maxBodySize) bytes.")
        }
        var body: JSONValue
        do {
            body = try JSONValue.parseRequestBody(Data(buffer.readableBytesView))
        } catch {
            throw AWSErrorResponse(name: "SerializationException", status: 400, message: "The request body is not valid JSON.")
        }
        if let bindings {
            body = DataPlane.service.bindInput(of: bindings.operation, body: body, uriLabels: bindings.labels)
        }
        let context = RequestContext(account: accountId, region: region)
        return (operationName, try await handler(body, context))
    }
}

extension HTTPField.Name {
    // Literal, valid header names: these initialisers cannot fail.
    static let amzTarget = HTTPField.Name("X-Amz-Target")!
    static let amznRequestId = HTTPField.Name("x-amzn-RequestId")!
    static let amznErrorType = HTTPField.Name("X-Amzn-ErrorType")!
}
