/// The PIN block formats GenerateMacEmvPinChange accepts for incoming PIN blocks (ISO 9564-1).
public enum EMVIncomingPinBlockFormat: String, Sendable, CaseIterable {
    /// Format 0: `0‖N‖PIN‖F…` ⊕ `0000‖12 rightmost PAN digits without the check digit`.
    case isoFormat0 = "ISO_FORMAT_0"
    /// Format 1: `1‖N‖PIN‖fill`, no PAN.
    case isoFormat1 = "ISO_FORMAT_1"
    /// Format 3: as format 0 with control `3` and fill digits `A`..`F`.
    case isoFormat3 = "ISO_FORMAT_3"
}

/// The `EmvCommon` encipherment options of the target PIN block (README Decisions, "PIN change").
public struct EMVPinBlockEncipherment: Sendable, Equatable {
    /// TDES mode under SK_SMC: ECB, or CBC with a zero IV.
    public var cbc: Bool
    /// `ISO_IEC_7816_4`: 0x80 then zeros to a multiple of 8, always; else `NO_PADDING`.
    public var iso7816Padding: Bool
    /// `FRONT_OF_PIN_BLOCK`: the block's length in bytes (`08`) is put in front of it.
    public var lengthInFront: Bool

    /// Creates the options.
    public init(cbc: Bool, iso7816Padding: Bool, lengthInFront: Bool) {
        self.cbc = cbc
        self.iso7816Padding = iso7816Padding
        self.lengthInFront = lengthInFront
    }
}

/// One member of AWS's `DerivationMethodAttributes`: how the secure-messaging session keys are
/// derived and how the target PIN block is built and enciphered.
public enum EMVPinChangeMethod: Sendable, Equatable {
    /// CSK(MK, AC) (Book 2 A1.3); ISO 9564-1 format 2 block enciphered by `encipherment`.
    case emvCommon(applicationCryptogram: String, encipherment: EMVPinBlockEncipherment)
    /// CSK(MK, AC); format 2 block, TDES-CBC with a zero IV.
    case mastercard(applicationCryptogram: String)
    /// The Visa SM key of the ATC; the VIS block (with the current PIN when given), `08‖block‖80 00…` TDES-ECB.
    case visa(applicationTransactionCounter: String)
    /// As ``visa(applicationTransactionCounter:)`` (README Decisions).
    case amex(applicationTransactionCounter: String)
    /// The EMV2000 tree key of the ATC; format 2 block, TDES-CBC with a zero IV.
    case emv2000(applicationTransactionCounter: String)

    /// The AWS member name, used in error field paths.
    public var memberName: String {
        switch self {
        case .emvCommon: "EmvCommon"
        case .mastercard: "Mastercard"
        case .visa: "Visa"
        case .amex: "Amex"
        case .emv2000: "Emv2000"
        }
    }

    var usesVISBlock: Bool {
        switch self {
        case .visa, .amex: true
        default: false
        }
    }
}

/// An encrypted PIN block and the TDES PIN encryption key it is under.
public struct EMVEncryptedPin: Sendable, Equatable {
    /// The PEK bytes (16 or 24).
    public var pinEncryptionKey: [UInt8]
    /// 16 hex digits.
    public var encryptedPinBlock: String

    /// Creates the value.
    public init(pinEncryptionKey: [UInt8], encryptedPinBlock: String) {
        self.pinEncryptionKey = pinEncryptionKey
        self.encryptedPinBlock = encryptedPinBlock
    }
}

/// GenerateMacEmvPinChange on clear key bytes: the incoming PIN, the target block, the
/// secure-messaging session keys, the enciphered block and the issuer script MAC.
public enum EMVPinChange {
    /// The result: the enciphered target block (16 or 32 hex digits) and the 8-byte MAC (16 hex digits).
    public struct Output: Sendable, Equatable {
        /// The target PIN block enciphered under SK_SMC.
        public var encryptedPinBlock: String
        /// The retail MAC under SK_SMI over MessageData ‖ the enciphered block.
        public var mac: String
    }

    /// Generates the PIN change script values.
    /// - Parameters:
    ///   - newPin: the new PIN block and its PEK; `format`: its ISO 9564-1 format (also of the current PIN).
    ///   - integrityKey, confidentialityKey: IMK-SMI and IMK-SMC (double-length TDES).
    ///   - authorizationRequestKey: the IMK-AC (Visa and Amex only).
    ///   - currentPin: the current PIN (Visa and Amex only, optional).
    ///   - messageData: 16 to 1024 hex digits, whole bytes.
    /// - Throws: ``EMVCryptogramError`` naming the field at fault, before the session keys are derived.
    public static func generate(newPin: EMVEncryptedPin, format: EMVIncomingPinBlockFormat, integrityKey: [UInt8],
                                confidentialityKey: [UInt8], authorizationRequestKey: [UInt8]?, currentPin: EMVEncryptedPin?,
                                masterKeyOption: EMVMasterKeyOption, pan: String, psn: String, method: EMVPinChangeMethod,
                                messageData: String) throws(EMVCryptogramError) -> Output {
        let path = "DerivationMethodAttributes.\(method.memberName)"
        guard (16...1024).contains(messageData.utf8.count), messageData.utf8.count % 2 == 0, let message = Bytes.fromHex(messageData) else {
            throw .field("MessageData", "MessageData must be 16 to 1024 hex digits, an even number.")
        }
        guard (12...19).contains(pan.utf8.count), pan.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .field("\(path).PrimaryAccountNumber", "PrimaryAccountNumber must be 12 to 19 decimal digits.")
        }
        guard psn.utf8.count == 2, psn.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .field("\(path).PanSequenceNumber", "PanSequenceNumber must be 2 decimal digits.")
        }
        func hexField(_ v: String, _ name: String, _ digits: Int) throws(EMVCryptogramError) -> [UInt8] {
            guard v.utf8.count == digits, let b = Bytes.fromHex(v) else { throw .field("\(path).\(name)", "\(name) must be \(digits) hex digits.") }
            return b
        }
        var r: [UInt8] = [], atc: [UInt8] = []
        switch method {
        case .emvCommon(let ac, _):
            r = try hexField(ac, "ApplicationCryptogram", 16)
        case .mastercard(let ac): r = try hexField(ac, "ApplicationCryptogram", 16)
        case .visa(let t), .amex(let t), .emv2000(let t): atc = try hexField(t, "ApplicationTransactionCounter", 4)
        }
        if masterKeyOption == .optionB, pan.utf8.count <= 16 {
            throw .field("\(path).MajorKeyDerivationMode", "EMV_OPTION_B applies only to PANs longer than 16 digits; use EMV_OPTION_A.")
        }
        // The EmvCommon options after the option B rule (README Decisions, order of checks).
        if case .emvCommon(_, let e) = method, e.lengthInFront, !e.iso7816Padding {
            throw .field("\(path).PinBlockPaddingType", "PinBlockPaddingType must be ISO_IEC_7816_4 with PinBlockLengthPosition FRONT_OF_PIN_BLOCK.")
        }
        let pin = try decodePin(newPin, format: format, pan: pan, field: "NewEncryptedPinBlock")
        var current: String?
        if let currentPin, method.usesVISBlock {
            current = try decodePin(currentPin, format: format, pan: pan, field: "\(path).CurrentPinAttributes.CurrentEncryptedPinBlock")
        }
        do {
            func mk(_ imk: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
                guard imk.count == 16 else { throw .invalidKeyLength(imk.count) }
                return masterKeyOption == .optionA
                    ? try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: imk, pan: pan, psn: psn)
                    : try EMVKeyDerivation.iccMasterKeyOptionB(issuerMasterKey: imk, pan: pan, psn: psn)
            }
            func sessionKey(_ imk: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
                let m = try mk(imk)
                switch method {
                case .emvCommon, .mastercard: return try EMVKeyDerivation.commonSessionKey(masterKey: m, r: r)
                case .visa, .amex: return try EMVKeyDerivation.visaSessionKey(masterKey: m, atc: atc)
                case .emv2000: return try EMVKeyDerivation.emv2000SessionKey(masterKey: m, atc: atc)
                }
            }
            let target: [UInt8]
            if method.usesVISBlock {
                guard let authorizationRequestKey else { throw PaymentCryptographyError.invalidParameter("AuthorizationRequestKeyIdentifier") }
                target = visPinBlock(masterKeyAC: try mk(authorizationRequestKey), pin: pin, currentPin: current)
            } else {
                target = format2PinBlock(pin)
            }
            return try script(target: target, confidentialitySessionKey: try sessionKey(confidentialityKey),
                              integritySessionKey: try sessionKey(integrityKey), method: method, message: message)
        } catch {
            throw EMVCryptogramError(.keyAlgorithmInvalid, field: nil, message: "The key is not a double-length TDES key.")
        }
    }

    /// Enciphers the 8-byte target block under SK_SMC as the member says (README Decisions, "PIN
    /// change") and MACs `message` ‖ the enciphered block under SK_SMI (retail MAC, padding method 2;
    /// EMV Book 2 §9.2.3).
    static func script(target: [UInt8], confidentialitySessionKey: [UInt8], integritySessionKey: [UInt8], method: EMVPinChangeMethod,
                       message: [UInt8]) throws(PaymentCryptographyError) -> Output {
        let smc = try TripleDES(key: confidentialitySessionKey)
        let enciphered: [UInt8]
        switch method {
        case .emvCommon(_, let e):
            var data = e.lengthInFront ? [UInt8(target.count)] + target : target
            if e.iso7816Padding { data = ISO9797Padding.method2.pad(data, blockSize: 8) }
            enciphered = e.cbc ? try smc.encryptCBC(data) : try smc.encryptECB(data)
        case .mastercard, .emv2000:
            enciphered = try smc.encryptCBC(target)
        case .visa, .amex:
            enciphered = try smc.encryptECB(ISO9797Padding.method2.pad([0x08] + target, blockSize: 8))
        }
        let mac = try RetailMAC(tdesKey: integritySessionKey).mac(message + enciphered, padding: .method2)
        return Output(encryptedPinBlock: Bytes.hex(enciphered), mac: Bytes.hex(mac))
    }

    /// Decrypts and decodes an ISO 9564-1 format 0, 1 or 3 PIN block; returns the PIN digits.
    /// - Throws: a refusal naming `field` when the block does not decode (the PIN is never in the message).
    public static func decodePin(_ encrypted: EMVEncryptedPin, format: EMVIncomingPinBlockFormat, pan: String,
                                 field: String) throws(EMVCryptogramError) -> String {
        guard encrypted.encryptedPinBlock.utf8.count == 16, let block = Bytes.fromHex(encrypted.encryptedPinBlock) else {
            throw .field(field, "\(field.split(separator: ".").last ?? "") must be 16 hex digits.")
        }
        let clear: [UInt8]
        do {
            clear = try TripleDES(key: encrypted.pinEncryptionKey).decryptECB(block)
        } catch {
            throw EMVCryptogramError(.keyAlgorithmInvalid, field: nil, message: "The PIN encryption key is not a TDES key.")
        }
        var nibbles = Bytes.hex(clear).utf8.map { Bytes.nibble($0) ?? 0 }
        if format != .isoFormat1 {
            // PAN field: 0000 ‖ the 12 rightmost PAN digits without the check digit, left-filled with 0.
            let digits = Array(pan.utf8.dropLast().suffix(12)).map { $0 - UInt8(ascii: "0") }
            let panField = [UInt8](repeating: 0, count: 16 - digits.count) + digits
            for i in 0..<16 { nibbles[i] ^= panField[i] }
        }
        let control: UInt8 = switch format {
        case .isoFormat0: 0
        case .isoFormat1: 1
        case .isoFormat3: 3
        }
        let n = Int(nibbles[1])
        let bad = EMVCryptogramError.field(field, "The PIN block does not decode as \(format.rawValue).")
        guard nibbles[0] == control, (4...12).contains(n), nibbles[2..<(2 + n)].allSatisfy({ $0 <= 9 }) else { throw bad }
        let fill = nibbles[(2 + n)...]
        switch format {
        case .isoFormat0: guard fill.allSatisfy({ $0 == 0xF }) else { throw bad }
        case .isoFormat3: guard fill.allSatisfy({ $0 >= 0xA }) else { throw bad }
        case .isoFormat1: break
        }
        return String(nibbles[2..<(2 + n)].map { Character(String($0)) })
    }

    /// ISO 9564-1 format 2: `2‖N‖PIN‖F…`.
    public static func format2PinBlock(_ pin: String) -> [UInt8] {
        let s = "2" + String(pin.utf8.count, radix: 16, uppercase: true) + pin + String(repeating: "F", count: 14 - pin.utf8.count)
        return Bytes.fromHex(s) ?? []
    }

    /// The VIS PIN block: `(00×4 ‖ MK_AC[4:8]) ⊕ (0‖N‖PIN‖F…)`, and `⊕ (current PIN‖0…)` when given.
    public static func visPinBlock(masterKeyAC: [UInt8], pin: String, currentPin: String?) -> [UInt8] {
        let a = [UInt8](repeating: 0, count: 4) + masterKeyAC[4..<8]
        let b = Bytes.fromHex("0" + String(pin.utf8.count, radix: 16, uppercase: true) + pin + String(repeating: "F", count: 14 - pin.utf8.count)) ?? []
        var block = Bytes.xor(a, b)
        if let currentPin {
            block = Bytes.xor(block, Bytes.fromHex(currentPin + String(repeating: "0", count: 16 - currentPin.utf8.count)) ?? [])
        }
        return block
    }
}
