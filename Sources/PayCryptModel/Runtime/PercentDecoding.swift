/// Percent-decoding of a URI label (RFC 3986 §2.1), on the UTF-8 bytes.
///
/// It answers what Foundation's `removingPercentEncoding` answers (nil when a `%` is not followed
/// by two hex digits; `+` stays `+`), without bridging to `CFString`, which on Linux took 9 %
/// of the server's samples under EncryptData (README "Performance"). Decoded bytes that are
/// not UTF-8 are always refused (nil), where Foundation on Linux sometimes repairs them with U+FFFD
/// (README "Decisions": URI labels).
enum PercentDecoding {
    /// The decoded text, or nil when `text` is not a valid percent-encoding of UTF-8.
    static func decode<S: StringProtocol>(_ text: S) -> String? {
        let utf8 = text.utf8
        guard utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        // The decoded bytes are never more than the encoded ones: a buffer of that size on the
        // stack, then one validating copy into the String.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: utf8.count) { buffer -> String? in
            var count = 0
            var iterator = utf8.makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "%") else {
                    buffer[count] = byte
                    count += 1
                    continue
                }
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                buffer[count] = high << 4 | low
                count += 1
            }
            return String(validating: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// The value of one hex digit (either letter case), nil for any other byte. (`Bytes.nibble` of
    /// PaymentCryptography is the same; this target depends on no other.)
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}
