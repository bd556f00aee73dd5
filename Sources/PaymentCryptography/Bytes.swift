/// Byte helpers shared by the algorithms: big-endian words, block iteration, XOR, hex.
public enum Bytes {
    /// Reads 8 bytes big-endian starting at `offset`.
    @inline(__always)
    static func uint64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = (v << 8) | UInt64(bytes[offset + i]) }
        return v
    }

    /// Writes `value` big-endian as 8 bytes.
    @inline(__always)
    static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) }
    }

    /// Appends `value` big-endian to `out`.
    @inline(__always)
    static func append(_ value: UInt64, to out: inout [UInt8]) {
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * i))) }
    }

    /// Applies `transform` to each 8-byte block of `data`.
    static func mapBlocks(_ data: [UInt8], _ transform: (UInt64) -> UInt64) throws(PaymentCryptographyError) -> [UInt8] {
        guard data.count % 8 == 0 else { throw .invalidDataLength(data.count) }
        var out = [UInt8]()
        out.reserveCapacity(data.count)
        var offset = 0
        while offset < data.count {
            append(transform(uint64(data, at: offset)), to: &out)
            offset += 8
        }
        return out
    }

    /// XOR of two equally long byte strings.
    @inline(__always)
    static func xor(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        precondition(a.count == b.count)
        return zip(a, b).map { $0 ^ $1 }
    }

    /// Decodes hex (either case). Returns nil for an odd length or a non-hex character.
    public static func fromHex(_ hex: some StringProtocol) -> [UInt8]? {
        // Every request decodes its hex members: straight from the string's own UTF-8 storage when
        // it has some (native strings do), into an output written once.
        if let decoded = hex.utf8.withContiguousStorageIfAvailable({ fromHex(utf8: $0) }) { return decoded }
        return Array(hex.utf8).withUnsafeBufferPointer { fromHex(utf8: $0) }
    }

    /// Decodes hex digits (either case) from a `String`'s own UTF-8 storage; nil for an odd count or
    /// a non-hex character. (The generic overload serves substrings and other string types.)
    public static func fromHex(_ hex: String) -> [UInt8]? {
        var hex = hex
        return hex.withUTF8 { fromHex(utf8: $0) }
    }

    static func fromHex(utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: utf8.count / 2) { buffer, initialized in
            var i = 0, o = 0
            while i < utf8.count {
                let hi = nibbleValues[Int(utf8[i])], lo = nibbleValues[Int(utf8[i + 1])]
                if hi | lo > 0x0F { valid = false; break }
                buffer[o] = hi << 4 | lo
                i += 2
                o += 1
            }
            initialized = o
        }
        return valid ? out : nil
    }

    /// Each byte's value as a hex digit, or 0xFF when it is not one.
    private static let nibbleValues: [UInt8] = (0...255).map { nibble(UInt8($0)) ?? 0xFF }

    /// Encodes bytes as upper-case hex.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        if let encoded = bytes.withContiguousStorageIfAvailable({ hex(buffer: $0) }) { return encoded }
        return Array(bytes).withUnsafeBufferPointer { hex(buffer: $0) }
    }

    static func hex(buffer bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            let digits: StaticString = "0123456789ABCDEF"
            let table = digits.utf8Start
            var o = 0
            for b in bytes {
                out[o] = table[Int(b >> 4)]
                out[o + 1] = table[Int(b & 0xF)]
                o += 2
            }
            return o
        }
    }

    /// True when every character is a hex digit (either case).
    public static func isHex(_ s: some StringProtocol) -> Bool {
        s.utf8.allSatisfy { nibble($0) != nil }
    }

    /// The value of one ASCII hex digit (either case), nil for any other byte.
    @inlinable
    public static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
