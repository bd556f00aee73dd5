import Foundation

/// A generated structure or union of one of the service models.
///
/// Each namespace (`DataPlane`, `ControlPlane`) supplies `wireService`; each generated type supplies its
/// model shape name, so `Wire.decode` knows which schema to validate against. The generator also
/// writes each type's direct decoder and writer (``WireDecodable``, ``WireEncodable``), which the
/// request path uses; the `Codable` conformance stays for everything else.
public protocol WireShape: Codable, Sendable, WireDecodable, WireEncodable, WireByteDecodable {
    /// The schema of the service that defines the shape.
    static var wireService: ServiceSchema { get }
    /// The shape's name in the model, e.g. `GenerateMacInput`.
    static var wireShapeName: String { get }
    /// The resource the value names, for logs and the audit trail: its `KeyArn` member, else its
    /// `Key` member's `KeyArn`, else its `Alias` member's `AliasName`; `nil` for a shape with none.
    var wireResource: String? { get }
    /// The resource a request names, for logs and the audit trail: its first member of
    /// ``Wire/resourceMembers`` that is set; `nil` for a shape with none.
    var wireInputResource: String? { get }
}

extension WireShape {
    /// No resource: the generator writes this member only for shapes with `KeyArn`, `Key` or `Alias`.
    public var wireResource: String? { nil }
    /// No resource: the generator writes this member only for request shapes with one of
    /// ``Wire/resourceMembers``.
    public var wireInputResource: String? { nil }
}

/// A generated exception structure: the server throws it and renders it with these members.
public protocol WireError: WireShape, Error {}

extension WireError {
    /// The exception name, sent as `__type` in the body and as the `X-Amzn-ErrorType` header.
    public var errorType: String { Self.wireShapeName }

    /// The HTTP status (see `ErrorSchema.httpStatus`).
    public var httpStatus: Int {
        Self.wireService.httpStatus(forError: Self.wireShapeName) ?? ErrorStatus.contractStatus[errorType] ?? 500
    }

    /// The JSON body: the exception's members plus `"__type"`.
    ///
    /// - Throws: `EncodingError` for a non-finite number.
    public func encodedBody() throws -> Data {
        try Wire.encodeError(self, type: errorType)
    }
}

/// A request that broke the model's constraints: the content of a ValidationException.
public struct ValidationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every violation, in model member order. Never empty when thrown.
    public let violations: [FieldViolation]

    /// Creates a failure from its violations.
    public init(violations: [FieldViolation]) {
        self.violations = violations
    }

    /// The summary message, e.g. `1 validation error detected: Value at 'MacLength' failed to ...`.
    public var message: String { ViolationFormat.summary(violations) }

    /// The summary message.
    public var description: String { message }
}

/// The entry points the server calls: validate-then-decode inputs, and encode outputs and errors.
public enum Wire {
    /// All violations of `value` against the model shape of `type`.
    public static func validate<T: WireShape>(_ type: T.Type, _ value: JSONValue) -> [FieldViolation] {
        Validator(service: T.wireService).validate(value, shape: T.wireShapeName)
    }

    /// All violations of an already-built value (an output, say) against its model shape: a check that
    /// the server only answers with what the model allows.
    ///
    /// - Throws: `EncodingError` for a non-finite number.
    public static func violations<T: WireShape>(of value: T) throws -> [FieldViolation] {
        validate(T.self, try JSONValue(parsing: encode(value)))
    }

    /// Validates `value` against the model shape of `type`, then decodes it.
    ///
    /// - Parameters:
    ///   - type: A generated shape type, e.g. `DataPlane.GenerateMacInput.self`.
    ///   - value: The parsed request (with any URI, header and query members already merged in).
    /// - Returns: The decoded value.
    /// - Throws: `ValidationFailure` with every violation; decoding is only attempted on a valid value.
    public static func decode<T: WireShape>(_ type: T.Type, from value: JSONValue) throws -> T {
        let violations = validate(type, value)
        guard violations.isEmpty else { throw ValidationFailure(violations: violations) }
        do throws(WireDecodingError) {
            return try T(wireTree: value)
        } catch {
            throw ValidationFailure(violations: [FieldViolation(path: error.path, rule: .undecodable)])
        }
    }

    /// Parses `data` (an empty body is `{}`), validates it against `type` and decodes it.
    ///
    /// - Throws: `JSONValue.ParseError` for malformed JSON, `ValidationFailure` for model violations.
    public static func decode<T: WireShape>(_ type: T.Type, from data: Data) throws -> T {
        try decode(type, from: JSONValue.parseRequestBody(data))
    }

    /// Merges an operation's URI labels, headers and query parameters into its JSON body, then
    /// validates and decodes the input.
    ///
    /// - Parameters:
    ///   - type: The operation's input type.
    ///   - operation: The operation (its bindings say which members come from where).
    ///   - body: The parsed JSON body.
    ///   - uriLabels: Percent-decoded URI label values by label name, as `ServiceSchema.route` returns them.
    ///   - headers: Request headers (names compared case-insensitively).
    ///   - query: Query parameters by name.
    /// - Throws: `ValidationFailure`.
    public static func decodeInput<T: WireShape>(
        _ type: T.Type,
        for operation: OperationSchema,
        body: JSONValue,
        uriLabels: [String: String] = [:],
        headers: [String: String] = [:],
        query: [String: [String]] = [:]
    ) throws -> T {
        let merged = T.wireService.bindInput(
            of: operation, body: body, uriLabels: uriLabels, headers: headers, query: query)
        return try decode(type, from: merged)
    }

    /// The request members that name the resource a request acts on, in the order they are looked
    /// for; the first present one is the request's resource for logs and the audit trail.
    public static let resourceMembers = ["KeyIdentifier", "IncomingKeyIdentifier", "ResourceArn", "AliasName"]

    /// Decodes a request: in one pass over its bytes (``WireByteReader``) when it is in the reader's
    /// subset, as the requests of AWS SDKs are; otherwise parse, merge the URI labels, validate
    /// against the model and decode from the same tree, which gives every violation. The resource is
    /// read from the decoded input, so nothing unvalidated reaches a log line.
    ///
    /// - Parameters:
    ///   - type: The operation's input type.
    ///   - body: The body bytes (empty or blank is `{}`).
    ///   - binding: For restJson1 operations, the operation and its percent-decoded URI label values.
    /// - Returns: The input and the resource it names (see ``resourceMembers``).
    /// - Throws: `JSONValue.ParseError` for malformed JSON, `ValidationFailure` for model violations.
    public static func decodeRequest<T: WireShape>(
        _ type: T.Type, body: [UInt8], binding: (operation: OperationSchema, labels: [String: String])?
    ) throws -> (input: T, resource: String?) {
        let onePass = Result { () throws(WireFallback) -> T in
            guard let binding else { return try WireByteReader.decode(type, from: body) }
            return try WireByteReader.decode(type, from: body, operation: binding.operation, labels: binding.labels)
        }
        if case .success(let input) = onePass { return (input, input.wireInputResource) }
        return try decodeTree(type, body: body, binding: binding)
    }

    /// ``decodeRequest(_:body:binding:)`` on the tree path only: parse, merge the URI labels,
    /// validate and decode. The reference the one-pass reader is tested against.
    ///
    /// - Throws: `JSONValue.ParseError` for malformed JSON, `ValidationFailure` for model violations.
    public static func decodeTree<T: WireShape>(
        _ type: T.Type, body: [UInt8], binding: (operation: OperationSchema, labels: [String: String])?
    ) throws -> (input: T, resource: String?) {
        var tree = try JSONValue.parseRequestBody(bytes: body)
        if let binding {
            T.wireService.bindInput(of: binding.operation, into: &tree, uriLabels: binding.labels)
        }
        let input = try decode(type, from: tree)
        return (input, input.wireInputResource)
    }

    /// Encodes an operation's output once, with its direct writer, and the resource it names
    /// (`KeyArn`, `Key.KeyArn` or `Alias.AliasName`, see ``WireShape/wireResource``). The bytes are
    /// those ``encodeBytes(_:)`` writes.
    ///
    /// - Throws: `EncodingError` for a non-finite number.
    public static func encodeResponse<T: WireShape>(_ output: T) throws -> (bytes: [UInt8], resource: String?) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        try output.writeWire(into: &bytes)
        return (bytes, output.wireResource)
    }

    /// Encodes an output (or any value) as compact JSON: sorted keys, `nil` members omitted,
    /// timestamps as epoch-second numbers, slashes unescaped.
    ///
    /// - Throws: `EncodingError` for a non-finite number.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        Data(try JSONWriter.encode(value))
    }

    /// Encodes an output (or any value) as compact JSON bytes, as ``encode(_:)`` does.
    ///
    /// - Throws: `EncodingError` for a non-finite number.
    public static func encodeBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        try JSONWriter.encode(value)
    }

    /// Encodes an error shape as the body AWS sends: its members plus `"__type": "<name>"`.
    ///
    /// - Parameters:
    ///   - error: A generated exception structure, e.g. `DataPlane.ValidationException`.
    ///   - type: The exception name, e.g. `ValidationException`.
    /// - Throws: `EncodingError` for a non-finite number.
    public static func encodeError<T: Encodable>(_ error: T, type: String) throws -> Data {
        Data(try JSONWriter.encode(TypedError(error: error, type: type)))
    }
}

/// An error body: the shape's members followed by `__type`.
private struct TypedError<Wrapped: Encodable>: Encodable {
    let error: Wrapped
    let type: String

    private struct TypeKey: CodingKey {
        var stringValue: String { "__type" }
        var intValue: Int? { nil }
        init() {}
        init?(stringValue: String) { nil }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        try error.encode(to: encoder)
        var container = encoder.container(keyedBy: TypeKey.self)
        try container.encode(type, forKey: TypeKey())
    }
}

/// The HTTP status of each exception name, from ``AWSException`` (the one table). Used where the
/// model has no `error.httpStatusCode` (the control plane's model gives none, and the data plane's
/// ValidationException has none).
public enum ErrorStatus {
    /// Status by exception name.
    public static let contractStatus: [String: Int] = Dictionary(
        uniqueKeysWithValues: AWSException.allCases.map { ($0.rawValue, $0.httpStatus) })
}
