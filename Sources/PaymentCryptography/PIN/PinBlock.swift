/// The plain PIN field and PAN field of each ``PinBlockFormat`` (ISO 9564-1:2017 §9.3), and the
/// decoding of a plain PIN field with every check of the standard: control nibble, PIN length
/// 4..12, PIN digits 0..9, fill digits of the format.
public enum PinBlock {
    /// The plain PIN field: 8 bytes for the TDES formats, 16 bytes for format 4. The random fill
    /// of formats 1, 3 and 4 is drawn from `generator` (the system CSPRNG in the service).
    /// - Throws: ``PinError`` naming `field` when the PIN is not 4 to 12 decimal digits.
    public static func pinField(pin: String, format: PinBlockFormat, field: String,
                                using generator: inout some RandomNumberGenerator) throws(PinError) -> [UInt8] {
        let digits = PinDigits.values(try PinDigits.decimal(pin, field, count: PinDigits.pinLengths))
        var nibbles: [UInt8] = [format.controlNibble, UInt8(digits.count)] + digits
        switch format {
        case .isoFormat0, .as2805Format0:
            while nibbles.count < 16 { nibbles.append(0xF) }
        case .isoFormat1:
            while nibbles.count < 16 { nibbles.append(UInt8.random(in: 0...15, using: &generator)) }
        case .isoFormat3:
            while nibbles.count < 16 { nibbles.append(UInt8.random(in: 0xA...0xF, using: &generator)) }
        case .isoFormat4:
            while nibbles.count < 16 { nibbles.append(0xA) }
            while nibbles.count < 32 { nibbles.append(UInt8.random(in: 0...15, using: &generator)) }
        }
        return pack(nibbles)
    }

    /// ``pinField(pin:format:field:using:)`` with the system CSPRNG.
    public static func pinField(pin: String, format: PinBlockFormat, field: String) throws(PinError) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return try pinField(pin: pin, format: format, field: field, using: &generator)
    }

    /// The PAN field of a format that binds the PAN (checked to be 12 to 19 digits).
    ///
    /// Formats 0, 3 and AS 2805 0: `0000` and the 12 rightmost PAN digits without the check
    /// digit, zero-filled on the left (8 bytes). Format 4: `M` = PAN length − 12, the whole PAN,
    /// zeros to 32 nibbles (16 bytes; README Decisions, "PIN: ISO format 4 PAN field").
    /// - Throws: ``PinError`` naming `field` when the PAN is missing or malformed.
    public static func panField(pan: String?, format: PinBlockFormat, field: String) throws(PinError) -> [UInt8] {
        let pan = try PinDigits.pan(pan, field)
        let digits = PinDigits.values(pan)
        if format == .isoFormat4 {
            var nibbles = [UInt8(digits.count - 12)] + digits
            while nibbles.count < 32 { nibbles.append(0) }
            return pack(nibbles)
        }
        let account = Array(digits.dropLast().suffix(12))
        return pack([UInt8](repeating: 0, count: 16 - account.count) + account)
    }

    /// Decodes a plain PIN field (8 bytes, or 16 for format 4) to the PIN.
    /// - Throws: ``PinError`` of kind ``PinError/Kind/invalidPinBlock`` naming `field` when the
    ///   length, control nibble, PIN length, PIN digits or fill do not fit the format.
    public static func pin(fromField block: [UInt8], format: PinBlockFormat, field: String) throws(PinError) -> String {
        guard block.count == (format == .isoFormat4 ? 16 : 8) else { throw .invalidBlock(field) }
        let nibbles = unpack(block)
        guard nibbles[0] == format.controlNibble else { throw .invalidBlock(field) }
        let length = Int(nibbles[1])
        guard PinDigits.pinLengths.contains(length) else { throw .invalidBlock(field) }
        let pin = nibbles[2..<(2 + length)]
        guard pin.allSatisfy({ $0 <= 9 }) else { throw .invalidBlock(field) }
        let fill = nibbles[(2 + length)..<16]
        let fillOK = switch format {
        case .isoFormat0, .as2805Format0: fill.allSatisfy { $0 == 0xF }
        case .isoFormat1: true
        case .isoFormat3: fill.allSatisfy { $0 >= 0xA }
        case .isoFormat4: fill.allSatisfy { $0 == 0xA }
        }
        guard fillOK else { throw .invalidBlock(field) }
        return PinDigits.string(Array(pin))
    }

    /// Nibbles (even count) packed two per byte.
    static func pack(_ nibbles: [UInt8]) -> [UInt8] {
        stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    /// Bytes split into nibbles, high first.
    static func unpack(_ bytes: [UInt8]) -> [UInt8] {
        bytes.flatMap { [$0 >> 4, $0 & 0xF] }
    }
}
