/// The Mastercard dynamic CVC3 (M/Chip / PayPass, as the AWS guide's DCVC3 section describes;
/// the construction of pyemv and jPOS): IVCVC3 from a MAC over the track template, then one TDES
/// block under the card key. CardHolderVerificationValue and the Discover dynamic code use the
/// same construction with other templates (README Decisions).
public enum CVC3 {
    /// The 5-digit CVC3 (the last 2 bytes of the cipher block as a decimal number).
    /// - Parameters:
    ///   - cardKey: the 16-byte ICC key (option A of the issuer master key).
    ///   - template: the track template bytes.
    ///   - unpredictableNumber: 4 bytes; `atc`: 2 bytes.
    /// - Throws: ``CardValidationError/Kind/keyAlgorithmInvalid`` for a key that is not TDES.
    public static func value(cardKey: [UInt8], template: [UInt8], unpredictableNumber: [UInt8], atc: [UInt8]) throws(CardValidationError) -> String {
        guard unpredictableNumber.count == 4, atc.count == 2 else {
            throw .field("ApplicationTransactionCounter", "The ATC must be 2 bytes and the unpredictable number 4 bytes.")
        }
        let mac: RetailMAC, tdes: TripleDES
        do {
            mac = try RetailMAC(tdesKey: cardKey)
            tdes = try TripleDES(key: cardKey)
        } catch {
            throw CardValidationError(.keyAlgorithmInvalid, field: nil, message: "The key is not a TDES key.")
        }
        // IVCVC3: the last 2 bytes of ISO/IEC 9797-1 MAC algorithm 3, padding method 2.
        let iv = mac.mac(template, padding: .method2).suffix(2)
        let x = tdes.encrypt(block: Bytes.uint64(Array(iv) + unpredictableNumber + atc, at: 0))
        let n = Int(x & 0xFFFF)
        let s = String(n)
        return String(repeating: "0", count: 5 - s.count) + s
    }
}
