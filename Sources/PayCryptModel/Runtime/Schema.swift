// The schema that scripts/generate_model.py emits for each service: shapes with their
// constraints, operations with their HTTP bindings, and error shapes with their status codes.
// Handwritten; the generated files only construct these values.

/// The wire protocol a service speaks.
public enum WireProtocol: String, Sendable, Equatable {
    /// REST with JSON bodies (`rest-json` in botocore): the data plane.
    case restJson1
    /// `POST /` with an `X-Amz-Target` header and `application/x-amz-json-1.0` bodies: the control plane.
    case awsJson1_0
}

/// The kind of an AWS shape, as the model's `type` field names it.
public enum ShapeKind: String, Sendable, Equatable {
    case structure
    /// A structure with `"union": true`: exactly one member must be set.
    case union
    case string
    case integer
    case long
    case float
    case double
    case boolean
    case timestamp
    case blob
    case list
    case map
}

/// One member of a structure or union.
public struct MemberSchema: Sendable, Equatable {
    /// The member name as written in the model (also its JSON name).
    public let name: String
    /// The name of the shape the member targets.
    public let target: String
    /// Whether the model lists the member as required.
    public let required: Bool
    /// Where a REST binding places the member, or `nil` for the JSON body.
    public let location: HTTPLocation?
    /// The header, query or URI label name of a bound member.
    public let locationName: String?

    /// Creates a member description.
    public init(
        _ name: String,
        _ target: String,
        required: Bool = false,
        location: HTTPLocation? = nil,
        locationName: String? = nil
    ) {
        self.name = name
        self.target = target
        self.required = required
        self.location = location
        self.locationName = locationName
    }
}

/// The description of one shape and its constraints.
public final class ShapeSchema: Sendable {
    /// The shape name in the model.
    public let name: String
    /// What kind of value the shape describes.
    public let kind: ShapeKind
    /// Members of a structure or union, in model order.
    public let members: [MemberSchema]
    /// Minimum string length, list length, map size or integer value.
    public let min: Int?
    /// Maximum string length, list length, map size or integer value.
    public let max: Int?
    /// The model's pattern exactly as botocore ships it (unanchored); it must match the whole value.
    public let pattern: String?
    /// The allowed values of a string enum, in model order; empty for other shapes.
    public let enumValues: [String]
    /// Whether the model marks the value as sensitive. Values are never echoed in any case.
    public let sensitive: Bool
    /// The member shape of a list.
    public let listMember: String?
    /// The key shape of a map.
    public let mapKey: String?
    /// The value shape of a map.
    public let mapValue: String?
    /// The compiled form of `pattern`, anchored to the whole value.
    public let compiledPattern: CompiledPattern?

    init(
        name: String,
        kind: ShapeKind,
        members: [MemberSchema] = [],
        min: Int? = nil,
        max: Int? = nil,
        pattern: String? = nil,
        enumValues: [String] = [],
        sensitive: Bool = false,
        listMember: String? = nil,
        mapKey: String? = nil,
        mapValue: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.members = members
        self.min = min
        self.max = max
        self.pattern = pattern
        self.enumValues = enumValues
        self.sensitive = sensitive
        self.listMember = listMember
        self.mapKey = mapKey
        self.mapValue = mapValue
        self.compiledPattern = pattern.map { CompiledPattern(modelPattern: $0) }
    }

    /// A structure shape.
    public static func structure(_ name: String, sensitive: Bool = false, members: [MemberSchema]) -> ShapeSchema {
        ShapeSchema(name: name, kind: .structure, members: members, sensitive: sensitive)
    }

    /// A tagged union: exactly one member must be set.
    public static func union(_ name: String, sensitive: Bool = false, members: [MemberSchema]) -> ShapeSchema {
        ShapeSchema(name: name, kind: .union, members: members, sensitive: sensitive)
    }

    /// A string shape with optional length and pattern constraints.
    public static func string(
        _ name: String, min: Int? = nil, max: Int? = nil, pattern: String? = nil, sensitive: Bool = false
    ) -> ShapeSchema {
        ShapeSchema(name: name, kind: .string, min: min, max: max, pattern: pattern, sensitive: sensitive)
    }

    /// A string enum shape.
    public static func enumeration(_ name: String, values: [String], sensitive: Bool = false) -> ShapeSchema {
        ShapeSchema(name: name, kind: .string, enumValues: values, sensitive: sensitive)
    }

    /// A number, boolean, timestamp or blob shape with optional range (or blob length) constraints.
    public static func scalar(
        _ name: String, _ kind: ShapeKind, min: Int? = nil, max: Int? = nil, sensitive: Bool = false
    ) -> ShapeSchema {
        ShapeSchema(name: name, kind: kind, min: min, max: max, sensitive: sensitive)
    }

    /// A list shape.
    public static func list(
        _ name: String, member: String, min: Int? = nil, max: Int? = nil, sensitive: Bool = false
    ) -> ShapeSchema {
        ShapeSchema(name: name, kind: .list, min: min, max: max, sensitive: sensitive, listMember: member)
    }

    /// A map shape (JSON object with string keys).
    public static func map(
        _ name: String, key: String, value: String, min: Int? = nil, max: Int? = nil, sensitive: Bool = false
    ) -> ShapeSchema {
        ShapeSchema(
            name: name, kind: .map, min: min, max: max, sensitive: sensitive, mapKey: key, mapValue: value)
    }

    /// The member with the given model name, if any.
    public func member(named name: String) -> MemberSchema? {
        members.first { $0.name == name }
    }
}

/// Where a REST binding places an input member.
public enum HTTPLocation: String, Sendable, Equatable {
    /// A `{Label}` segment of the request URI.
    case uri
    /// An HTTP header.
    case header
    /// A query string parameter.
    case querystring
}

/// An input member bound to a part of the HTTP request other than the JSON body.
public struct HTTPBinding: Sendable, Equatable {
    /// The member name in the input shape.
    public let member: String
    /// Where the member is bound.
    public let location: HTTPLocation
    /// The URI label, header or query parameter name.
    public let locationName: String

    /// Creates a binding.
    public init(member: String, location: HTTPLocation, locationName: String) {
        self.member = member
        self.location = location
        self.locationName = locationName
    }
}

/// One operation of a service, as the server routes it. A class: a route hands it on with every
/// request, so it is shared by reference instead of copied (one retain instead of one per field).
public final class OperationSchema: Sendable, Equatable {
    /// The operation name, e.g. `GenerateMac`.
    public let name: String
    /// The HTTP method, e.g. `POST`.
    public let method: String
    /// The request URI template, e.g. `/keys/{KeyIdentifier}/encrypt`; `/` for the control plane.
    public let requestURI: String
    /// The HTTP status of a successful response.
    public let responseCode: Int
    /// The input shape name.
    public let input: String
    /// The output shape name.
    public let output: String
    /// The error shapes the operation can return, in model order.
    public let errors: [String]
    /// Input members bound to the URI, headers or query string.
    public let bindings: [HTTPBinding]
    /// The `X-Amz-Target` value for awsJson1_0 services, e.g. `PaymentCryptographyControlPlane.CreateKey`.
    public let target: String?

    /// Creates an operation description.
    public init(
        name: String,
        method: String,
        requestURI: String,
        responseCode: Int,
        input: String,
        output: String,
        errors: [String],
        bindings: [HTTPBinding] = [],
        target: String? = nil
    ) {
        self.name = name
        self.method = method
        self.requestURI = requestURI
        self.responseCode = responseCode
        self.input = input
        self.output = output
        self.errors = errors
        self.bindings = bindings
        self.target = target
    }

    /// Equal when every field is.
    public static func == (lhs: OperationSchema, rhs: OperationSchema) -> Bool {
        lhs === rhs || (lhs.name == rhs.name && lhs.method == rhs.method && lhs.requestURI == rhs.requestURI
            && lhs.responseCode == rhs.responseCode && lhs.input == rhs.input && lhs.output == rhs.output
            && lhs.errors == rhs.errors && lhs.bindings == rhs.bindings && lhs.target == rhs.target)
    }
}

/// An error shape of a service.
public struct ErrorSchema: Sendable, Equatable {
    /// The exception name, also the `__type` and `X-Amzn-ErrorType` value.
    public let name: String
    /// `error.httpStatusCode` from the model, where the model gives one.
    public let modelHTTPStatus: Int?
    /// Whether the model marks the error as a server fault.
    public let fault: Bool

    /// Creates an error description.
    public init(name: String, modelHTTPStatus: Int?, fault: Bool) {
        self.name = name
        self.modelHTTPStatus = modelHTTPStatus
        self.fault = fault
    }

    /// The HTTP status to answer with: the model's status, else ``AWSException``'s table, else 500 for a
    /// fault and 400 otherwise.
    public var httpStatus: Int {
        modelHTTPStatus ?? ErrorStatus.contractStatus[name] ?? (fault ? 500 : 400)
    }
}

/// The whole schema of one service. A class: it is large and read on every request, so it is
/// shared by reference instead of copied.
public final class ServiceSchema: Sendable {
    /// The botocore service name, e.g. `payment-cryptography-data`.
    public let serviceName: String
    /// The model's API version.
    public let apiVersion: String
    /// The wire protocol.
    public let wireProtocol: WireProtocol
    /// The `X-Amz-Target` prefix of an awsJson1_0 service.
    public let targetPrefix: String?
    /// Every shape, by name.
    public let shapes: [String: ShapeSchema]
    /// Every operation, in name order.
    public let operations: [OperationSchema]
    /// Every error shape, by name.
    public let errors: [String: ErrorSchema]
    /// The operations by name and by `X-Amz-Target`, and the restJson1 URI templates parsed once.
    let operationsByName: [String: OperationSchema]
    let operationsByTarget: [String: OperationSchema]
    let routes: [CompiledRoute]
    /// The routes whose template has no label, by path: most requests route by one lookup.
    let literalRoutes: [String: CompiledRoute]
    /// The target shape of each member of each structure and union, in member order (nil for a
    /// target the model lacks): validation follows members without looking up their names.
    private let memberTargets: [ObjectIdentifier: [ShapeSchema?]]

    /// Creates a service schema from the generated lists.
    public init(
        serviceName: String,
        apiVersion: String,
        wireProtocol: WireProtocol,
        targetPrefix: String?,
        shapes: [ShapeSchema],
        operations: [OperationSchema],
        errors: [ErrorSchema]
    ) {
        self.serviceName = serviceName
        self.apiVersion = apiVersion
        self.wireProtocol = wireProtocol
        self.targetPrefix = targetPrefix
        let byName = Dictionary(shapes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.shapes = byName
        // From the shapes kept (a duplicate name's later shape is dropped above, and its identifier with it).
        memberTargets = Dictionary(uniqueKeysWithValues: byName.values.filter { !$0.members.isEmpty }.map { shape in
            (ObjectIdentifier(shape), shape.members.map { byName[$0.target] })
        })
        self.operations = operations
        self.errors = Dictionary(errors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        operationsByName = Dictionary(operations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        operationsByTarget = Dictionary(operations.compactMap { op in op.target.map { ($0, op) } }, uniquingKeysWith: { first, _ in first })
        routes = wireProtocol == .restJson1 ? operations.map(CompiledRoute.init) : []
        literalRoutes = Dictionary(routes.filter { $0.labels.allSatisfy { $0 == nil } }.map { ($0.operation.requestURI, $0) },
                                   uniquingKeysWith: { first, _ in first })
    }

    /// The target shapes of `shape`'s members, in member order (see ``ShapeSchema/members``).
    func memberTargets(of shape: ShapeSchema) -> [ShapeSchema?] {
        memberTargets[ObjectIdentifier(shape)] ?? shape.members.map { shapes[$0.target] }
    }

    /// The target shapes of the members of the shape named `name`, in member order; empty for a
    /// shape the schema lacks.
    func memberTargets(ofShapeNamed name: String) -> [ShapeSchema?] {
        shapes[name].map(memberTargets(of:)) ?? []
    }

    /// The operation with the given name, e.g. `GenerateMac`.
    public func operation(named name: String) -> OperationSchema? {
        operationsByName[name]
    }

    /// The operation an `X-Amz-Target` header names, e.g. `PaymentCryptographyControlPlane.CreateKey`.
    public func operation(forTarget target: String) -> OperationSchema? {
        operationsByTarget[target]
    }

    /// The HTTP status for an error shape of this service, or `nil` if the service has no such error.
    public func httpStatus(forError name: String) -> Int? {
        errors[name]?.httpStatus
    }
}
