/// The card validation members of AWS's `CardGenerationAttributes` / `CardVerificationAttributes`,
/// with their fields as strings (validated here before any cryptography).
public enum CardValidationAttributes: Sendable, Equatable {
    /// `CardVerificationValue1`: CVV/CVC on the stripe; iCVV with service code `999`.
    case cardVerificationValue1(expiryDate: String, serviceCode: String)
    /// `CardVerificationValue2`: the CVV with service code `000`.
    case cardVerificationValue2(expiryDate: String)
    /// `AmexCardSecurityCodeVersion1`.
    case amexCardSecurityCodeVersion1(expiryDate: String)
    /// `AmexCardSecurityCodeVersion2`.
    case amexCardSecurityCodeVersion2(expiryDate: String, serviceCode: String)
    /// `CardHolderVerificationValue`.
    case cardHolderVerificationValue(unpredictableNumber: String, panSequenceNumber: String, applicationTransactionCounter: String)
    /// `DynamicCardVerificationCode` (CVC3).
    case dynamicCardVerificationCode(unpredictableNumber: String, panSequenceNumber: String, applicationTransactionCounter: String, trackData: String)
    /// `DynamicCardVerificationValue` (Visa dCVV).
    case dynamicCardVerificationValue(panSequenceNumber: String, expiryDate: String, serviceCode: String, applicationTransactionCounter: String)
    /// `DiscoverDynamicCardVerificationCode` (verify only).
    case discoverDynamicCardVerificationCode(expiryDate: String, unpredictableNumber: String, applicationTransactionCounter: String)

    /// The member's name in the AWS union.
    public var memberName: String {
        switch self {
        case .cardVerificationValue1: "CardVerificationValue1"
        case .cardVerificationValue2: "CardVerificationValue2"
        case .amexCardSecurityCodeVersion1: "AmexCardSecurityCodeVersion1"
        case .amexCardSecurityCodeVersion2: "AmexCardSecurityCodeVersion2"
        case .cardHolderVerificationValue: "CardHolderVerificationValue"
        case .dynamicCardVerificationCode: "DynamicCardVerificationCode"
        case .dynamicCardVerificationValue: "DynamicCardVerificationValue"
        case .discoverDynamicCardVerificationCode: "DiscoverDynamicCardVerificationCode"
        }
    }

    /// True for the members computed under a card key derived from an issuer master key.
    public var usesDerivedCardKey: Bool {
        switch self {
        case .cardVerificationValue1, .cardVerificationValue2, .amexCardSecurityCodeVersion1, .amexCardSecurityCodeVersion2: false
        default: true
        }
    }

    /// Which digits of the full value make a value of N digits (README Decisions).
    enum Truncation {
        /// The first N digits (CVV, dCVV; IBM CVV_Generate).
        case leftmost
        /// The last N digits (CVC3 and the members built on it: the track carries the least
        /// significant digits).
        case rightmost
        /// Amex: N picks CSC3, CSC4 or CSC5.
        case amexCode
    }

    var truncation: Truncation {
        switch self {
        case .cardVerificationValue1, .cardVerificationValue2, .dynamicCardVerificationValue: .leftmost
        case .amexCardSecurityCodeVersion1, .amexCardSecurityCodeVersion2: .amexCode
        case .cardHolderVerificationValue, .dynamicCardVerificationCode, .discoverDynamicCardVerificationCode: .rightmost
        }
    }
}
