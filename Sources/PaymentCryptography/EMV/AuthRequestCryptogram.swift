/// How the ICC master key is derived from the issuer master key (EMV 4.x Book 2 Annex A1.4).
public enum EMVMasterKeyOption: String, Sendable, CaseIterable {
    /// A1.4.1: the rightmost 16 digits of PAN ‖ PSN.
    case optionA = "EMV_OPTION_A"
    /// A1.4.2: SHA-1 of PAN ‖ PSN, decimalised; only for PANs longer than 16 digits.
    case optionB = "EMV_OPTION_B"
}

/// The scheme that turns the ICC master key into the ARQC key: one member of AWS's
/// `SessionKeyDerivation` union, with the fields that member carries besides PAN and PSN.
public enum ARQCSessionKeyScheme: Sendable, Equatable {
    /// EMV common session key (Book 2 A1.3.1) with R = ATC ‖ 00×6.
    case emvCommon(applicationTransactionCounter: String)
    /// Mastercard proprietary SKD: common session key with R = ATC ‖ 0000 ‖ UN; the ARPC is under MK.
    case mastercard(applicationTransactionCounter: String, unpredictableNumber: String)
    /// The EMV2000 tree (EMV 4.0 Book 2 A1.3) of the ATC.
    case emv2000(applicationTransactionCounter: String)
    /// No session key: the ICC master key itself.
    case amex
    /// No session key: the ICC master key itself (Visa CVN10).
    case visa
    /// The PBOC 3.0 / UICS session key of the ATC.
    case unionPay(applicationTransactionCounter: String)

    /// The AWS member name, used in error field paths.
    public var memberName: String {
        switch self {
        case .emvCommon: "EmvCommon"
        case .mastercard: "Mastercard"
        case .emv2000: "Emv2000"
        case .amex: "Amex"
        case .visa: "Visa"
        case .unionPay: "UnionPay"
        }
    }
}

/// The card an ARQC belongs to and how its ARQC key is derived.
public struct ARQCAttributes: Sendable, Equatable {
    /// ICC master key derivation (`MajorKeyDerivationMode`).
    public var masterKeyOption: EMVMasterKeyOption
    /// The PAN, 12 to 19 decimal digits.
    public var primaryAccountNumber: String
    /// The PAN sequence number, 2 decimal digits.
    public var panSequenceNumber: String
    /// The session key scheme and its fields.
    public var scheme: ARQCSessionKeyScheme

    /// Creates the attributes.
    public init(masterKeyOption: EMVMasterKeyOption, primaryAccountNumber: String, panSequenceNumber: String, scheme: ARQCSessionKeyScheme) {
        self.masterKeyOption = masterKeyOption
        self.primaryAccountNumber = primaryAccountNumber
        self.panSequenceNumber = panSequenceNumber
        self.scheme = scheme
    }
}

/// The ARPC asked for after a verified ARQC (AWS `CryptogramAuthResponse`).
public enum ARPCMethod: Sendable, Equatable {
    /// EMV Book 2 §8.2.1: TDES_K(ARQC ⊕ (ARC ‖ 00×6)); `authResponseCode` is 4 hex digits.
    case method1(authResponseCode: String)
    /// EMV Book 2 §8.2.2: the leftmost 4 bytes of the retail MAC over ARQC ‖ CSU ‖ proprietary data
    /// (padding method 2); `cardStatusUpdate` is 8 hex digits, the proprietary data 1 to 16.
    case method2(cardStatusUpdate: String, proprietaryAuthenticationData: String?)
}

/// Why an ARQC request is refused, naming the AWS field at fault. Every kind maps to a
/// ValidationException except ``Kind/verificationFailed`` (VerificationFailedException,
/// Reason `INVALID_AUTH_REQUEST_CRYPTOGRAM`).
public struct EMVCryptogramError: FieldRefusal, Sendable, Equatable {
    /// The kind of refusal.
    public enum Kind: Sendable, Equatable {
        /// A field's value breaks a rule; `field` names it.
        case invalidField
        /// The key material is not a double-length TDES key.
        case keyAlgorithmInvalid
        /// The ARQC does not verify.
        case verificationFailed
    }

    /// The kind of refusal.
    public let kind: Kind
    /// The AWS field path, e.g. `SessionKeyDerivationAttributes.Visa.PanSequenceNumber`.
    public let field: String?
    /// A message for the caller; it never contains the PAN, key material or transaction data.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, field: String?, message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    static func field(_ path: String, _ message: String) -> EMVCryptogramError {
        EMVCryptogramError(.invalidField, field: path, message: message)
    }

    /// The message of a wrong ARQC (README Decisions, "ARQC verification failure").
    public static let verificationFailedMessage = "ARQC verification failed."
    /// The AWS `Reason` of a wrong ARQC (model enum `VerificationFailedReason`).
    public static let verificationFailedReason = "INVALID_AUTH_REQUEST_CRYPTOGRAM"
}

/// GenerateAuthRequestCryptogram and VerifyAuthRequestCryptogram on clear issuer master key bytes
/// (IMK-AC): field checks, the ICC master key, the ARQC key per scheme, the ARQC and the ARPC.
public enum AuthRequestCryptogram {
    /// The ARQC (16 upper-case hex digits) of `transactionData` for the card.
    /// - Parameters:
    ///   - issuerMasterKey: the IMK-AC, a double-length TDES key.
    ///   - transactionData: 2 to 1024 hex digits, MACed as supplied: the caller pads; unaligned data
    ///     gets zero bytes (padding method 1), an odd digit count a trailing `0` (README Decisions).
    /// - Throws: ``EMVCryptogramError`` naming the field at fault, before any cryptography.
    public static func generate(issuerMasterKey: [UInt8], attributes: ARQCAttributes, transactionData: String) throws(EMVCryptogramError) -> String {
        let data = try transactionBytes(transactionData)
        let keys = try derive(issuerMasterKey: issuerMasterKey, attributes: attributes)
        return Bytes.hex(try arqc(key: keys.arqcKey, data: data))
    }

    /// Verifies `cryptogram` (16 hex digits, compared in constant time) and, when asked, returns the ARPC.
    /// - Returns: the ARPC (16 hex digits for method 1, 8 for method 2), nil without `response`.
    /// - Throws: ``EMVCryptogramError/Kind/verificationFailed`` for a wrong ARQC; other kinds for bad input.
    public static func verify(issuerMasterKey: [UInt8], attributes: ARQCAttributes, transactionData: String,
                              cryptogram: String, response: ARPCMethod?) throws(EMVCryptogramError) -> String? {
        guard cryptogram.utf8.count == 16, let given = Bytes.fromHex(cryptogram) else {
            throw .field("AuthRequestCryptogram", "AuthRequestCryptogram must be 16 hex digits.")
        }
        let data = try transactionBytes(transactionData)
        // The ARPC fields are checked before any cryptography, so bad input never depends on the ARQC.
        var arpcInput: ARPCInput?
        if let response { arpcInput = try ARPCInput(response) }
        let keys = try derive(issuerMasterKey: issuerMasterKey, attributes: attributes)
        let expected = try arqc(key: keys.arqcKey, data: data)
        var diff: UInt8 = 0
        for (a, b) in zip(expected, given) { diff |= a ^ b }
        guard diff == 0 else {
            throw EMVCryptogramError(.verificationFailed, field: nil, message: EMVCryptogramError.verificationFailedMessage)
        }
        guard let arpcInput else { return nil }
        do {
            switch arpcInput {
            case .method1(let arc): return Bytes.hex(try ARPC.method1(key: keys.arpcKey, arqc: given, authResponseCode: arc))
            case .method2(let csu, let pad):
                return Bytes.hex(try ARPC.method2(key: keys.arpcKey, arqc: given, cardStatusUpdate: csu, proprietaryAuthenticationData: pad))
            }
        } catch {
            throw keyError()
        }
    }

    /// The ARQC key and the ARPC key of a card (README Decisions: the ARPC is under the ARQC key,
    /// except Mastercard's, which is under the ICC master key).
    public static func derive(issuerMasterKey: [UInt8], attributes a: ARQCAttributes) throws(EMVCryptogramError) -> (arqcKey: [UInt8], arpcKey: [UInt8]) {
        let path = "SessionKeyDerivationAttributes.\(a.scheme.memberName)"
        let pan = a.primaryAccountNumber, psn = a.panSequenceNumber
        guard (12...19).contains(pan.utf8.count), pan.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .field("\(path).PrimaryAccountNumber", "PrimaryAccountNumber must be 12 to 19 decimal digits.")
        }
        guard psn.utf8.count == 2, psn.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .field("\(path).PanSequenceNumber", "PanSequenceNumber must be 2 decimal digits.")
        }
        func atc(_ v: String) throws(EMVCryptogramError) -> [UInt8] {
            guard v.utf8.count == 4, let b = Bytes.fromHex(v) else {
                throw .field("\(path).ApplicationTransactionCounter", "ApplicationTransactionCounter must be 4 hex digits.")
            }
            return b
        }
        // Every field is checked before the first cipher call.
        enum Derivation { case common([UInt8]), mastercard([UInt8], [UInt8]), tree([UInt8]), none, unionPay([UInt8]) }
        let derivation: Derivation
        switch a.scheme {
        case .emvCommon(let t): derivation = .common(try atc(t))
        case .mastercard(let t, let u):
            let counter = try atc(t)
            guard u.utf8.count == 8, let un = Bytes.fromHex(u) else {
                throw .field("\(path).UnpredictableNumber", "UnpredictableNumber must be 8 hex digits.")
            }
            derivation = .mastercard(counter, un)
        case .emv2000(let t): derivation = .tree(try atc(t))
        case .amex, .visa: derivation = .none
        case .unionPay(let t): derivation = .unionPay(try atc(t))
        }
        if a.masterKeyOption == .optionB, pan.utf8.count <= 16 {
            throw .field("MajorKeyDerivationMode", "EMV_OPTION_B applies only to PANs longer than 16 digits; use EMV_OPTION_A.")
        }
        guard issuerMasterKey.count == 16 else { throw keyError() }
        do {
            let mk = a.masterKeyOption == .optionA
                ? try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: issuerMasterKey, pan: pan, psn: psn)
                : try EMVKeyDerivation.iccMasterKeyOptionB(issuerMasterKey: issuerMasterKey, pan: pan, psn: psn)
            switch derivation {
            case .common(let t):
                let sk = try EMVKeyDerivation.commonSessionKey(masterKey: mk, r: t + [UInt8](repeating: 0, count: 6))
                return (sk, sk)
            case .mastercard(let t, let un):
                return (try EMVKeyDerivation.mastercardSessionKey(masterKey: mk, atc: t, unpredictableNumber: un), mk)
            case .tree(let t):
                let sk = try EMVKeyDerivation.emv2000SessionKey(masterKey: mk, atc: t)
                return (sk, sk)
            case .none:
                return (mk, mk)
            case .unionPay(let t):
                let sk = try EMVKeyDerivation.unionPaySessionKey(masterKey: mk, atc: t)
                return (sk, sk)
            }
        } catch {
            throw keyError()
        }
    }

    /// The retail MAC (ISO/IEC 9797-1 algorithm 3) of whole-block data under the ARQC key.
    static func arqc(key: [UInt8], data: [UInt8]) throws(EMVCryptogramError) -> [UInt8] {
        do {
            return try RetailMAC(tdesKey: key).mac(data, padding: .method1)
        } catch {
            throw keyError()
        }
    }

    /// `TransactionData` as bytes: 2 to 1024 hex digits, an odd count completed with a trailing `0`
    /// (README Decisions); the zero padding to whole blocks is the MAC's padding method 1.
    static func transactionBytes(_ hex: String) throws(EMVCryptogramError) -> [UInt8] {
        guard (2...1024).contains(hex.utf8.count), Bytes.isHex(hex) else {
            throw .field("TransactionData", "TransactionData must be 2 to 1024 hex digits.")
        }
        guard let bytes = Bytes.fromHex(hex.utf8.count % 2 == 1 ? hex + "0" : hex) else {
            throw .field("TransactionData", "TransactionData must be 2 to 1024 hex digits.")
        }
        return bytes
    }

    static func keyError() -> EMVCryptogramError {
        EMVCryptogramError(.keyAlgorithmInvalid, field: nil, message: "The key is not a double-length TDES key.")
    }

    /// The checked bytes of an ARPC request.
    enum ARPCInput {
        case method1([UInt8])
        case method2([UInt8], [UInt8])

        init(_ r: ARPCMethod) throws(EMVCryptogramError) {
            switch r {
            case .method1(let arc):
                guard arc.utf8.count == 4, let b = Bytes.fromHex(arc) else {
                    throw .field("AuthResponseAttributes.ArpcMethod1.AuthResponseCode", "AuthResponseCode must be 4 hex digits.")
                }
                self = .method1(b)
            case .method2(let csu, let pad):
                guard csu.utf8.count == 8, let c = Bytes.fromHex(csu) else {
                    throw .field("AuthResponseAttributes.ArpcMethod2.CardStatusUpdate", "CardStatusUpdate must be 8 hex digits.")
                }
                var p: [UInt8] = []
                if let pad {
                    let field = "AuthResponseAttributes.ArpcMethod2.ProprietaryAuthenticationData"
                    guard (1...16).contains(pad.utf8.count), Bytes.isHex(pad),
                          let b = Bytes.fromHex(pad.utf8.count % 2 == 1 ? pad + "0" : pad) else {
                        throw .field(field, "ProprietaryAuthenticationData must be 1 to 16 hex digits.")
                    }
                    p = b
                }
                self = .method2(c, p)
            }
        }
    }
}

/// The authorisation response cryptogram (EMV 4.x Book 2 §8.2) on clear bytes.
public enum ARPC {
    /// Method 1 (§8.2.1): TDES_K(ARQC ⊕ (ARC ‖ 00×6)), 8 bytes.
    /// - Parameters: `key` a 16-byte TDES key; `arqc` 8 bytes; `authResponseCode` 2 bytes.
    public static func method1(key: [UInt8], arqc: [UInt8], authResponseCode: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard arqc.count == 8 else { throw .invalidDataLength(arqc.count) }
        guard authResponseCode.count == 2 else { throw .invalidDataLength(authResponseCode.count) }
        let k = try TripleDES(key: key)
        let block = Bytes.xor(arqc, authResponseCode + [UInt8](repeating: 0, count: 6))
        return Bytes.bytes(k.encrypt(block: Bytes.uint64(block, at: 0)))
    }

    /// Method 2 (§8.2.2, A1.2.1): the leftmost 4 bytes of the retail MAC under `key` over
    /// ARQC ‖ CSU ‖ proprietary authentication data, with padding method 2.
    /// - Parameters: `arqc` 8 bytes; `cardStatusUpdate` 4 bytes; the proprietary data 0 to 8 bytes.
    public static func method2(key: [UInt8], arqc: [UInt8], cardStatusUpdate: [UInt8],
                               proprietaryAuthenticationData: [UInt8] = []) throws(PaymentCryptographyError) -> [UInt8] {
        guard arqc.count == 8 else { throw .invalidDataLength(arqc.count) }
        guard cardStatusUpdate.count == 4 else { throw .invalidDataLength(cardStatusUpdate.count) }
        guard proprietaryAuthenticationData.count <= 8 else { throw .invalidDataLength(proprietaryAuthenticationData.count) }
        let mac = try RetailMAC(tdesKey: key).mac(arqc + cardStatusUpdate + proprietaryAuthenticationData, padding: .method2)
        return Array(mac.prefix(4))
    }
}
