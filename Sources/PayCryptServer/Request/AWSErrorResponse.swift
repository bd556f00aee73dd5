import HTTPTypes
import Hummingbird
import NIOCore
import PayCryptModel
import PayCryptService
import PayCryptStore

/// The two planes of the API, which differ in protocol and in error body shapes.
enum Plane: Sendable {
    /// `payment-cryptography-data`, restJson1.
    case data
    /// `payment-cryptography`, awsJson1_0.
    case control

    var contentType: String {
        switch self {
        case .data: "application/json"
        case .control: "application/x-amz-json-1.0"
        }
    }

    /// The metrics label.
    var label: String { self == .data ? "data" : "control" }
}

/// An error response in AWS's shape: status, `X-Amzn-ErrorType`, and a JSON body with `__type`.
/// The one place where every error becomes bytes; the status of each exception comes from
/// ``AWSException``, the one table.
struct AWSErrorResponse: Error, Sendable {
    var exception: String
    var status: Int
    var body: [String: JSONValue]

    /// From a service exception, in the plane's shape (data-plane ValidationException: `message` and
    /// `fieldList`; everything else `Message`).
    init(_ error: ServiceError, plane: Plane) {
        exception = error.kind.rawValue
        status = error.kind.httpStatus
        body = [:]
        if error.kind.usesLowerCaseMessage, plane == .data {
            body["message"] = .string(error.message)
            if !error.fields.isEmpty {
                body["fieldList"] = .array(error.fields.map { .object(["path": .string($0.path), "message": .string($0.message)]) })
            }
        } else {
            body["Message"] = .string(error.message)
        }
        if let id = error.resourceId { body["ResourceId"] = .string(id) }
        if let reason = error.reason { body["Reason"] = .string(reason) }
    }

    /// A ValidationException for model violations (every violation in `fieldList` on the data plane).
    init(_ failure: ValidationFailure, plane: Plane) {
        var e = ServiceError(.validation, failure.message)
        e.fields = failure.violations.map { ServiceError.Field(path: $0.path, message: $0.message) }
        self.init(e, plane: plane)
    }

    /// A protocol-level error that no service exception covers (unknown operation, bad JSON, SigV4),
    /// with the table's status unless `status` overrides it.
    init(_ exception: AWSException, status: Int? = nil, _ message: String) {
        self.exception = exception.rawValue
        self.status = status ?? exception.httpStatus
        body = ["Message": .string(message), "message": .string(message)]
    }

    /// Any error of a request, in the plane's shape. An unexpected one is logged by type only and
    /// becomes a bare InternalServerException (its details could carry request data).
    init(_ error: any Error, plane: Plane, operation: String, requestId: String, observer: RequestObserver) {
        switch error {
        case let e as AWSErrorResponse: self = e
        case let e as ServiceError: self.init(e, plane: plane)
        case let e as ValidationFailure: self.init(e, plane: plane)
        case KeyStoreError.unavailable:
            // A shared store (PostgreSQL) that cannot be reached now: 503, which every AWS SDK
            // retries (README "Running several instances").
            observer.unexpected(error, operation: operation, requestId: requestId)
            self.init(ServiceError(.serviceUnavailable, "The key store cannot be reached now; retry the request."), plane: plane)
        default:
            observer.unexpected(error, operation: operation, requestId: requestId)
            self.init(ServiceError(.internalServer, "The request could not be processed."), plane: plane)
        }
    }

    /// The JSON body: the members and `__type`.
    func bodyBytes() -> [UInt8] {
        var object = body
        object["__type"] = .string(exception)
        return (try? JSONValue.object(object).jsonBytes()) ?? Array("{\"__type\":\"\(exception)\"}".utf8)
    }

    func answer(plane: Plane, requestId: String) -> APIAnswer {
        var headers = HTTPFields()
        headers.reserveCapacity(6)
        // Appended, not set: the fields are new, so there is nothing to replace.
        headers.append(HTTPField(name: .contentType, value: plane.contentType))
        headers.append(HTTPField(name: .amznErrorType, value: exception))
        headers.append(HTTPField(name: .amznRequestId, value: requestId))
        return APIAnswer(status: .init(code: status), headers: headers, body: ByteBuffer(bytes: bodyBytes()))
    }
}
