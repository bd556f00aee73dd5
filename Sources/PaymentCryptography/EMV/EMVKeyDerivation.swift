import Crypto

/// EMV key derivations (EMV 4.x Book 2 Annex A1.3, A1.4): the ICC master key from the issuer
/// master key, and the session keys that AWS's `SessionKeyDerivationMode` names.
/// Derived keys get odd parity on every byte, as issuers' HSMs produce them.
public enum EMVKeyDerivation {
    /// ICC master key, option A (A1.4.1): Y = the rightmost 16 digits of PAN‖PSN.
    /// - Parameters:
    ///   - issuerMasterKey: a 16- or 24-byte TDES key.
    ///   - pan: the PAN digits; `psn`: the two PAN sequence number digits.
    /// - Throws: ``PaymentCryptographyError`` for a bad key or non-digit input.
    public static func iccMasterKeyOptionA(issuerMasterKey: [UInt8], pan: String, psn: String) throws(PaymentCryptographyError) -> [UInt8] {
        let digits = try digitsOnly(pan + psn)
        let y = String(repeating: "0", count: max(0, 16 - digits.count)) + digits.suffix(16)
        return try masterKey(from: y, issuerMasterKey: issuerMasterKey)
    }

    /// ICC master key, option B (A1.4.2), for PANs longer than 16 digits: Y is decimalised
    /// from SHA-1 of PAN‖PSN. For 16 digits or fewer it is option A, as the standard says.
    public static func iccMasterKeyOptionB(issuerMasterKey: [UInt8], pan: String, psn: String) throws(PaymentCryptographyError) -> [UInt8] {
        guard pan.count > 16 else { return try iccMasterKeyOptionA(issuerMasterKey: issuerMasterKey, pan: pan, psn: psn) }
        var x = try digitsOnly(pan + psn)
        if x.count % 2 == 1 { x = "0" + x }
        guard let packed = Bytes.fromHex(x) else { throw .invalidParameter("PAN") }
        let h = Bytes.hex(Insecure.SHA1.hash(data: packed))
        var y = String(h.filter { $0.isNumber }.prefix(16))
        if y.count < 16 {
            // The hex letters A..F, decimalised to 0..5, in order.
            let letters = h.utf8.filter { $0 >= UInt8(ascii: "A") }.map { Character(String($0 - UInt8(ascii: "A"))) }
            y += String(letters.prefix(16 - y.count))
        }
        return try masterKey(from: y, issuerMasterKey: issuerMasterKey)
    }

    private static func masterKey(from y: String, issuerMasterKey: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard let yBytes = Bytes.fromHex(y), yBytes.count == 8 else { throw .invalidParameter("PAN") }
        let imk = try TripleDES(key: issuerMasterKey)
        let yBlock = Bytes.uint64(yBytes, at: 0)
        return oddParity(Bytes.bytes(imk.encrypt(block: yBlock)) + Bytes.bytes(imk.encrypt(block: ~yBlock)))
    }

    private static func digitsOnly(_ s: String) throws(PaymentCryptographyError) -> String {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .invalidParameter("PAN and PAN sequence number must be decimal digits")
        }
        return s
    }

    /// EMV common session key derivation (A1.3.1): SK = TDES(MK)[R with byte 2 = F0] ‖ TDES(MK)[R with byte 2 = 0F].
    /// - Parameter r: the 8-byte diversification value (for secure messaging: the application cryptogram).
    public static func commonSessionKey(masterKey: [UInt8], r: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard r.count == 8 else { throw .invalidDataLength(r.count) }
        let mk = try TripleDES(key: masterKey)
        var left = r, right = r
        left[2] = 0xF0
        right[2] = 0x0F
        return oddParity(Bytes.bytes(mk.encrypt(block: Bytes.uint64(left, at: 0))) + Bytes.bytes(mk.encrypt(block: Bytes.uint64(right, at: 0))))
    }

    /// Visa secure-messaging session key: SK_L = MK_L ⊕ (0…0‖ATC), SK_R = MK_R ⊕ (0…0‖(ATC ⊕ FFFF)).
    public static func visaSessionKey(masterKey: [UInt8], atc: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard masterKey.count == 16 else { throw .invalidKeyLength(masterKey.count) }
        guard atc.count == 2 else { throw .invalidDataLength(atc.count) }
        var sk = masterKey
        sk[6] ^= atc[0]
        sk[7] ^= atc[1]
        sk[14] ^= ~atc[0]
        sk[15] ^= ~atc[1]
        return oddParity(sk)
    }

    /// The Mastercard proprietary AC session key (M/Chip CVN 16/17): the common session key
    /// derivation (A1.3.1) with R = ATC ‖ 0000 ‖ UN (README Decisions, "ARQC key per member").
    /// - Parameters:
    ///   - atc: the 2-byte application transaction counter; `unpredictableNumber`: the 4-byte UN.
    public static func mastercardSessionKey(masterKey: [UInt8], atc: [UInt8], unpredictableNumber: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard atc.count == 2 else { throw .invalidDataLength(atc.count) }
        guard unpredictableNumber.count == 4 else { throw .invalidDataLength(unpredictableNumber.count) }
        return try commonSessionKey(masterKey: masterKey, r: atc + [0, 0] + unpredictableNumber)
    }

    /// The UnionPay (PBOC 3.0 / UICS) AC session key: TDES_MK(00×6 ‖ ATC) ‖ TDES_MK(00×6 ‖ (ATC ⊕ FFFF)),
    /// odd parity forced (README Decisions, "ARQC key per member").
    public static func unionPaySessionKey(masterKey: [UInt8], atc: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard atc.count == 2 else { throw .invalidDataLength(atc.count) }
        let mk = try TripleDES(key: masterKey)
        let counter = UInt64(atc[0]) << 8 | UInt64(atc[1])
        return oddParity(Bytes.bytes(mk.encrypt(block: counter)) + Bytes.bytes(mk.encrypt(block: counter ^ 0xFFFF)))
    }

    /// The EMV2000 tree derivation (EMV 4.0 Book 2 A1.3) of the session key for an ATC.
    public static func emv2000SessionKey(masterKey: [UInt8], atc: [UInt8], branchFactor: Int = 4, height: Int = 8,
                                         iv: [UInt8] = [UInt8](repeating: 0, count: 16)) throws(PaymentCryptographyError) -> [UInt8] {
        guard masterKey.count == 16 else { throw .invalidKeyLength(masterKey.count) }
        guard atc.count == 2 else { throw .invalidDataLength(atc.count) }
        guard iv.count == 16, branchFactor >= 2, height >= 1 else { throw .invalidParameter("EMV2000 tree parameters") }
        let j = Int(atc[0]) << 8 | Int(atc[1])
        func f(_ x: [UInt8], _ y: [UInt8], _ j: Int) throws(PaymentCryptographyError) -> [UInt8] {
            let k = try TripleDES(key: x)
            let jm = UInt64(j % branchFactor)
            return Bytes.bytes(k.encrypt(block: Bytes.uint64(y, at: 0) ^ jm))
                + Bytes.bytes(k.encrypt(block: Bytes.uint64(y, at: 8) ^ jm ^ 0xF0))
        }
        func walk(_ j: Int, _ h: Int) throws(PaymentCryptographyError) -> (p: [UInt8], gp: [UInt8]) {
            if h == 0 { return (masterKey, iv) }
            let (p, gp) = try walk(j / branchFactor, h - 1)
            return (try f(p, gp, j), p)
        }
        let (p, gp) = try walk(j / branchFactor, height - 1)
        return oddParity(Bytes.xor(try f(p, gp, j), gp))
    }

    /// Sets odd parity on every byte (bit 0 is the parity bit of a DES key byte).
    public static func oddParity(_ key: [UInt8]) -> [UInt8] {
        key.map { b in
            let high = b & 0xFE
            return (high.nonzeroBitCount % 2 == 0) ? high | 1 : high
        }
    }
}

/// The EMV MAC: ISO/IEC 9797-1 algorithm 3 with padding method 2 under a session key.
public enum EMVMAC {
    /// The full 8-byte MAC of `message` under a 16- or 24-byte session key.
    public static func mac(sessionKey: [UInt8], message: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        try RetailMAC(tdesKey: sessionKey).mac(message, padding: .method2)
    }
}
