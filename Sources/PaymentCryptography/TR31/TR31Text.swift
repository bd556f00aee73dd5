/// Character classes and number fields of TR-31 key block text (ASCII bytes).
enum TR31Text {
    /// An ASCII letter or digit.
    @inline(__always)
    static func isAlphanumeric(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): true
        default: false
        }
    }

    /// Printable ASCII, 0x20 through 0x7E.
    @inline(__always)
    static func isPrintable(_ c: UInt8) -> Bool { (0x20...0x7E).contains(c) }

    /// True when `s` has exactly `count` characters, all ASCII letters or digits.
    static func isAlphanumeric(_ s: String, count: Int) -> Bool {
        s.utf8.count == count && s.utf8.allSatisfy(isAlphanumeric)
    }

    /// The value of a decimal field; nil unless every byte is a digit.
    static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var v = 0
        for c in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { return nil }
            v = v * 10 + Int(c - UInt8(ascii: "0"))
        }
        return v
    }

    /// The value of a hex field (either case); nil unless every byte is a hex digit or the value
    /// exceeds `limit`.
    static func hexNumber(_ bytes: ArraySlice<UInt8>, limit: Int = 1 << 24) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var v = 0
        for c in bytes {
            guard let n = Bytes.nibble(c) else { return nil }
            v = v << 4 | Int(n)
            guard v <= limit else { return nil }
        }
        return v
    }

    /// `value` as `width` decimal digits with leading zeros.
    static func decimal(_ value: Int, width: Int) -> [UInt8] {
        let digits = Array(String(value).utf8)
        return [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - digits.count)) + digits
    }

    /// `value` as `width` upper-case hex digits with leading zeros.
    static func hex(_ value: Int, width: Int) -> [UInt8] {
        let digits = Array(String(value, radix: 16, uppercase: true).utf8)
        return [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - digits.count)) + digits
    }

    /// Text from ASCII bytes.
    static func string(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}
