/// The EMV side of GenerateMac/VerifyMac: from the issuer master key and `MacAlgorithmEmv` to
/// the session key.
enum EmvMac {
    static func sessionKey(issuerMasterKey key: SymmetricKeyMaterial, attributes e: EmvMacAttributes, path: String) throws(MacRequestError) -> [UInt8] {
        guard key.algorithm.isTDES else { throw MacOperation.keyAlgorithmInvalid() }
        let pan = e.primaryAccountNumber
        guard (12...19).contains(pan.utf8.count), pan.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .field("\(path).PrimaryAccountNumber", "PrimaryAccountNumber must be 12 to 19 decimal digits.")
        }
        let psn = e.panSequenceNumber
        guard psn.utf8.count == 2, psn.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .field("\(path).PanSequenceNumber", "PanSequenceNumber must be 2 decimal digits.")
        }
        let valuePath = "\(path).SessionKeyDerivationValue"
        let mode = e.sessionKeyDerivationMode
        let needsCryptogram = mode == .EMV_COMMON_SESSION_KEY || mode == .MASTERCARD_SESSION_KEY
        var r: [UInt8] = []
        var atc: [UInt8] = []
        switch e.sessionKeyDerivationValue {
        case .applicationCryptogram(let ac):
            guard needsCryptogram else {
                throw .field(valuePath, "SessionKeyDerivationMode \(mode.rawValue) takes ApplicationTransactionCounter, not ApplicationCryptogram.")
            }
            guard ac.utf8.count == 16, let b = Bytes.fromHex(ac) else {
                throw .field("\(valuePath).ApplicationCryptogram", "ApplicationCryptogram must be 16 hex digits.")
            }
            r = b
        case .applicationTransactionCounter(let t):
            guard !needsCryptogram else {
                throw .field(valuePath, "SessionKeyDerivationMode \(mode.rawValue) takes ApplicationCryptogram, not ApplicationTransactionCounter.")
            }
            guard t.utf8.count == 4, let b = Bytes.fromHex(t) else {
                throw .field("\(valuePath).ApplicationTransactionCounter", "ApplicationTransactionCounter must be 4 hex digits.")
            }
            atc = b
        }
        do {
            let mk: [UInt8]
            switch e.majorKeyDerivationMode {
            case .EMV_OPTION_A:
                mk = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: key.bytes, pan: pan, psn: psn)
            case .EMV_OPTION_B:
                guard pan.utf8.count > 16 else {
                    throw MacRequestError.field("\(path).MajorKeyDerivationMode", "EMV_OPTION_B applies only to PANs longer than 16 digits; use EMV_OPTION_A.")
                }
                mk = try EMVKeyDerivation.iccMasterKeyOptionB(issuerMasterKey: key.bytes, pan: pan, psn: psn)
            }
            switch mode {
            case .EMV_COMMON_SESSION_KEY, .MASTERCARD_SESSION_KEY:
                return try EMVKeyDerivation.commonSessionKey(masterKey: mk, r: r)
            case .VISA, .AMEX:
                // AMEX: the Visa method (README, Decisions: AWS's payShield migration guide treats them alike).
                return try EMVKeyDerivation.visaSessionKey(masterKey: mk, atc: atc)
            case .EMV2000:
                return try EMVKeyDerivation.emv2000SessionKey(masterKey: mk, atc: atc)
            }
        } catch let error as MacRequestError {
            throw error
        } catch {
            throw MacRequestError(.invalidField, field: nil, message: "The EMV session key could not be derived from this key.")
        }
    }
}
