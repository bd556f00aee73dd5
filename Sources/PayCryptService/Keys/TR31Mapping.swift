import PayCryptModel
import PayCryptStore
import PaymentCryptography

/// The correspondence between TR-31 header fields and AWS KeyAttributes.
enum TR31Mapping {
    /// AWS KeyUsage names carry the TR-31 usage code: `TR31_M3_...` is `M3`.
    static func usageCode(_ awsUsage: String) -> String? {
        let parts = awsUsage.split(separator: "_")
        guard parts.count >= 2, parts[0] == "TR31", parts[1].count == 2 else { return nil }
        return String(parts[1])
    }

    /// The AWS KeyUsage of a TR-31 usage code.
    static func awsUsage(_ code: String) -> String? {
        ControlPlane.KeyUsage.allCases.first { usageCode($0.rawValue) == code }?.rawValue
    }

    /// `HM` optional block values of ANSI X9.143 for the HMAC hash.
    static let hmacHashCodes: [String: KeyAlgorithm] = ["20": .HMAC_SHA224, "21": .HMAC_SHA256, "22": .HMAC_SHA384, "23": .HMAC_SHA512]

    /// The AWS KeyAlgorithm of a block's algorithm letter and key length (`HM` block for HMAC).
    static func awsAlgorithm(_ header: TR31Header, keyLength: Int) -> KeyAlgorithm? {
        switch header.algorithm {
        case .tdes: return keyLength == 16 ? .TDES_2KEY : keyLength == 24 ? .TDES_3KEY : nil
        case .aes: return KeyAlgorithm.allCases.first { $0.isAES && $0.keyByteCounts.contains(keyLength) }
        case .hmac: return header.optionalBlockData(.hmacHash).flatMap { hmacHashCodes[$0] }
        default: return nil
        }
    }

    /// The TR-31 algorithm letter (and `HM` block) of an AWS key algorithm.
    static func tr31Algorithm(_ algorithm: KeyAlgorithm) -> (TR31Algorithm, hm: String?) {
        if algorithm.isTDES { return (.tdes, nil) }
        if algorithm.isAES { return (.aes, nil) }
        return (.hmac, hmacHashCodes.first { $0.value == algorithm }?.key)
    }

    /// AWS modes of use for a TR-31 mode of use letter.
    static func modes(_ mode: TR31ModeOfUse) -> KeyModes? {
        switch mode {
        case .encryptDecrypt: KeyModes(encrypt: true, decrypt: true, wrap: true, unwrap: true)
        case .encryptOnly: KeyModes(encrypt: true, wrap: true)
        case .decryptOnly: KeyModes(decrypt: true, unwrap: true)
        case .generateVerify: KeyModes(generate: true, verify: true)
        case .generateOnly: KeyModes(generate: true)
        case .verifyOnly: KeyModes(verify: true)
        case .deriveKeys: KeyModes(deriveKey: true)
        case .noRestrictions: KeyModes(noRestrictions: true)
        case .signatureOnly: KeyModes(sign: true)
        default: nil
        }
    }

    /// The TR-31 mode of use letter for AWS modes of use.
    static func modeOfUse(_ m: KeyModes) -> TR31ModeOfUse? {
        for candidate in [TR31ModeOfUse.noRestrictions, .encryptDecrypt, .encryptOnly, .decryptOnly, .generateVerify,
                          .generateOnly, .verifyOnly, .deriveKeys, .signatureOnly] where modes(candidate) == m {
            return candidate
        }
        return nil
    }
}
