/// GenerateCardValidationData and VerifyCardValidationData on clear key bytes: field checks,
/// the algorithm of each member, and the truncation to `ValidationDataLength` digits.
public enum CardValidation {
    /// `ValidationDataLength` when the request has none (AWS API reference: default 3).
    public static let defaultLength = 3
    /// The lengths the model allows for `ValidationDataLength` and `ValidationData`.
    public static let lengths = 3...5

    /// Generates the value of `length` digits (default 3).
    /// - Parameters:
    ///   - key: the CVK, CSCK or issuer master key bytes (TDES).
    ///   - attributes: the member and its fields; `root` names the union in error paths.
    ///   - pan: the PAN (12 to 19 digits).
    /// - Throws: ``CardValidationError`` naming the field at fault, before any cryptography.
    public static func generate(key: [UInt8], attributes: CardValidationAttributes, pan: String, length: Int?,
                                root: String = "GenerationAttributes") throws(CardValidationError) -> String {
        let n = length ?? defaultLength
        guard lengths.contains(n) else { throw .field("ValidationDataLength", "ValidationDataLength must be between 3 and 5.") }
        return try value(key: key, attributes: attributes, pan: pan, length: n, root: root)
    }

    /// Verifies `validationData`: recomputes the value of its length and compares in constant time.
    /// - Throws: ``CardValidationError/Kind/verificationFailed`` when it differs; other kinds for bad input.
    public static func verify(key: [UInt8], attributes: CardValidationAttributes, pan: String, validationData: String,
                              root: String = "VerificationAttributes") throws(CardValidationError) {
        let given = try CardDigits.decimal(validationData, "ValidationData", count: lengths)
        let expected = try value(key: key, attributes: attributes, pan: pan, length: given.utf8.count, root: root)
        var diff: UInt8 = 0
        for (a, b) in zip(expected.utf8, given.utf8) { diff |= a ^ b }
        guard diff == 0, expected.utf8.count == given.utf8.count else {
            throw CardValidationError(.verificationFailed, field: nil, message: CardValidationError.verificationFailedMessage)
        }
    }

    static func value(key: [UInt8], attributes: CardValidationAttributes, pan rawPan: String, length n: Int,
                      root: String) throws(CardValidationError) -> String {
        let pan = try CardDigits.decimal(rawPan, "PrimaryAccountNumber", count: 12...19)
        let path = "\(root).\(attributes.memberName)"
        func expiry(_ v: String) throws(CardValidationError) -> String { try CardDigits.decimal(v, "\(path).CardExpiryDate", count: 4...4) }
        func service(_ v: String) throws(CardValidationError) -> String { try CardDigits.decimal(v, "\(path).ServiceCode", count: 3...3) }
        func psn(_ v: String) throws(CardValidationError) -> String { try CardDigits.decimal(v, "\(path).PanSequenceNumber", count: 2...2) }
        func atc(_ v: String) throws(CardValidationError) -> String {
            CardDigits.leftPadded(try CardDigits.hex(v, "\(path).ApplicationTransactionCounter", count: 2...4), width: 4)
        }
        func un(_ v: String) throws(CardValidationError) -> [UInt8] {
            CardDigits.packed(CardDigits.leftPadded(try CardDigits.hex(v, "\(path).UnpredictableNumber", count: 2...8), width: 8))
        }

        let full: String
        switch attributes {
        case .cardVerificationValue1(let e, let s):
            full = try VisaCVV.digits(cvk: key, pan: pan, expiryDate: try expiry(e), serviceCode: try service(s))
        case .cardVerificationValue2(let e):
            // CVV2 is the CVV with service code 000 (AWS payShield mapping).
            full = try VisaCVV.digits(cvk: key, pan: pan, expiryDate: try expiry(e), serviceCode: "000")
        case .amexCardSecurityCodeVersion1(let e):
            return try amex(key: key, pan: pan, expiryDate: try expiry(e), serviceCode: nil, length: n)
        case .amexCardSecurityCodeVersion2(let e, let s):
            return try amex(key: key, pan: pan, expiryDate: try expiry(e), serviceCode: try service(s), length: n)
        case .dynamicCardVerificationValue(let p, let e, let s, let a):
            let (exp, sc, counter) = (try expiry(e), try service(s), try atc(a))
            let udk = try cardKey(key, pan: pan, psn: try psn(p))
            // D = ATC ‖ PAN from its fifth digit ‖ expiry ‖ service code.
            full = try VisaCVV.digits(cvk: udk, data: counter + String(pan.dropFirst(4)) + exp + sc)
        case .dynamicCardVerificationCode(let u, let p, let a, let t):
            let (unBytes, counter) = (try un(u), try atc(a))
            let track = try CardDigits.hex(t, "\(path).TrackData", count: 2...160)
            let udk = try cardKey(key, pan: pan, psn: try psn(p))
            full = try CVC3.value(cardKey: udk, template: CardDigits.packed(track), unpredictableNumber: unBytes,
                                  atc: CardDigits.packed(counter))
        case .cardHolderVerificationValue(let u, let p, let a):
            let (unBytes, counter) = (try un(u), try atc(a))
            let udk = try cardKey(key, pan: pan, psn: try psn(p))
            full = try CVC3.value(cardKey: udk, template: CardDigits.packed(pan), unpredictableNumber: unBytes,
                                  atc: CardDigits.packed(counter))
        case .discoverDynamicCardVerificationCode(let e, let u, let a):
            let (exp, unBytes, counter) = (try expiry(e), try un(u), try atc(a))
            // README Decisions: PSN 00, template PAN ‖ D ‖ expiry.
            let udk = try cardKey(key, pan: pan, psn: "00")
            full = try CVC3.value(cardKey: udk, template: CardDigits.packed(pan + "D" + exp), unpredictableNumber: unBytes,
                                  atc: CardDigits.packed(counter))
        }
        switch attributes.truncation {
        case .leftmost: return String(full.prefix(n))
        case .rightmost, .amexCode: return String(full.suffix(n))
        }
    }

    static func amex(key: [UInt8], pan: String, expiryDate: String, serviceCode: String?, length: Int) throws(CardValidationError) -> String {
        let codes = try AmexCSC.codes(key: key, pan: pan, expiryDate: expiryDate, serviceCode: serviceCode)
        guard let code = codes.code(length: length) else {
            throw .field("ValidationDataLength", "ValidationDataLength must be between 3 and 5.")
        }
        return code
    }

    /// The card key: EMV 4.3 Book 2 A1.4.1 option A for a PAN of any length (README Decisions).
    static func cardKey(_ issuerMasterKey: [UInt8], pan: String, psn: String) throws(CardValidationError) -> [UInt8] {
        do {
            return try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: issuerMasterKey, pan: pan, psn: psn)
        } catch {
            throw CardValidationError(.keyAlgorithmInvalid, field: nil, message: "The key is not a TDES key.")
        }
    }
}
