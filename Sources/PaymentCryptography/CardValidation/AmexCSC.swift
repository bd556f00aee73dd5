/// The American Express card security code, versions 1 and 2 (README Decisions: American Express
/// does not publish it; this follows the payShield `RY` command as the open-source Thales
/// simulator implements it, with version 2 chained as CBC). One computation yields CSC5, CSC4
/// and CSC3, as payShield `RY` and IBM CCA `CSC-345` do.
public enum AmexCSC {
    /// The three codes of one computation.
    public struct Codes: Sendable, Equatable {
        /// 5 digits.
        public let csc5: String
        /// 4 digits.
        public let csc4: String
        /// 3 digits.
        public let csc3: String

        /// The code of `length` digits (3, 4 or 5).
        public func code(length: Int) -> String? {
            switch length {
            case 3: csc3
            case 4: csc4
            case 5: csc5
            default: nil
            }
        }
    }

    /// Computes the codes.
    /// - Parameters:
    ///   - key: the 16- or 24-byte CSC key.
    ///   - pan, expiryDate: decimal digits; `serviceCode`: 3 digits for version 2, nil for version 1.
    /// - Throws: ``CardValidationError/Kind/keyAlgorithmInvalid`` for a key that is not TDES.
    public static func codes(key: [UInt8], pan: String, expiryDate: String, serviceCode: String?) throws(CardValidationError) -> Codes {
        let tdes: TripleDES
        do { tdes = try TripleDES(key: key) } catch {
            throw CardValidationError(.keyAlgorithmInvalid, field: nil, message: "The key is not a TDES key.")
        }
        // 1. P = PAN right-padded with 0 to 14 digits, digits 3..14.
        let p = String(CardDigits.rightPadded(pan, count: 14).dropFirst(2).prefix(12))
        // 2. B = expiry ‖ P for PANs starting 37, else P ‖ expiry.
        let b = CardDigits.packed(pan.hasPrefix("37") ? expiryDate + p : p + expiryDate)
        guard b.count == 8 else { throw .field("PrimaryAccountNumber", "The card data does not fit one CSC block.") }
        // 3. Version 1: R = TDES(B); version 2: R = TDES(TDES(B) xor S), S = service code ‖ 13 zeros.
        var r = tdes.encrypt(block: Bytes.uint64(b, at: 0))
        if let serviceCode {
            let s = CardDigits.packed(CardDigits.rightPadded(serviceCode, count: 16))
            r = tdes.encrypt(block: r ^ Bytes.uint64(s, at: 0))
        }
        let digits = Self.digits(Bytes.bytes(r))
        func slice(_ from: Int, _ count: Int) -> String { String(decoding: digits[from..<(from + count)], as: UTF8.self) }
        // 5. CSC5 = digits 1-5, CSC4 = digits 6-9, CSC3 = digits 10-12.
        return Codes(csc5: slice(0, 5), csc4: slice(5, 4), csc3: slice(9, 3))
    }

    /// Step 4: the decimal digits left to right; then, from position 0 until there are 12, each
    /// letter at position i as A=1 ... F=6, plus 5 mod 10 when i >= 5.
    static func digits(_ block: [UInt8]) -> [UInt8] {
        let nibbles = block.flatMap { [$0 >> 4, $0 & 0xF] }
        var out = nibbles.filter { $0 < 10 }
        var i = 0
        while out.count < 12, i < nibbles.count {
            let n = nibbles[i]
            if n >= 10 {
                let v = n - 9
                out.append(i >= 5 ? (v + 5) % 10 : v)
            }
            i += 1
        }
        return out.prefix(12).map { $0 + UInt8(ascii: "0") }
    }
}
