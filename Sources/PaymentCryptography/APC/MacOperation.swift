/// The single entry point behind AWS's GenerateMac and VerifyMac: key material, the
/// `MacAttributes` choice, the message and `MacLength` in; the MAC out, with every rule of the
/// README ("Supported MAC algorithms", "Decisions") applied and every refusal a ``MacRequestError`` naming the field.
public enum MacOperation {
    /// Generates a MAC (AWS GenerateMac).
    /// - Parameters:
    ///   - key: the key named by `KeyIdentifier` (for DUKPT the BDK, for EmvMac the issuer master key).
    ///   - attributes: `GenerationAttributes`.
    ///   - message: the bytes of `MessageData`.
    ///   - macLength: `MacLength`, in hex digits (4...32, at most the algorithm's full MAC); nil for
    ///     the algorithm's default.
    ///   - attributesField: the name of the attributes member, used in error paths.
    /// - Returns: the MAC as upper-case hex.
    /// - Throws: ``MacRequestError`` for any input AWS rejects.
    public static func generate(key: SymmetricKeyMaterial, attributes: MacAttributes, message: [UInt8], macLength: Int?,
                                attributesField: String = "GenerationAttributes") throws(MacRequestError) -> String {
        try checkMacLength(macLength)
        let result = try compute(key: key, attributes: attributes, message: message, root: attributesField)
        try checkMacLength(macLength, fits: result)
        let hex = Bytes.hex(result.mac)
        return String(hex.prefix(macLength ?? result.defaultDigits))
    }

    /// Verifies a MAC (AWS VerifyMac): recomputes it and compares, in constant time, the leftmost
    /// `Mac.count` hex digits.
    /// - Parameters:
    ///   - mac: `Mac`, hex (either case).
    ///   - macLength: `MacLength`; when given it must equal the number of digits in `mac`.
    /// - Throws: ``MacRequestError`` with kind ``MacRequestError/Kind/verificationFailed`` when the
    ///   MAC does not match, or another kind for a refused input.
    public static func verify(key: SymmetricKeyMaterial, attributes: MacAttributes, message: [UInt8], mac: String, macLength: Int?,
                              attributesField: String = "VerificationAttributes") throws(MacRequestError) {
        try checkMacLength(macLength)
        guard (4...128).contains(mac.utf8.count), mac.utf8.count % 2 == 0, Bytes.isHex(mac) else {
            throw .field("Mac", "Mac must be an even number (4 to 128) of hex digits.")
        }
        if let macLength, macLength != mac.utf8.count {
            throw .field("MacLength", "MacLength must equal the number of hex digits in Mac (\(mac.utf8.count)).")
        }
        switch attributes {
        case .dukptIso9797Algorithm1, .dukptIso9797Algorithm3:
            guard mac.utf8.count == 8 || mac.utf8.count == 16 else {
                throw .field("Mac", "Mac must have a valid length of 8 or 16 hex digits for \(attributes.memberName).")
            }
        default:
            break
        }
        let result = try compute(key: key, attributes: attributes, message: message, root: attributesField)
        try checkMacLength(macLength, fits: result)
        let expected = Array(Bytes.hex(result.mac).utf8)
        let given = Array(mac.uppercased().utf8)
        guard given.count <= expected.count else {
            throw .field("Mac", "Mac has \(given.count) hex digits; this MAC has \(expected.count).")
        }
        guard ConstantTime.equal(Array(expected.prefix(given.count)), given) else {
            throw MacRequestError(.verificationFailed, field: nil, message: MacRequestError.verificationFailedMessage)
        }
    }

    /// The MAC length in hex digits when `MacLength` is absent, for a key and choice.
    /// (Exposed for documentation and tests; generate applies it.)
    public static func defaultMacDigits(key: SymmetricKeyMaterial, attributes: MacAttributes, message: [UInt8]) throws(MacRequestError) -> Int {
        try compute(key: key, attributes: attributes, message: message, root: "GenerationAttributes").defaultDigits
    }

    /// The model's range of `MacLength` (botocore 1.44: 4 to 32 hex digits).
    static let macLengthRange = 4...32

    static func checkMacLength(_ macLength: Int?) throws(MacRequestError) {
        if let macLength, !macLengthRange.contains(macLength) {
            throw .field("MacLength", "MacLength must be between \(macLengthRange.lowerBound) and \(macLengthRange.upperBound) (hex digits).")
        }
    }

    /// Decision (README, "MacLength"): `MacLength` may not ask for more digits than the algorithm's
    /// full MAC has: 16 for every TDES-based MAC, 32 for AES CMAC; an HMAC is cut to at most 32.
    static func checkMacLength(_ macLength: Int?, fits result: Computed) throws(MacRequestError) {
        let full = min(2 * result.mac.count, macLengthRange.upperBound)
        if let macLength, macLength > full {
            throw .field("MacLength", "MacLength must be at most \(full) hex digits for this MAC.")
        }
    }

    /// The full MAC and the default output length in hex digits.
    struct Computed {
        var mac: [UInt8]
        var defaultDigits: Int
    }

    static func keyAlgorithmInvalid() -> MacRequestError {
        MacRequestError(.keyAlgorithmInvalid, field: nil, message: "KeyAlgorithm of the input key is invalid for the operation.")
    }

    static func compute(key: SymmetricKeyMaterial, attributes: MacAttributes, message: [UInt8], root: String) throws(MacRequestError) -> Computed {
        guard !message.isEmpty else { throw .field("MessageData", "MessageData must have at least 1 byte.") }
        do {
            switch attributes {
            case .algorithm(let algorithm):
                return try plain(key: key, algorithm: algorithm, message: message, path: "\(root).Algorithm")
            case .dukptIso9797Algorithm1(let d):
                let wk = try DukptMac.workingKey(bdk: key, attributes: d, path: "\(root).DukptIso9797Algorithm1", isoAlgorithm: true)
                try DukptMac.checkMessage(message, blocks: true, member: "DukptIso9797Algorithm1")
                guard case .tdes(let k) = wk else { throw keyAlgorithmInvalid() }
                return Computed(mac: try MACAlgorithm1.macUnpadded(key: TripleDES(key: k), message: message), defaultDigits: 16)
            case .dukptIso9797Algorithm3(let d):
                let wk = try DukptMac.workingKey(bdk: key, attributes: d, path: "\(root).DukptIso9797Algorithm3", isoAlgorithm: true)
                try DukptMac.checkMessage(message, blocks: true, member: "DukptIso9797Algorithm3")
                guard case .tdes(let k) = wk else { throw keyAlgorithmInvalid() }
                return Computed(mac: try RetailMAC(tdesKey: k).macUnpadded(message), defaultDigits: 16)
            case .dukptCmac(let d):
                let wk = try DukptMac.workingKey(bdk: key, attributes: d, path: "\(root).DukptCmac", isoAlgorithm: false)
                try DukptMac.checkMessage(message, blocks: false, member: "DukptCmac")
                switch wk {
                case .tdes(let k): return Computed(mac: TDESCMAC(key: try TripleDES(key: k)).mac(message), defaultDigits: 16)
                case .aes(let k): return Computed(mac: try AESKey(key: k).cmac(message), defaultDigits: 32)
                }
            case .emvMac(let e):
                let sk = try EmvMac.sessionKey(issuerMasterKey: key, attributes: e, path: "\(root).EmvMac")
                return Computed(mac: try EMVMAC.mac(sessionKey: sk, message: message), defaultDigits: 16)
            }
        } catch let error as MacRequestError {
            throw error
        } catch {
            // Sizes were all checked above; a primitive refusing its input here is a bug, reported
            // without any detail that could carry key material.
            throw MacRequestError(.invalidField, field: nil, message: "The MAC could not be computed with this key.")
        }
    }

    static func plain(key: SymmetricKeyMaterial, algorithm: MacAlgorithm, message: [UInt8], path: String) throws -> Computed {
        let k = key.bytes
        switch algorithm {
        case .ISO9797_ALGORITHM1:
            guard case .tdes(let tdes, _)? = key.cipher else { throw keyAlgorithmInvalid() }
            return Computed(mac: MACAlgorithm1.mac(key: tdes, message: message, padding: .method1), defaultDigits: 8)
        case .ISO9797_ALGORITHM3:
            guard case .tdes(_, let retail)? = key.cipher else { throw keyAlgorithmInvalid() }
            return Computed(mac: retail.mac(message, padding: .method1), defaultDigits: 8)
        case .AS2805_4_1:
            // Decision (README, Decisions: AS2805_4_1): AS 2805.4.1 as the retail MAC with padding method 1.
            guard case .tdes(_, let retail)? = key.cipher else { throw keyAlgorithmInvalid() }
            return Computed(mac: retail.mac(message, padding: .method1), defaultDigits: 8)
        case .CMAC:
            switch key.cipher {
            case .tdes(let tdes, _)?: return Computed(mac: TDESCMAC(key: tdes).mac(message), defaultDigits: 16)
            case .aes(let aes)?: return Computed(mac: aes.cmac(message), defaultDigits: 32)
            case .hmac?, nil: throw keyAlgorithmInvalid()
            }
        case .HMAC:
            guard let hash = key.algorithm.hmacHash else { throw keyAlgorithmInvalid() }
            if case .hmac(let keyed)? = key.cipher {
                return Computed(mac: keyed.authenticationCode(message), defaultDigits: 2 * hash.byteCount)
            }
            return Computed(mac: HMACAlgorithm.authenticationCode(hash: hash, key: k, message: message), defaultDigits: 2 * hash.byteCount)
        case .HMAC_SHA224, .HMAC_SHA256, .HMAC_SHA384, .HMAC_SHA512:
            if key.algorithm.hmacHash != nil {
                throw MacRequestError.field(path, "\(algorithm.rawValue) is for TDES and AES MAC keys; for an \(key.algorithm.rawValue) key use Algorithm HMAC, which takes the hash from the key.")
            }
            guard key.algorithm.isTDES || key.algorithm.isAES else { throw keyAlgorithmInvalid() }
            let hash: HMACHash = switch algorithm {
            case .HMAC_SHA224: .sha224
            case .HMAC_SHA256: .sha256
            case .HMAC_SHA384: .sha384
            default: .sha512
            }
            return Computed(mac: HMACAlgorithm.authenticationCode(hash: hash, key: k, message: message), defaultDigits: 2 * hash.byteCount)
        }
    }
}

/// Constant-time comparison.
public enum ConstantTime {
    /// True when `a` and `b` are equal; the time depends only on the lengths.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
