/// Checks and packings of the decimal and hex fields of card validation (the AWS API reference's
/// lengths and patterns, re-checked here so that no malformed value reaches the cipher).
enum CardDigits {
    /// `value` if it is `count` decimal digits, else a refusal naming `field`.
    static func decimal(_ value: String, _ field: String, count: ClosedRange<Int>) throws(CardValidationError) -> String {
        let u = value.utf8
        guard count.contains(u.count), u.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .field(field, count.lowerBound == count.upperBound
                ? "\(field) must be \(count.lowerBound) decimal digits."
                : "\(field) must be \(count.lowerBound) to \(count.upperBound) decimal digits.")
        }
        return value
    }

    /// `value` in upper case if it is `count` hex digits (either case), else a refusal naming `field`.
    static func hex(_ value: String, _ field: String, count: ClosedRange<Int>) throws(CardValidationError) -> String {
        guard count.contains(value.utf8.count), Bytes.isHex(value) else {
            throw .field(field, "\(field) must be \(count.lowerBound) to \(count.upperBound) hex digits.")
        }
        return value.uppercased()
    }

    /// A hex value left-padded with `0` to `width` digits (the ATC to 2 bytes, the UN to 4 bytes:
    /// README Decisions, "short ATC and UN").
    static func leftPadded(_ hex: String, width: Int) -> String {
        String(repeating: "0", count: max(0, width - hex.utf8.count)) + hex
    }

    /// Digits (0-9, A-F) packed two per byte, one nibble each, as written; an odd count gets
    /// an `F` nibble on the right (EMV pads track 2 equivalent data this way).
    static func packed(_ nibbles: String) -> [UInt8] {
        let s = nibbles.utf8.count % 2 == 1 ? nibbles + "F" : nibbles
        return Bytes.fromHex(s) ?? []
    }

    /// Nibbles right-padded with `0` to `count` (CVV data blocks).
    static func rightPadded(_ nibbles: String, count: Int) -> String {
        nibbles + String(repeating: "0", count: max(0, count - nibbles.utf8.count))
    }
}
