/// The MAC choices of AWS's `MacAttributes` union, in AWS's own vocabulary, so that the
/// server and the command line translate JSON into them one to one.

/// AWS `MacAlgorithm`.
public enum MacAlgorithm: String, Sendable, CaseIterable, Codable {
    case ISO9797_ALGORITHM1, ISO9797_ALGORITHM3, CMAC, HMAC
    case HMAC_SHA224, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512
    case AS2805_4_1
}

/// AWS `DukptKeyVariant`.
public enum DukptKeyVariant: String, Sendable, CaseIterable, Codable {
    case BIDIRECTIONAL, REQUEST, RESPONSE
}

/// AWS `DukptDerivationType`: the type of the DUKPT working key.
public enum DukptDerivationType: String, Sendable, CaseIterable, Codable {
    case TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256

    var aesDukptKeyType: AESDUKPT.KeyType {
        switch self {
        case .TDES_2KEY: .tdes2
        case .TDES_3KEY: .tdes3
        case .AES_128: .aes128
        case .AES_192: .aes192
        case .AES_256: .aes256
        }
    }
}

/// AWS `MacAlgorithmDukpt`.
public struct DukptMacAttributes: Sendable, Equatable {
    /// `KeySerialNumber`: 20 hex digits (TDES), 24 (AES), or 16 (TDES without the FFFF key set id).
    public var keySerialNumber: String
    /// `DukptKeyVariant`.
    public var keyVariant: DukptKeyVariant
    /// `DukptDerivationType`; nil means the BDK's own type.
    public var derivationType: DukptDerivationType?

    /// Creates the attributes.
    public init(keySerialNumber: String, keyVariant: DukptKeyVariant, derivationType: DukptDerivationType? = nil) {
        self.keySerialNumber = keySerialNumber
        self.keyVariant = keyVariant
        self.derivationType = derivationType
    }
}

/// AWS `MajorKeyDerivationMode`.
public enum MajorKeyDerivationMode: String, Sendable, CaseIterable, Codable {
    case EMV_OPTION_A, EMV_OPTION_B
}

/// AWS `SessionKeyDerivationMode`.
public enum SessionKeyDerivationMode: String, Sendable, CaseIterable, Codable {
    case EMV_COMMON_SESSION_KEY, EMV2000, AMEX, MASTERCARD_SESSION_KEY, VISA
}

/// AWS `SessionKeyDerivationValue` (a union).
public enum SessionKeyDerivationValue: Sendable, Equatable {
    /// `ApplicationCryptogram`: 16 hex digits.
    case applicationCryptogram(String)
    /// `ApplicationTransactionCounter`: 4 hex digits.
    case applicationTransactionCounter(String)
}

/// AWS `MacAlgorithmEmv`.
public struct EmvMacAttributes: Sendable, Equatable {
    public var majorKeyDerivationMode: MajorKeyDerivationMode
    public var primaryAccountNumber: String
    public var panSequenceNumber: String
    public var sessionKeyDerivationMode: SessionKeyDerivationMode
    public var sessionKeyDerivationValue: SessionKeyDerivationValue

    /// Creates the attributes.
    public init(majorKeyDerivationMode: MajorKeyDerivationMode, primaryAccountNumber: String, panSequenceNumber: String,
                sessionKeyDerivationMode: SessionKeyDerivationMode, sessionKeyDerivationValue: SessionKeyDerivationValue) {
        self.majorKeyDerivationMode = majorKeyDerivationMode
        self.primaryAccountNumber = primaryAccountNumber
        self.panSequenceNumber = panSequenceNumber
        self.sessionKeyDerivationMode = sessionKeyDerivationMode
        self.sessionKeyDerivationValue = sessionKeyDerivationValue
    }
}

/// AWS `MacAttributes`: exactly one MAC choice.
public enum MacAttributes: Sendable, Equatable {
    case algorithm(MacAlgorithm)
    case dukptIso9797Algorithm1(DukptMacAttributes)
    case dukptIso9797Algorithm3(DukptMacAttributes)
    case dukptCmac(DukptMacAttributes)
    case emvMac(EmvMacAttributes)

    /// The AWS member name of the choice.
    public var memberName: String {
        switch self {
        case .algorithm: "Algorithm"
        case .dukptIso9797Algorithm1: "DukptIso9797Algorithm1"
        case .dukptIso9797Algorithm3: "DukptIso9797Algorithm3"
        case .dukptCmac: "DukptCmac"
        case .emvMac: "EmvMac"
        }
    }

    /// The TR-31 key usage (AWS `KeyUsage`) the key must have for this choice (AWS user guide, GenerateMac key requirements).
    public var requiredKeyUsage: String {
        switch self {
        case .algorithm(let a):
            switch a {
            case .ISO9797_ALGORITHM1: "TR31_M1_ISO_9797_1_MAC_KEY"
            case .ISO9797_ALGORITHM3: "TR31_M3_ISO_9797_3_MAC_KEY"
            case .CMAC: "TR31_M6_ISO_9797_5_CMAC_KEY"
            case .HMAC, .HMAC_SHA224, .HMAC_SHA256, .HMAC_SHA384, .HMAC_SHA512: "TR31_M7_HMAC_KEY"
            case .AS2805_4_1: "TR31_M0_ISO_16609_MAC_KEY"
            }
        case .dukptIso9797Algorithm1, .dukptIso9797Algorithm3, .dukptCmac: "TR31_B0_BASE_DERIVATION_KEY"
        case .emvMac: "TR31_E2_EMV_MKEY_INTEGRITY"
        }
    }

    /// True when the key is a derivation key (needs the DeriveKey mode rather than Generate/Verify).
    public var usesDerivationKey: Bool {
        switch self {
        case .algorithm: false
        default: true
        }
    }
}
