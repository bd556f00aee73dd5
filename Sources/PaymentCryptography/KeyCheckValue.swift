/// Key check values as AWS Payment Cryptography computes them.
public enum KeyCheckValue {
    /// The KCV methods (AWS's `KeyCheckValueAlgorithm`, less `SHA_1`, which AWS does not define).
    public enum Method: String, Sendable, CaseIterable {
        /// TDES: the first bytes of TDES-ECB(key, 8 zero bytes) (ANSI X9.24-1).
        case ansiX924 = "ANSI_X9_24"
        /// The first bytes of CMAC(key, one zero block): AES-CMAC for AES, TDES-CMAC for TDES.
        case cmac = "CMAC"
        /// The first bytes of HMAC(key, empty message) with the key's hash.
        case hmac = "HMAC"
    }

    /// The key check value of a TDES key, 3 bytes by default.
    public static func tdes(_ key: [UInt8], method: Method = .ansiX924, length: Int = 3) throws(PaymentCryptographyError) -> [UInt8] {
        let tdes = try TripleDES(key: key)
        switch method {
        case .ansiX924: return Array(Bytes.bytes(tdes.encrypt(block: 0)).prefix(length))
        case .cmac: return Array(TDESCMAC(key: tdes).mac([UInt8](repeating: 0, count: 8)).prefix(length))
        case .hmac: throw .invalidParameter("the HMAC check value is for HMAC keys")
        }
    }

    /// The key check value of an AES key: AES-CMAC of 16 zero bytes, 3 bytes by default.
    public static func aes(_ key: [UInt8], length: Int = 3) throws(PaymentCryptographyError) -> [UInt8] {
        Array(try AESKey(key: key).cmac([UInt8](repeating: 0, count: 16)).prefix(length))
    }

    /// The key check value of an HMAC key: HMAC(key, empty message), 3 bytes by default.
    public static func hmac(_ key: [UInt8], hash: HMACHash, length: Int = 3) -> [UInt8] {
        Array(HMACAlgorithm.authenticationCode(hash: hash, key: key, message: []).prefix(length))
    }
}
