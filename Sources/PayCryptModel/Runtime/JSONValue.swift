import Foundation

/// A JSON document as a tree of values, parsed from request bytes before any typed decoding.
///
/// Parsing is ``JSONParser``'s, one strict pass over the bytes that keeps `true`/`false` apart from
/// numbers. Numbers without a fractional part that fit in `Int` are `.integer` (so `4.0` is the
/// integer 4); other numbers are `.number`.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The error thrown for bytes that are not one JSON document.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What went wrong, without echoing the input.
        public let description: String
    }

    /// Parses one JSON document from bytes (strict RFC 8259, see ``JSONParser``).
    ///
    /// - Throws: `JSONValue.ParseError` if `bytes` is not valid JSON.
    public init(parsing bytes: some Collection<UInt8>) throws(ParseError) {
        let parsed = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(ParseError) in try JSONParser.parse(buffer) }
        } ?? Array(bytes).withUnsafeBufferPointer { buffer in
            Result { () throws(ParseError) in try JSONParser.parse(buffer) }
        }
        self = try parsed.get()
    }

    /// Parses a request body: an empty (or all-whitespace) body is the empty object, as REST clients
    /// send no body for inputs whose members are all bound elsewhere or all omitted.
    ///
    /// - Throws: `JSONValue.ParseError` if the body is not valid JSON.
    public static func parseRequestBody(_ data: Data) throws -> JSONValue {
        try parseRequestBody(bytes: data)
    }

    /// Parses a request body from bytes: an empty (or all-whitespace) body is the empty object.
    ///
    /// - Throws: `JSONValue.ParseError` if the body is not valid JSON.
    public static func parseRequestBody(bytes: some Collection<UInt8>) throws(ParseError) -> JSONValue {
        let isBlank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        return isBlank ? .object([:]) : try JSONValue(parsing: bytes)
    }

    /// The members of an object, or `nil` for any other value.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The string, or `nil` for any other value.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The member `key` of an object; `nil` for a missing member or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// Whether the value is JSON `null`.
    public var isNull: Bool { self == .null }

    /// Serializes the value as compact JSON with sorted keys.
    ///
    /// - Throws: `EncodingError` for a non-finite number (which parsing never produces).
    public func jsonData() throws -> Data {
        try Wire.encode(self)
    }
}

extension JSONValue: Codable {
    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: JSONValue] = [:]
            for key in container.allKeys {
                members[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
            }
            self = .object(members)
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            if let count = container.count { elements.reserveCapacity(count) }
            while !container.isAtEnd {
                elements.append(try container.decode(JSONValue.self))
            }
            self = .array(elements)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Encodes the value as the JSON it describes.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .integer(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .number(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .object(let members):
            var container = encoder.container(keyedBy: AnyKey.self)
            for key in members.keys.sorted() {
                if let value = members[key] {
                    try container.encode(value, forKey: AnyKey(stringValue: key))
                }
            }
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// `null`.
    public init(nilLiteral: ()) { self = .null }
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// A number with a fractional part.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
