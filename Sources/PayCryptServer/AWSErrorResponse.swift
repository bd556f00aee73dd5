import Foundation
import HTTPTypes
import Hummingbird
import PayCryptModel
import PayCryptService

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
}

/// An error response in AWS's shape: status, `X-Amzn-ErrorType`, and a JSON body with `__type`.
/// The one place where every error becomes bytes.
struct AWSErrorResponse: Error, Sendable {
    var name: String
    var status: Int
    var body: [String: JSONValue]

    /// From a service exception, in the plane's shape (contract §1).
    init(_ error: ServiceError, plane: Plane) {
        name = error.kind.rawValue
        status = error.kind.httpStatus
        body = [:]
        if error.kind == .validation, plane == .data {
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

    /// A protocol-level error that no service exception covers (unknown operation, bad JSON).
    init(name: String, status: Int, message: String) {
        self.name = name
        self.status = status
        body = ["Message": .string(message), "message": .string(message)]
    }

    func response(plane: Plane, requestId: String) -> Response {
        var object = body
        object["__type"] = .string(name)
        let data = (try? JSONValue.object(object).jsonData()) ?? Data("{\"__type\":\"\(name)\"}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = plane.contentType
        headers[.amznErrorType] = name
        headers[.amznRequestId] = requestId
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
