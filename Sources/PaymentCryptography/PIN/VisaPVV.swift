/// The Visa PIN Verification Value (Visa PIN verification; the algorithm of psec's
/// `generate_visa_pvv`): TSP = the 11 rightmost PAN digits without the check digit ‖ PVKI ‖ the
/// 4 leftmost PIN digits; C = TDES-ECB(PVK, TSP); the PVV is the first 4 decimal digits of C read
/// left to right, then, if fewer, its letters A..F as 0..5.
public enum VisaPVV {
    /// The 4-digit PVV. A PIN longer than 4 digits uses its 4 leftmost (README Decisions, "PIN: Visa PVV
    /// of a long PIN").
    /// - Throws: ``PinError`` naming the field when the PIN, PAN or PVKI is malformed.
    public static func pvv(key: TripleDES, pin: String, pan: String, pvki: Int,
                           pinField: String, panField: String, pvkiField: String) throws(PinError) -> String {
        let pin = try PinDigits.decimal(pin, pinField, count: PinDigits.pinLengths)
        let pan = try PinDigits.pan(pan, panField)
        guard (0...9).contains(pvki) else { throw .field(pvkiField, "\(pvkiField) must be one decimal digit.") }
        let tsp = String(pan.dropLast().suffix(11)) + String(pvki) + String(pin.prefix(4))
        guard let tspBytes = Bytes.fromHex(tsp) else { throw .field(panField, "\(panField) must be decimal digits.") }
        // Visa decimalization (digits, then letters A..F as 0..5), shared with the CVV.
        return String(VisaDecimalization.decimalize(Bytes.bytes(key.encrypt(block: Bytes.uint64(tspBytes, at: 0)))).prefix(4))
    }
}
