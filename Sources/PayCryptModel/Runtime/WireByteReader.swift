// One-pass request decoding: generated input shapes read their members straight from the body's
// JSON bytes and check each value against the model as they read it, with no `JSONValue` tree.
//
// The reader accepts a strict subset of what the tree path (`JSONParser`, then `Validator`, then
// `init(wireTree:)`) accepts, and decodes it to the same value:
// - JSON: objects, arrays, strings of printable ASCII without escapes, integers of at most 18
//   digits without a sign, `true` and `false`, with JSON whitespace between tokens;
// - model: every member known to the shape and given once, every required member present, one
//   member per union, every string, integer and list within the model's enum, length, pattern and
//   range constraints (the rules `Validator` applies, through the same `ShapeSchema`).
// Anything else (`null`, an escape, a non-ASCII byte, a fraction, a negative number, a map, an
// unknown or repeated member, any violation) throws ``WireFallback``, and the caller decodes the
// body on the tree path, which gives the exact error or the value. So a request that AWS SDKs send
// is decoded here, and every other request is answered exactly as before. The tests compare the two
// paths on random valid and broken bodies.

/// The one-pass reader met something outside its subset: decode the body on the tree path instead.
public struct WireFallback: Error, Sendable, Equatable {
    /// Creates the signal.
    public init() {}
}

/// A value that decodes in one pass from JSON bytes, checked against its model shape.
public protocol WireByteDecodable {
    /// Reads one value at the reader's position and checks it against `shape`, the member's target.
    ///
    /// - Throws: ``WireFallback`` for anything outside the reader's subset or against the model.
    init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback)
}

/// A cursor over one request body's JSON bytes for generated one-pass decoders.
///
/// Created only inside ``decode(_:from:)``, which holds the bytes for its lifetime; values are
/// copied out as they are read.
public struct WireByteReader: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// The current member name's bytes (``nextMember()`` sets them).
    private var keyStart = 0
    private var keyEnd = 0
    /// Whether the next member or element is the first of its object or array.
    private var first = false
    /// The service whose shapes list elements are checked against.
    let service: ServiceSchema

    private init(_ bytes: UnsafeBufferPointer<UInt8>, service: ServiceSchema) {
        self.bytes = bytes
        self.service = service
    }

    /// Decodes `body` as `type` in one pass, or throws ``WireFallback``.
    public static func decode<T: WireShape>(_ type: T.Type, from body: [UInt8]) throws(WireFallback) -> T {
        try body.withUnsafeBufferPointer { (buffer) throws(WireFallback) -> T in
            var reader = WireByteReader(buffer, service: T.wireService)
            let value = try T(wireBytes: &reader, shape: nil)
            reader.skipWhitespace()
            guard reader.index == buffer.count else { throw WireFallback() }
            return value
        }
    }

    /// Decodes the body of a restJson1 operation whose members are bound to URI labels: the label
    /// values are read as if they were the body's first members, which gives the tree path's
    /// value (a bound member comes from its label). Throws ``WireFallback`` unless every binding is
    /// a URI label of a string member whose value is in the reader's subset, and for a body that
    /// is not an object or that carries a bound member itself (the tree path ignores it there).
    public static func decode<T: WireShape>(
        _ type: T.Type, from body: [UInt8], operation: OperationSchema, labels: [String: String]
    ) throws(WireFallback) -> T {
        if operation.bindings.isEmpty { return try decode(type, from: body) }
        let input = T.wireService.shapes[operation.input]
        var bound: [UInt8] = [UInt8(ascii: "{")]
        bound.reserveCapacity(body.count + 128)
        for binding in operation.bindings {
            guard binding.location == .uri, let value = labels[binding.locationName],
                  let target = input?.member(named: binding.member).flatMap({ T.wireService.shapes[$0.target] }),
                  target.kind == .string
            else { throw WireFallback() }
            for byte in value.utf8 where byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") {
                throw WireFallback()
            }
            if bound.count > 1 { bound.append(UInt8(ascii: ",")) }
            bound.append(UInt8(ascii: "\""))
            bound.append(contentsOf: binding.member.utf8)
            bound.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "\"")])
            bound.append(contentsOf: value.utf8)
            bound.append(UInt8(ascii: "\""))
        }
        // The body's own members follow, after its `{`: a comma first unless it is empty.
        guard let open = body.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }),
              body[open] == UInt8(ascii: "{")
        else { throw WireFallback() }
        let rest = body[(open + 1)...]
        let next = rest.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        if next != UInt8(ascii: "}") { bound.append(UInt8(ascii: ",")) }
        bound.append(contentsOf: rest)
        return try decode(type, from: bound)
    }

    // MARK: Tokens

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` after any whitespace.
    @inline(__always)
    private mutating func expect(_ byte: UInt8) throws(WireFallback) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { throw WireFallback() }
        index += 1
    }

    /// The bounds of a string's characters (the index is left after its closing quote): printable
    /// ASCII without a backslash, else ``WireFallback``.
    private mutating func stringBounds() throws(WireFallback) -> Range<Int> {
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { throw WireFallback() }
            index += 1
        }
        throw WireFallback()
    }

    // MARK: Objects and arrays

    /// Consumes the `{` of an object.
    public mutating func beginObject() throws(WireFallback) {
        try expect(UInt8(ascii: "{"))
        first = true
    }

    /// Moves to the object's next member and reads its name (see ``isKey(_:)``), leaving the reader
    /// at its value; false after the closing `}`.
    public mutating func nextMember() throws(WireFallback) -> Bool {
        guard try nextItem(closing: UInt8(ascii: "}")) else { return false }
        let key = try stringBounds()
        keyStart = key.lowerBound
        keyEnd = key.upperBound
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
        return true
    }

    /// Whether the current member's name is `name` (a model member name: ASCII).
    public func isKey(_ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard keyEnd - keyStart == count else { return false }
        let start = name.utf8Start
        for offset in 0..<count where bytes[keyStart + offset] != start[offset] { return false }
        return true
    }

    /// Reads the current member's value into `slot`, which must still be empty (a repeated member
    /// goes to the tree path, which keeps the last value).
    public mutating func read<T: WireByteDecodable>(_ slot: inout T?, _ shape: ShapeSchema?) throws(WireFallback) {
        guard slot == nil else { throw WireFallback() }
        slot = try value(shape)
    }

    /// Reads one value of type `T` checked against `shape`; `null` is not read (the tree path counts
    /// it as absent, or as a missing list element).
    public mutating func value<T: WireByteDecodable>(_ shape: ShapeSchema?) throws(WireFallback) -> T {
        guard index < bytes.count, bytes[index] != UInt8(ascii: "n") else { throw WireFallback() }
        return try T(wireBytes: &self, shape: shape)
    }

    /// Consumes the `[` of an array.
    mutating func beginArray() throws(WireFallback) {
        try expect(UInt8(ascii: "["))
        first = true
    }

    /// Moves to the array's next element; false after the closing `]`.
    mutating func nextElement() throws(WireFallback) -> Bool {
        try nextItem(closing: UInt8(ascii: "]"))
    }

    /// Moves past the `,` before an object's or array's next item, after any whitespace; false
    /// after the `closing` bracket.
    private mutating func nextItem(closing: UInt8) throws(WireFallback) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw WireFallback() }
        if bytes[index] == closing {
            index += 1
            first = false
            return false
        }
        if !first { try expect(UInt8(ascii: ",")) }
        first = false
        skipWhitespace()
        return true
    }

    // MARK: Scalars

    /// Reads a string (see ``stringBounds()``) that passes `shape`'s rules.
    mutating func string(checkedBy shape: ShapeSchema?) throws(WireFallback) -> String {
        let bounds = try stringBounds()
        let characters = UnsafeBufferPointer(rebasing: bytes[bounds])
        guard let shape, shape.accepts(ascii: characters) else { throw WireFallback() }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Reads an integer: `0` or a digit 1–9 and at most 17 more digits. A sign, a fraction or an
    /// exponent is left unread, so the next token check sends the body to the tree path.
    mutating func integer() throws(WireFallback) -> Int {
        guard index < bytes.count else { throw WireFallback() }
        let lead = bytes[index]
        guard lead >= UInt8(ascii: "0"), lead <= UInt8(ascii: "9") else { throw WireFallback() }
        index += 1
        var value = Int(lead - UInt8(ascii: "0"))
        if value == 0 { return 0 }
        var digits = 1
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            digits += 1
            guard digits <= 18 else { throw WireFallback() }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        return value
    }

    /// Reads `true` or `false`.
    mutating func bool() throws(WireFallback) -> Bool {
        if matches("true") { return true }
        if matches("false") { return false }
        throw WireFallback()
    }

    private mutating func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] { return false }
        index += count
        return true
    }
}

// MARK: - The model's checks, as `Validator` applies them

extension ShapeSchema {
    /// Whether a string of ASCII `characters` passes this string shape's enum, length and pattern
    /// rules (a blob shape has none), as `Validator` checks them. An ASCII character is one scalar.
    func accepts(ascii characters: UnsafeBufferPointer<UInt8>) -> Bool {
        if kind == .blob { return true }
        guard kind == .string else { return false }
        if !enumValues.isEmpty, !enumValues.contains(where: { $0.utf8.elementsEqual(characters) }) { return false }
        if min != nil || max != nil, !accepts(count: characters.count) { return false }
        if let compiledPattern, !compiledPattern.matches(ascii: characters) { return false }
        return true
    }

    /// Whether a string's, list's or map's `count` is within this shape's length bounds.
    func accepts(count: Int) -> Bool {
        if let min, count < min { return false }
        if let max, count > max { return false }
        return true
    }
}

extension String: WireByteDecodable {
    /// Reads a string or blob member checked against its shape.
    public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {
        self = try reader.string(checkedBy: shape)
    }
}

extension Int: WireByteDecodable {
    /// Reads an integer member checked against its shape's range.
    public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {
        let value = try reader.integer()
        guard let shape, shape.kind == .integer || shape.kind == .long, shape.accepts(count: value) else {
            throw WireFallback()
        }
        self = value
    }
}

extension Bool: WireByteDecodable {
    /// Reads `true` or `false`.
    public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {
        guard shape?.kind == .boolean else { throw WireFallback() }
        self = try reader.bool()
    }
}

extension Double: WireByteDecodable {
    /// Not read in one pass: numbers and timestamps go to the tree path.
    public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {
        throw WireFallback()
    }
}

extension Dictionary: WireByteDecodable where Key == String, Value: WireByteDecodable {
    /// Not read in one pass: maps go to the tree path.
    public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {
        throw WireFallback()
    }
}

extension Array: WireByteDecodable where Element: WireByteDecodable {
    /// Reads a list checked against its shape's length bounds, each element against the list's
    /// member shape.
    public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {
        guard let shape, shape.kind == .list, let memberName = shape.listMember,
              let member = reader.service.shapes[memberName]
        else { throw WireFallback() }
        var elements: [Element] = []
        try reader.beginArray()
        while try reader.nextElement() {
            let element: Element = try reader.value(member)
            elements.append(element)
        }
        guard shape.accepts(count: elements.count) else { throw WireFallback() }
        self = elements
    }
}

extension WireStringEnum {
    /// Reads an enum value checked against its shape.
    public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {
        guard let value = Self(rawValue: try reader.string(checkedBy: shape)) else { throw WireFallback() }
        self = value
    }
}

extension WireShape {
    /// Not read in one pass (the generator writes a reader only for shapes that requests use).
    public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {
        throw WireFallback()
    }
}
