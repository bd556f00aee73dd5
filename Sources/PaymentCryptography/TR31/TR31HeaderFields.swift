// The fixed header fields of a TR-31 / ANSI X9.143 key block as typed values. Each is an open set:
// the standard's values are named constants, and any other value of the right shape (ASCII letters
// and digits; numeric values are reserved for proprietary use) is kept as it is.

/// Key usage (header characters 5–6): the function of the wrapped key.
public struct TR31KeyUsage: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The two characters, e.g. `P0`.
    public let rawValue: String

    /// Accepts any two ASCII letters or digits.
    public init?(rawValue: String) {
        guard TR31Text.isAlphanumeric(rawValue, count: 2) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// The two characters.
    public var description: String { rawValue }

    /// `B0` base derivation key (BDK).
    public static let baseDerivationKey = TR31KeyUsage(known: "B0")
    /// `B1` initial DUKPT key.
    public static let initialDUKPTKey = TR31KeyUsage(known: "B1")
    /// `B2` base key variant key.
    public static let baseKeyVariantKey = TR31KeyUsage(known: "B2")
    /// `C0` card verification key (CVK).
    public static let cardVerificationKey = TR31KeyUsage(known: "C0")
    /// `D0` symmetric key for data encryption.
    public static let dataEncryption = TR31KeyUsage(known: "D0")
    /// `D1` asymmetric key for data encryption.
    public static let asymmetricDataEncryption = TR31KeyUsage(known: "D1")
    /// `D2` data encryption key for a decimalisation table.
    public static let decimalizationTableEncryption = TR31KeyUsage(known: "D2")
    /// `E0` EMV issuer master key: application cryptograms.
    public static let emvApplicationCryptograms = TR31KeyUsage(known: "E0")
    /// `E1` EMV issuer master key: secure messaging for confidentiality.
    public static let emvSecureMessagingConfidentiality = TR31KeyUsage(known: "E1")
    /// `E2` EMV issuer master key: secure messaging for integrity.
    public static let emvSecureMessagingIntegrity = TR31KeyUsage(known: "E2")
    /// `E3` EMV issuer master key: data authentication code.
    public static let emvDataAuthenticationCode = TR31KeyUsage(known: "E3")
    /// `E4` EMV issuer master key: dynamic numbers.
    public static let emvDynamicNumbers = TR31KeyUsage(known: "E4")
    /// `E5` EMV issuer master key: card personalisation.
    public static let emvCardPersonalization = TR31KeyUsage(known: "E5")
    /// `E6` EMV issuer master key: other.
    public static let emvOther = TR31KeyUsage(known: "E6")
    /// `I0` initialisation vector.
    public static let initializationVector = TR31KeyUsage(known: "I0")
    /// `K0` key encryption or wrapping key.
    public static let keyEncryption = TR31KeyUsage(known: "K0")
    /// `K1` TR-31 key block protection key.
    public static let keyBlockProtection = TR31KeyUsage(known: "K1")
    /// `K2` TR-34 asymmetric key.
    public static let tr34Asymmetric = TR31KeyUsage(known: "K2")
    /// `K3` asymmetric key for key agreement or key wrapping.
    public static let keyAgreement = TR31KeyUsage(known: "K3")
    /// `M0` ISO 16609 MAC algorithm 1 (TDEA).
    public static let macISO16609 = TR31KeyUsage(known: "M0")
    /// `M1` ISO 9797-1 MAC algorithm 1.
    public static let macISO9797Algorithm1 = TR31KeyUsage(known: "M1")
    /// `M2` ISO 9797-1 MAC algorithm 2.
    public static let macISO9797Algorithm2 = TR31KeyUsage(known: "M2")
    /// `M3` ISO 9797-1 MAC algorithm 3 (retail MAC).
    public static let macISO9797Algorithm3 = TR31KeyUsage(known: "M3")
    /// `M4` ISO 9797-1 MAC algorithm 4.
    public static let macISO9797Algorithm4 = TR31KeyUsage(known: "M4")
    /// `M5` ISO 9797-1:1999 MAC algorithm 5.
    public static let macISO9797Algorithm5 = TR31KeyUsage(known: "M5")
    /// `M6` ISO 9797-1:2011 MAC algorithm 5 (CMAC).
    public static let macCMAC = TR31KeyUsage(known: "M6")
    /// `M7` HMAC.
    public static let macHMAC = TR31KeyUsage(known: "M7")
    /// `M8` ISO 9797-1:2011 MAC algorithm 6.
    public static let macISO9797Algorithm6 = TR31KeyUsage(known: "M8")
    /// `P0` PIN encryption.
    public static let pinEncryption = TR31KeyUsage(known: "P0")
    /// `P1` PIN generation.
    public static let pinGeneration = TR31KeyUsage(known: "P1")
    /// `S0` asymmetric key pair for digital signature.
    public static let asymmetricSignature = TR31KeyUsage(known: "S0")
    /// `S1` asymmetric key pair, CA key.
    public static let asymmetricCertificateAuthority = TR31KeyUsage(known: "S1")
    /// `S2` asymmetric key pair, non-X9.24 key.
    public static let asymmetricNonX924 = TR31KeyUsage(known: "S2")
    /// `V0` PIN verification, KPV, other algorithm.
    public static let pinVerificationOther = TR31KeyUsage(known: "V0")
    /// `V1` PIN verification, IBM 3624.
    public static let pinVerificationIBM3624 = TR31KeyUsage(known: "V1")
    /// `V2` PIN verification, Visa PVV.
    public static let pinVerificationVisaPVV = TR31KeyUsage(known: "V2")
    /// `V3` PIN verification, X9.132 algorithm 1.
    public static let pinVerificationX9132Algorithm1 = TR31KeyUsage(known: "V3")
    /// `V4` PIN verification, X9.132 algorithm 2.
    public static let pinVerificationX9132Algorithm2 = TR31KeyUsage(known: "V4")
}

/// Algorithm (header character 7): the algorithm the wrapped key may be used with.
public struct TR31Algorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The character, e.g. `T`.
    public let rawValue: String

    /// Accepts any one ASCII letter or digit.
    public init?(rawValue: String) {
        guard TR31Text.isAlphanumeric(rawValue, count: 1) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// The character.
    public var description: String { rawValue }

    /// `A` AES.
    public static let aes = TR31Algorithm(known: "A")
    /// `D` single DES (backwards compatibility).
    public static let des = TR31Algorithm(known: "D")
    /// `E` elliptic curve.
    public static let ellipticCurve = TR31Algorithm(known: "E")
    /// `H` HMAC (the hash is in optional block `HM`).
    public static let hmac = TR31Algorithm(known: "H")
    /// `R` RSA.
    public static let rsa = TR31Algorithm(known: "R")
    /// `S` DSA.
    public static let dsa = TR31Algorithm(known: "S")
    /// `T` triple DES.
    public static let tdes = TR31Algorithm(known: "T")
}

/// Mode of use (header character 8): the operations the wrapped key may perform.
public struct TR31ModeOfUse: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The character, e.g. `C`.
    public let rawValue: String

    /// Accepts any one ASCII letter or digit.
    public init?(rawValue: String) {
        guard TR31Text.isAlphanumeric(rawValue, count: 1) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// The character.
    public var description: String { rawValue }

    /// `B` both encrypt and decrypt (wrap and unwrap).
    public static let encryptDecrypt = TR31ModeOfUse(known: "B")
    /// `C` both generate and verify.
    public static let generateVerify = TR31ModeOfUse(known: "C")
    /// `D` decrypt (unwrap) only.
    public static let decryptOnly = TR31ModeOfUse(known: "D")
    /// `E` encrypt (wrap) only.
    public static let encryptOnly = TR31ModeOfUse(known: "E")
    /// `G` generate only.
    public static let generateOnly = TR31ModeOfUse(known: "G")
    /// `N` no special restrictions beyond those of the key usage.
    public static let noRestrictions = TR31ModeOfUse(known: "N")
    /// `S` signature only.
    public static let signatureOnly = TR31ModeOfUse(known: "S")
    /// `T` both sign and decrypt.
    public static let signDecrypt = TR31ModeOfUse(known: "T")
    /// `V` verify only.
    public static let verifyOnly = TR31ModeOfUse(known: "V")
    /// `X` derive other keys.
    public static let deriveKeys = TR31ModeOfUse(known: "X")
    /// `Y` create key variants.
    public static let createVariants = TR31ModeOfUse(known: "Y")
}

/// Key version number (header characters 9–10). `00` means versioning is not used; a first
/// character `c` marks the wrapped key as a key component, the second giving its number.
public struct TR31KeyVersionNumber: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The two characters.
    public let rawValue: String

    /// Accepts any two ASCII letters or digits.
    public init?(rawValue: String) {
        guard TR31Text.isAlphanumeric(rawValue, count: 2) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// The two characters.
    public var description: String { rawValue }

    /// `00`: key versioning is not used.
    public static let unused = TR31KeyVersionNumber(known: "00")

    /// True when the block carries a key component (first character `c`).
    public var isComponent: Bool { rawValue.utf8.first == UInt8(ascii: "c") }
}

/// Exportability (header character 11): whether the wrapped key may leave its cryptographic domain.
public struct TR31Exportability: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The character, e.g. `E`.
    public let rawValue: String

    /// Accepts any one ASCII letter or digit.
    public init?(rawValue: String) {
        guard TR31Text.isAlphanumeric(rawValue, count: 1) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// The character.
    public var description: String { rawValue }

    /// `E` exportable under a KEK in a form that meets X9.24.
    public static let exportable = TR31Exportability(known: "E")
    /// `N` non-exportable.
    public static let nonExportable = TR31Exportability(known: "N")
    /// `S` sensitive: exportable under a KEK in a form that need not meet X9.24.
    public static let sensitive = TR31Exportability(known: "S")
}

/// Key context (header character 14, ANSI X9.143:2021; TR-31:2018 had `0` reserved here).
public struct TR31KeyContext: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The character, e.g. `0`.
    public let rawValue: String

    /// Accepts any one ASCII letter or digit.
    public init?(rawValue: String) {
        guard TR31Text.isAlphanumeric(rawValue, count: 1) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// The character.
    public var description: String { rawValue }

    /// `0`: determined by the wrapping key.
    public static let determinedByWrappingKey = TR31KeyContext(known: "0")
    /// `1`: storage context only.
    public static let storage = TR31KeyContext(known: "1")
    /// `2`: key exchange context only.
    public static let exchange = TR31KeyContext(known: "2")
}
