// Direct wire coding: generated shapes read their members straight out of a validated JSONValue
// tree and write their JSON bytes straight into a buffer, without Codable's containers, coding keys
// or intermediate trees. The generated code is one line per member; these helpers do the work.
//
// The behaviour is the Codable behaviour of the generated shapes (which JSONValueDecoder and
// JSONWriter.encode still implement, as the reference the tests compare against):
// - decoding: `null` is absent, unknown members are ignored, a union has exactly one member set,
//   enums decode by raw value, integers only from integers, numbers from integers or numbers;
// - writing: object keys in sorted order, absent members omitted, JSONWriter's scalar formats.

/// A value that decodes directly from a parsed and validated ``JSONValue``.
public protocol WireDecodable {
    /// Decodes the value from `wireTree`.
    ///
    /// - Throws: `WireDecodingError` with the path of the first member that does not fit.
    init(wireTree: JSONValue) throws(WireDecodingError)
}

/// A value that writes its compact JSON bytes directly, byte for byte as `Wire.encode` writes it.
public protocol WireEncodable {
    /// Appends the value's JSON text to `out`.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite number.
    func writeWire(into out: inout [UInt8]) throws(EncodingError)
}

/// A member of a tree that does not decode as its type: the content of an `.undecodable` violation.
public struct WireDecodingError: Error, Sendable, Equatable {
    /// One step from a value to a member inside it.
    public enum Step: Sendable, Equatable {
        /// A structure or union member, or a map value, by name.
        case member(String)
        /// A list element, by index.
        case index(Int)
    }

    /// The steps from the decoded root to the failing value, outermost first. For a missing
    /// required member it ends at the structure that lacks it, as Codable's `keyNotFound` does.
    public private(set) var steps: [Step]

    /// Creates an error at the value being decoded; enclosing values prepend their steps.
    public init(steps: [Step] = []) {
        self.steps = steps
    }

    /// The same error seen from the value one `step` further out.
    public func inside(_ step: Step) -> WireDecodingError {
        WireDecodingError(steps: [step] + steps)
    }

    /// The path in ``ViolationFormat``'s syntax, e.g. `GenerationAttributes.Algorithm` or `Tags[2].Key`.
    public var path: String {
        steps.reduce("") { path, step in
            switch step {
            case .member(let name): ViolationFormat.memberPath(path, name)
            case .index(let index): ViolationFormat.indexPath(path, index)
            }
        }
    }
}

/// The members of a tree that must be an object (a structure or union), read by name.
public struct WireObjectReader {
    /// The object's members.
    public let members: [String: JSONValue]

    /// Reads `tree` as an object.
    ///
    /// - Throws: `WireDecodingError` at this value if `tree` is not an object.
    public init(_ tree: JSONValue) throws(WireDecodingError) {
        guard case .object(let members) = tree else { throw WireDecodingError() }
        self.members = members
    }

    /// The required member `key`.
    ///
    /// - Throws: `WireDecodingError` at this object if the member is missing, at the member if it is
    ///   `null` or does not decode.
    public func required<T: WireDecodable>(_ key: String) throws(WireDecodingError) -> T {
        guard let value = members[key] else { throw WireDecodingError() }
        return try Self.decode(value, key)
    }

    /// The optional member `key`; `nil` when missing or `null`.
    ///
    /// - Throws: `WireDecodingError` at the member if it does not decode.
    public func optional<T: WireDecodable>(_ key: String) throws(WireDecodingError) -> T? {
        guard let value = members[key], value != .null else { return nil }
        return try Self.decode(value, key)
    }

    /// The name of the one member of `names` (a union's members) that is set: `null` members count
    /// as absent and names outside `names` are ignored.
    ///
    /// - Throws: `WireDecodingError` at this object unless exactly one is set.
    public func onlyMember(of names: [String]) throws(WireDecodingError) -> String {
        var found: String?
        for name in names {
            guard let value = members[name], value != .null else { continue }
            guard found == nil else { throw WireDecodingError() }
            found = name
        }
        guard let found else { throw WireDecodingError() }
        return found
    }

    private static func decode<T: WireDecodable>(_ value: JSONValue, _ key: String) throws(WireDecodingError) -> T {
        do throws(WireDecodingError) {
            return try T(wireTree: value)
        } catch {
            throw error.inside(.member(key))
        }
    }
}

/// Writes one JSON object into a buffer, member by member, in the order the caller gives (the
/// generator gives the sorted order `JSONWriter` uses).
public struct WireObjectWriter {
    private var first = true

    /// Opens the object.
    public init(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
    }

    /// Writes the member `key` if `value` is present.
    ///
    /// - Parameter key: A model member name: an identifier, so nothing in it needs escaping.
    /// - Throws: `EncodingError.invalidValue` for a non-finite number.
    public mutating func member<T: WireEncodable>(
        _ key: StaticString, _ value: T?, into out: inout [UInt8]
    ) throws(EncodingError) {
        guard let value else { return }
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        try value.writeWire(into: &out)
    }

    /// Closes the object.
    public func end(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "}"))
    }
}

/// A generated string enum: decodes from and writes its raw value.
public protocol WireStringEnum: RawRepresentable, WireDecodable, WireEncodable, WireByteDecodable where RawValue == String {}

extension WireStringEnum {
    /// Decodes a case from its raw value.
    ///
    /// - Throws: `WireDecodingError` for a value that is not a string or not a raw value of a case.
    public init(wireTree: JSONValue) throws(WireDecodingError) {
        guard case .string(let raw) = wireTree, let value = Self(rawValue: raw) else { throw WireDecodingError() }
        self = value
    }

    /// Writes the raw value as a JSON string.
    public func writeWire(into out: inout [UInt8]) throws(EncodingError) {
        JSONWriter.writeString(rawValue, into: &out)
    }
}

extension String: WireDecodable, WireEncodable {
    /// Decodes a string (a model string or blob).
    ///
    /// - Throws: `WireDecodingError` for any other value.
    public init(wireTree: JSONValue) throws(WireDecodingError) {
        guard case .string(let value) = wireTree else { throw WireDecodingError() }
        self = value
    }

    /// Writes the string, escaped as `JSONWriter` escapes it.
    public func writeWire(into out: inout [UInt8]) throws(EncodingError) {
        JSONWriter.writeString(self, into: &out)
    }
}

extension Int: WireDecodable, WireEncodable {
    /// Decodes an integer; a number with a fraction is not one.
    ///
    /// - Throws: `WireDecodingError` for any other value.
    public init(wireTree: JSONValue) throws(WireDecodingError) {
        guard case .integer(let value) = wireTree else { throw WireDecodingError() }
        self = value
    }

    /// Writes the integer in decimal.
    public func writeWire(into out: inout [UInt8]) throws(EncodingError) {
        JSONWriter.writeInteger(self, into: &out)
    }
}

extension Bool: WireDecodable, WireEncodable {
    /// Decodes `true` or `false`.
    ///
    /// - Throws: `WireDecodingError` for any other value.
    public init(wireTree: JSONValue) throws(WireDecodingError) {
        guard case .bool(let value) = wireTree else { throw WireDecodingError() }
        self = value
    }

    /// Writes `true` or `false`.
    public func writeWire(into out: inout [UInt8]) throws(EncodingError) {
        JSONWriter.writeBool(self, into: &out)
    }
}

extension Double: WireDecodable, WireEncodable {
    /// Decodes a number (a model double, float or epoch-seconds timestamp) from an integer or a number.
    ///
    /// - Throws: `WireDecodingError` for any other value.
    public init(wireTree: JSONValue) throws(WireDecodingError) {
        switch wireTree {
        case .integer(let value): self = Double(value)
        case .number(let value): self = value
        default: throw WireDecodingError()
        }
    }

    /// Writes the number as `JSONWriter` does.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite number.
    public func writeWire(into out: inout [UInt8]) throws(EncodingError) {
        try JSONWriter.writeNumber(self, into: &out)
    }
}

extension Array: WireDecodable where Element: WireDecodable {
    /// Decodes a list, element by element.
    ///
    /// - Throws: `WireDecodingError` at this value if it is not an array, else at the first element
    ///   that does not decode.
    public init(wireTree: JSONValue) throws(WireDecodingError) {
        guard case .array(let elements) = wireTree else { throw WireDecodingError() }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do throws(WireDecodingError) {
                result.append(try Element(wireTree: element))
            } catch {
                throw error.inside(.index(index))
            }
        }
        self = result
    }
}

extension Array: WireEncodable where Element: WireEncodable {
    /// Writes a list, element by element.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite number.
    public func writeWire(into out: inout [UInt8]) throws(EncodingError) {
        out.append(UInt8(ascii: "["))
        for (index, element) in enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            try element.writeWire(into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}

extension Dictionary: WireDecodable where Key == String, Value: WireDecodable {
    /// Decodes a map, value by value. A key that reads as an integer is an index step of the path, as
    /// in the path of a Codable `Dictionary` decode.
    ///
    /// - Throws: `WireDecodingError` at this value if it is not an object, else at a value that does
    ///   not decode.
    public init(wireTree: JSONValue) throws(WireDecodingError) {
        guard case .object(let entries) = wireTree else { throw WireDecodingError() }
        var result: [String: Value] = [:]
        result.reserveCapacity(entries.count)
        for (key, entry) in entries {
            do throws(WireDecodingError) {
                result[key] = try Value(wireTree: entry)
            } catch {
                throw error.inside(Int(key).map { .index($0) } ?? .member(key))
            }
        }
        self = result
    }
}

extension Dictionary: WireEncodable where Key == String, Value: WireEncodable {
    /// Writes a map with its keys in sorted order, as `JSONWriter` writes objects.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite number.
    public func writeWire(into out: inout [UInt8]) throws(EncodingError) {
        out.append(UInt8(ascii: "{"))
        for (index, key) in keys.sorted().enumerated() {
            guard let value = self[key] else { continue }
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            try value.writeWire(into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
