/// Encodes `Encodable` values as compact JSON bytes in one pass, without Foundation's `JSONEncoder`:
/// object keys sorted, `nil` members omitted, slashes not escaped, control characters escaped,
/// non-finite numbers refused. Integral doubles of magnitude below 2^53 are written without a
/// fraction (`1733160000`), as `JSONEncoder` writes them.
enum JSONWriter {
    /// The JSON bytes of `value`.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite number.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let tree = try JSONValueEncoder.encode(value)
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try write(tree, into: &out)
        return out
    }

    /// Appends the JSON text of `value` to `out`.
    static func write(_ value: JSONValue, into out: inout [UInt8]) throws {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): writeBool(b, into: &out)
        case .integer(let i): writeInteger(i, into: &out)
        case .number(let d): try writeNumber(d, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(member, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `true` or `false`.
    static func writeBool(_ b: Bool, into out: inout [UInt8]) {
        out.append(contentsOf: (b ? "true" : "false").utf8)
    }

    /// Appends an integer in decimal.
    static func writeInteger(_ i: Int, into out: inout [UInt8]) {
        out.append(contentsOf: String(i).utf8)
    }

    /// Appends a number: integral values of magnitude below 2^53 without a fraction, others as
    /// Swift's shortest round-trip description.
    ///
    /// - Throws: `EncodingError.invalidValue` for a non-finite number.
    static func writeNumber(_ d: Double, into out: inout [UInt8]) throws(EncodingError) {
        guard d.isFinite else {
            throw EncodingError.invalidValue(d, .init(codingPath: [], debugDescription: "A non-finite number is not JSON."))
        }
        if d == d.rounded(), abs(d) < 9_007_199_254_740_992 {
            out.append(contentsOf: String(Int64(d)).utf8)
        } else {
            out.append(contentsOf: "\(d)".utf8)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string: quotes, backslashes and control characters escaped, slashes and
    /// non-ASCII characters written as they are (RFC 8259, section 7).
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings (ARNs, hex, enum values) need no escape: one scan (of the contiguous bytes
        // when the string has them), then one copy.
        let plain: (UInt8) -> Bool = { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if s.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(plain) }) ?? s.utf8.allSatisfy(plain) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x00..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// The compact JSON bytes of the value, object keys sorted.
    ///
    /// - Throws: `EncodingError` for a non-finite number (which parsing never produces).
    public func jsonBytes() throws -> [UInt8] {
        var out: [UInt8] = []
        try JSONWriter.write(self, into: &out)
        return out
    }
}

/// Turns an `Encodable` value into a ``JSONValue`` tree.
enum JSONValueEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let v = value as? JSONValue { return v }
        let root = Slot()
        try value.encode(to: TreeEncoder(slot: root, codingPath: []))
        return root.resolve()
    }
}

/// Where an encoded value lands: a box that containers fill in as the value encodes.
private final class Slot {
    var value: JSONValue?
    var object: [String: Slot]?
    var array: [Slot]?

    /// The finished value of this slot and everything nested in it.
    func resolve() -> JSONValue {
        if let object {
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(object.count)
            for (k, slot) in object { members[k] = slot.resolve() }
            return .object(members)
        }
        if let array { return .array(array.map { $0.resolve() }) }
        return value ?? .null
    }
}

private struct TreeEncoder: Encoder {
    let slot: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if slot.object == nil { slot.object = [:] }
        return KeyedEncodingContainer(KeyedTreeEncoder<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if slot.array == nil { slot.array = [] }
        return UnkeyedTreeEncoder(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleTreeEncoder(slot: slot, codingPath: codingPath)
    }
}

extension Slot {
    /// Encodes `value` into this slot, with fast paths for the scalar types the shapes use.
    /// The coding path is built only for a value that is not one of those scalars.
    func put<T: Encodable>(_ value: T, codingPath: @autoclosure () -> [any CodingKey]) throws {
        switch value {
        case let v as String: self.value = .string(v)
        case let v as Int: self.value = .integer(v)
        case let v as Bool: self.value = .bool(v)
        case let v as Double: self.value = .number(v)
        case let v as JSONValue: self.value = v
        default:
            try value.encode(to: TreeEncoder(slot: self, codingPath: codingPath()))
            if object != nil || array != nil { self.value = nil }
        }
    }
}

private struct KeyedTreeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> Slot {
        let s = Slot()
        slot.object?[key.stringValue] = s
        return s
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).value = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try child(key).put(value, codingPath: codingPath + [key]) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else { return }
        try encode(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        guard let value else { return }
        child(key).value = .string(value)
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        guard let value else { return }
        child(key).value = .integer(value)
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        guard let value else { return }
        child(key).value = .bool(value)
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        guard let value else { return }
        child(key).value = .number(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(slot: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(slot: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(slot: slot, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(slot: child(key), codingPath: codingPath + [key]) }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedTreeEncoder: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int { slot.array?.count ?? 0 }

    private func next() -> Slot {
        let s = Slot()
        slot.array?.append(s)
        return s
    }

    mutating func encodeNil() throws { next().value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try next().put(value, codingPath: codingPath + [IndexKey(count)]) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(slot: next(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(slot: next(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(slot: next(), codingPath: codingPath) }
}

private struct SingleTreeEncoder: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.value = .null }
    mutating func encode(_ value: Bool) throws { slot.value = .bool(value) }
    mutating func encode(_ value: String) throws { slot.value = .string(value) }
    mutating func encode(_ value: Double) throws { slot.value = .number(value) }
    mutating func encode(_ value: Float) throws { slot.value = .number(Double(value)) }
    mutating func encode(_ value: Int) throws { slot.value = .integer(value) }
    mutating func encode(_ value: Int8) throws { slot.value = .integer(Int(value)) }
    mutating func encode(_ value: Int16) throws { slot.value = .integer(Int(value)) }
    mutating func encode(_ value: Int32) throws { slot.value = .integer(Int(value)) }
    mutating func encode(_ value: Int64) throws { slot.value = .integer(Int(value)) }
    mutating func encode(_ value: UInt) throws { slot.value = .integer(Int(truncatingIfNeeded: value)) }
    mutating func encode(_ value: UInt8) throws { slot.value = .integer(Int(value)) }
    mutating func encode(_ value: UInt16) throws { slot.value = .integer(Int(value)) }
    mutating func encode(_ value: UInt32) throws { slot.value = .integer(Int(value)) }
    mutating func encode(_ value: UInt64) throws { slot.value = .integer(Int(truncatingIfNeeded: value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try slot.put(value, codingPath: codingPath) }
}
