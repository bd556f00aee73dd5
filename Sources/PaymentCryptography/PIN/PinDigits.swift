/// Checks of the decimal fields of PIN processing (the AWS model's lengths and patterns,
/// re-checked here so that no malformed value reaches a cipher).
enum PinDigits {
    /// The lengths a PIN may have (ISO 9564-1: 4 to 12 digits).
    static let pinLengths = 4...12

    /// True if every character of `s` is 0-9.
    static func isDecimal(_ s: some StringProtocol) -> Bool {
        s.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `value` if it is decimal digits of a length in `count`, else a refusal naming `field`.
    static func decimal(_ value: String, _ field: String, count: ClosedRange<Int>) throws(PinError) -> String {
        guard count.contains(value.utf8.count), isDecimal(value) else {
            throw .field(field, count.lowerBound == count.upperBound
                ? "\(field) must be \(count.lowerBound) decimal digits."
                : "\(field) must be \(count.lowerBound) to \(count.upperBound) decimal digits.")
        }
        return value
    }

    /// A PAN of 12 to 19 digits (AWS model `PrimaryAccountNumberType`).
    static func pan(_ value: String?, _ field: String) throws(PinError) -> String {
        guard let value else { throw .field(field, "\(field) is required for this PIN block format or member.") }
        return try decimal(value, field, count: 12...19)
    }

    /// The decimal digit values of `s` (already checked to be decimal).
    static func values(_ s: String) -> [UInt8] { s.utf8.map { $0 - UInt8(ascii: "0") } }

    /// The string of decimal digit values.
    static func string(_ digits: [UInt8]) -> String { String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self) }
}
