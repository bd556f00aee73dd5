/// A strict RFC 8259 JSON parser from UTF-8 bytes to ``JSONValue``, in one pass and without Foundation.
///
/// It accepts exactly the JSON grammar: no trailing commas, no comments, no leading zeros, no
/// unescaped control characters in strings, no lone surrogates, one document per body. Numbers without
/// a fraction or exponent that fit in `Int` are `.integer`; other numbers are `.number`, and a number
/// whose value is integral and fits in `Int` (`4.0`, `4e0`) is also `.integer`, as before. A repeated
/// object key keeps its last value. Nesting deeper than ``maxDepth`` is refused, so a hostile body
/// cannot exhaust the stack.
struct JSONParser {
    /// The deepest nesting of arrays and objects accepted. The AWS models nest far less than this.
    static let maxDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses one JSON document that fills `bytes` (surrounding whitespace allowed).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONValue.ParseError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw Self.invalid }
        return value
    }

    private static let invalid = JSONValue.ParseError(description: "The request body is not valid JSON.")

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ literal: StaticString) throws(JSONValue.ParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Self.invalid }
        let start = literal.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] { throw Self.invalid }
        index += count
    }

    private mutating func value() throws(JSONValue.ParseError) -> JSONValue {
        guard let byte = peek() else { throw Self.invalid }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw Self.invalid
        }
    }

    private mutating func enter() throws(JSONValue.ParseError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw Self.invalid }
    }

    private mutating func object() throws(JSONValue.ParseError) -> JSONValue {
        try enter()
        index += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        // Room for a request's usual handful of members at once, instead of growing (and
        // rehashing) at the first, second and fourth.
        members.reserveCapacity(6)
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw Self.invalid }
            let key = try string()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw Self.invalid }
            index += 1
            skipWhitespace()
            members[key] = try value()
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(members)
            default: throw Self.invalid
            }
        }
    }

    private mutating func array() throws(JSONValue.ParseError) -> JSONValue {
        try enter()
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default: throw Self.invalid
            }
        }
    }

    private mutating func string() throws(JSONValue.ParseError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes. The bytes are checked as UTF-8 when the String is made, unless
        // all of them are ASCII (then they are valid UTF-8 as they stand).
        var high: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if high < 0x80 { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else { throw Self.invalid }
                return s
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw Self.invalid }
            high |= byte
            index += 1
        }
        var scalars = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let s = String(validating: scalars, as: UTF8.self) else { throw Self.invalid }
                return s
            case UInt8(ascii: "\\"):
                index += 1
                guard let escape = peek() else { throw Self.invalid }
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = UInt32(try hex4())
                    if (0xD800...0xDBFF).contains(code) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        try expect("\\u")
                        let low = UInt32(try hex4())
                        guard (0xDC00...0xDFFF).contains(low) else { throw Self.invalid }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw Self.invalid
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw Self.invalid }
                    scalars.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
                default: throw Self.invalid
                }
            default:
                guard byte >= 0x20 else { throw Self.invalid }
                scalars.append(byte)
                index += 1
            }
        }
        throw Self.invalid
    }

    private mutating func hex4() throws(JSONValue.ParseError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw Self.invalid }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw Self.invalid
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    private mutating func number() throws(JSONValue.ParseError) -> JSONValue {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), isDigit(first) else { throw Self.invalid }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = peek(), isDigit(next) { throw Self.invalid }  // no leading zeros
        } else {
            while let b = peek(), isDigit(b) { index += 1 }
        }
        var integral = true
        if peek() == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard let b = peek(), isDigit(b) else { throw Self.invalid }
            while let b = peek(), isDigit(b) { index += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            integral = false
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let b = peek(), isDigit(b) else { throw Self.invalid }
            while let b = peek(), isDigit(b) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let int = Int(text) { return .integer(int) }
        guard let double = Double(text), double.isFinite else { throw Self.invalid }
        if double == double.rounded(), let int = Int(exactly: double) { return .integer(int) }
        return .number(double)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
