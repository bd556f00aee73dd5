/// The AS 2805.6 transaction PIN key (KPE) derived from a terminal's KPP, the system trace audit
/// number and the transaction amount (AS 2805.6; AWS sample `as2805_3_1_pin_translation.py`).
///
/// D = STAN (6 digits) left-justified in 8 bytes ‖ amount (12 digits) right-justified in 8 bytes,
/// zero-filled nibbles; MAC = last block of TDES-CBC(KPP, D, IV 0);
/// KPE = TDES-CBC(KPP, D, IV MAC) XOR D (16 bytes, a TDES_2KEY).
public enum AS2805PinKey {
    /// The KPE for a TDES KPP.
    /// - Throws: ``PinError`` naming `stanField` or `amountField` when they are not 6 and 12 digits.
    public static func kpe(kpp: TripleDES, stan: String, amount: String,
                           stanField: String, amountField: String) throws(PinError) -> PinWorkingKey {
        let s = try PinDigits.decimal(stan, stanField, count: 6...6)
        let a = try PinDigits.decimal(amount, amountField, count: 12...12)
        guard let d = Bytes.fromHex(s + "0000000000" + "0000" + a) else {
            throw .field(stanField, "\(stanField) must be decimal digits.")
        }
        do {
            let mac = Array(try kpp.encryptCBC(d).suffix(8))
            let kpe = Bytes.xor(try kpp.encryptCBC(d, iv: mac), d)
            return try PinWorkingKey(bytes: kpe, isTDES: true)
        } catch let e as PinError {
            throw e
        } catch {
            throw PinError(.keyAlgorithmInvalid, field: nil, message: "The KPP cannot derive an AS 2805 PIN key.")
        }
    }
}
