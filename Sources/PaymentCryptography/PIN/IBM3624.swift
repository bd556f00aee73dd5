/// The IBM 3624 PIN calculation method (IBM CCA, "IBM 3624 PIN-calculation method"): the natural
/// PIN from the validation data, the offset of a customer PIN, and the PIN from an offset.
public struct IBM3624: Sendable {
    /// The 16 decimalized digits of the enciphered validation data.
    let decimalized: [UInt8]

    /// Enciphers the validation data, padded on the right with `padCharacter` to 16 hex digits,
    /// under the PVK and decimalizes the result with `decimalizationTable`.
    /// - Throws: ``PinError`` naming the field when the table is not 16 digits, the validation data
    ///   not 4 to 16 digits or the pad character not one hex digit.
    public init(key: TripleDES, decimalizationTable: String, validationData: String, padCharacter: String,
                fieldPrefix: String) throws(PinError) {
        let t = try PinDigits.decimal(decimalizationTable, "\(fieldPrefix).DecimalizationTable", count: 16...16)
        let data = try PinDigits.decimal(validationData, "\(fieldPrefix).PinValidationData", count: 4...16)
        guard padCharacter.utf8.count == 1, Bytes.isHex(padCharacter) else {
            throw .field("\(fieldPrefix).PinValidationDataPadCharacter", "\(fieldPrefix).PinValidationDataPadCharacter must be one hex digit.")
        }
        let padded = data + String(repeating: padCharacter.uppercased(), count: 16 - data.utf8.count)
        guard let block = Bytes.fromHex(padded) else {
            throw .field("\(fieldPrefix).PinValidationData", "\(fieldPrefix).PinValidationData must be decimal digits.")
        }
        decimalized = Self.decimalize(Bytes.bytes(key.encrypt(block: Bytes.uint64(block, at: 0))), table: PinDigits.values(t))
    }

    /// Each hex digit d of `block` becomes `table[d]` (0-based position 0..F).
    static func decimalize(_ block: [UInt8], table: [UInt8]) -> [UInt8] {
        PinBlock.unpack(block).map { table[Int($0)] }
    }

    /// `offset` if it is 4 to 12 decimal digits (AWS model `PinOffsetType`; an F-padded offset is
    /// refused), else a refusal naming `field`.
    public static func checkedOffset(_ offset: String, field: String) throws(PinError) -> String {
        try PinDigits.decimal(offset, field, count: PinDigits.pinLengths)
    }

    /// The natural PIN of `length` digits (4..12): the leftmost decimalized digits.
    public func naturalPin(length: Int) -> String {
        PinDigits.string(Array(decimalized.prefix(length)))
    }

    /// The offset of `pin`: (PIN − natural PIN) mod 10 digit by digit, as many digits as the PIN.
    public func offset(pin: String) -> String {
        let p = PinDigits.values(pin)
        return PinDigits.string(zip(p, decimalized).map { ($0 + 10 - $1) % 10 })
    }

    /// The PIN of `offset`: (natural PIN + offset) mod 10 digit by digit.
    public func pin(offset: String) -> String {
        let o = PinDigits.values(offset)
        return PinDigits.string(zip(o, decimalized).map { ($0 + $1) % 10 })
    }

    /// The decimalized digits of the enciphered validation data (all 16), for tests.
    public var decimalizedDigits: String { PinDigits.string(decimalized) }
}
