/// The Visa CVV / Mastercard CVC method (IBM CCA "CVV and CVC method"; Visa's published CVV
/// example): CVV1, CVV2 (service code `000`), iCVV (service code `999`) and, keyed by the card
/// key, the Visa dCVV.
public enum VisaCVV {
    /// The 16 decimalised digits whose first N are the CVV.
    /// - Parameters:
    ///   - cvk: the 16-byte card verification key K1‖K2 (a 24-byte key is used as K1‖K2‖K3).
    ///   - data: 32 nibbles (decimal or hex digits), D = PAN‖expiry‖service code, `0`-padded.
    /// - Throws: ``CardValidationError/Kind/keyAlgorithmInvalid`` for a key that is not TDES.
    static func digits(cvk: [UInt8], data: String) throws(CardValidationError) -> String {
        let block = CardDigits.packed(CardDigits.rightPadded(data, count: 32))
        guard block.count == 16 else { throw .field("PrimaryAccountNumber", "The card data does not fit one CVV block.") }
        let ka: DES, full: TripleDES
        do {
            ka = try DES(key: cvk.prefix(8))
            full = try TripleDES(key: cvk)
        } catch {
            throw CardValidationError(.keyAlgorithmInvalid, field: nil, message: "The key is not a TDES key.")
        }
        // R = TDES(CVK, DES(KA, B1) xor B2).
        let r = full.encrypt(block: ka.encrypt(block: Bytes.uint64(block, at: 0)) ^ Bytes.uint64(block, at: 8))
        return VisaDecimalization.decimalize(Bytes.bytes(r))
    }

    /// CVV digits for PAN, expiry and service code (step 1 of the method).
    public static func digits(cvk: [UInt8], pan: String, expiryDate: String, serviceCode: String) throws(CardValidationError) -> String {
        try digits(cvk: cvk, data: pan + expiryDate + serviceCode)
    }
}

/// Visa decimalisation (IBM CCA "CVV and CVC method"): of a block's 16 hex digits, the digits
/// 0-9 left to right, then the letters A-F left to right as 0-5.
public enum VisaDecimalization {
    /// The 16 decimal digits of an 8-byte block.
    public static func decimalize(_ block: [UInt8]) -> String {
        let nibbles = block.flatMap { [$0 >> 4, $0 & 0xF] }
        let digits = nibbles.filter { $0 < 10 } + nibbles.filter { $0 >= 10 }.map { $0 - 10 }
        return String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
    }
}
