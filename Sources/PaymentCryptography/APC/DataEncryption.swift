/// The symmetric side of AWS's EncryptData, DecryptData and ReEncryptData in AWS's vocabulary:
/// the `Symmetric` modes with their IV and block rules, the DUKPT data-encryption working key and
/// the EMV session key. The rules are the README's Decisions ("Data encryption"); the service
/// adds the key rules (usage, algorithm, modes of use) before calling here.

/// AWS `EncryptionMode` of the `Symmetric` member.
public enum EncryptionMode: String, Sendable, CaseIterable, Codable {
    case ECB, CBC, CFB, CFB1, CFB8, CFB64, CFB128, OFB
}

/// Why an encryption request is refused, naming the AWS field at fault. Every case is a
/// ValidationException (the encryption operations have no other refusal).
public struct DataEncryptionError: FieldRefusal, Sendable, Equatable {
    /// The AWS field path, nil when the refusal is about the key.
    public let field: String?
    /// The message; it never contains key material, data, the PAN or the KSN.
    public let message: String

    /// Creates an error.
    public init(field: String?, message: String) {
        self.field = field
        self.message = message
    }

    static func field(_ path: String, _ message: String) -> DataEncryptionError {
        DataEncryptionError(field: path, message: message)
    }
}

/// EncryptData/DecryptData on clear key material.
public enum DataEncryption {
    /// Enciphers or deciphers whole blocks under a TDES or AES key in an AWS `EncryptionMode`.
    ///
    /// - Whole blocks only, for every mode: 8 bytes for TDES, 16 for AES (AWS model; nothing is padded).
    /// - `initializationVector`: default all zeros (model); one block of the cipher, else refused
    ///   (decision); ECB ignores it (decision).
    /// - `CFB` is full-block CFB (CFB64 on TDES, CFB128 on AES; decision, as OpenSSL); `CFB128` on TDES is refused.
    /// - Parameters:
    ///   - dataField: `PlainText` or `CipherText`, named when the data is not whole blocks.
    ///   - path: the member's path, e.g. `EncryptionAttributes.Symmetric`.
    public static func symmetric(_ data: [UInt8], key: SymmetricKeyMaterial, mode: EncryptionMode, initializationVector: String?,
                                 encrypting: Bool, dataField: String, path: String) throws(DataEncryptionError) -> [UInt8] {
        let cipher: BlockCipher
        do { cipher = try BlockCipher(material: key) } catch {
            throw DataEncryptionError(field: nil, message: "\(key.algorithm.rawValue) keys do not encrypt data.")
        }
        let b = cipher.blockSize
        let name = key.algorithm.isTDES ? "TDES" : "AES"
        guard !data.isEmpty, data.count % b == 0 else {
            throw .field(dataField, "\(dataField) must be a whole number of \(b)-byte blocks for \(key.algorithm.isTDES ? "a" : "an") \(name) cipher (\(2 * b) hex digits each); the service does not pad.")
        }
        let blockMode: BlockCipherMode
        switch mode {
        case .ECB: blockMode = .ecb
        case .CBC: blockMode = .cbc
        case .CFB: blockMode = .cfb(segmentBits: 8 * b)
        case .CFB1: blockMode = .cfb(segmentBits: 1)
        case .CFB8: blockMode = .cfb(segmentBits: 8)
        case .CFB64: blockMode = .cfb(segmentBits: 64)
        case .CFB128:
            guard b == 16 else { throw .field("\(path).Mode", "Mode CFB128 needs a 128-bit block; a TDES key takes CFB, CFB1, CFB8 or CFB64.") }
            blockMode = .cfb(segmentBits: 128)
        case .OFB: blockMode = .ofb
        }
        var iv = [UInt8](repeating: 0, count: b)
        if let given = initializationVector, blockMode != .ecb {
            guard given.utf8.count == 2 * b, let bytes = Bytes.fromHex(given) else {
                throw .field("\(path).InitializationVector", "InitializationVector must be one \(name) block: \(2 * b) hex digits.")
            }
            iv = bytes
        }
        do {
            if encrypting { return try BlockModes.encrypt(data, cipher: cipher, mode: blockMode, iv: iv) }
            return try BlockModes.decrypt(data, cipher: cipher, mode: blockMode, iv: iv)
        } catch {
            throw DataEncryptionError(field: nil, message: "The data could not be processed with this key.")
        }
    }

    /// The AWS algorithm of a derived working key type.
    static func algorithm(_ type: AESDUKPT.KeyType) -> KeyAlgorithm {
        switch type {
        case .tdes2: .TDES_2KEY
        case .tdes3: .TDES_3KEY
        case .aes128: .AES_128
        case .aes192: .AES_192
        case .aes256, .hmac128, .hmac192, .hmac256: .AES_256
        }
    }

    /// The DUKPT data-encryption working key for a KSN (`Dukpt` member).
    ///
    /// - TDES BDK (ANSI X9.24-1:2009 A.4): KSN of 20 hex digits, or 16 read as `FFFF` and them
    ///   (decision); REQUEST and RESPONSE data variants with the one-way function (Figure A-2);
    ///   BIDIRECTIONAL and any type but TDES_2KEY are refused (decision).
    /// - AES BDK (ANSI X9.24-3-2017): KSN of 24 hex digits; usage 3000/3001/3002 for
    ///   REQUEST/RESPONSE/BIDIRECTIONAL (decision); the type defaults to the BDK's own and may not
    ///   be stronger (model).
    /// - `variant` defaults to REQUEST (decision, following AWS's sample and a published output).
    /// - Returns: the working key, TDES or AES by its type.
    public static func dukptWorkingKey(bdk: SymmetricKeyMaterial, keySerialNumber ksnHex: String, derivationType: DukptDerivationType?,
                                       variant: DukptKeyVariant?, path: String) throws(DataEncryptionError) -> SymmetricKeyMaterial {
        let ksnPath = "\(path).KeySerialNumber"
        let digits = ksnHex.utf8.count
        guard [16, 20, 24].contains(digits), let parsed = Bytes.fromHex(ksnHex) else {
            throw .field(ksnPath, "KeySerialNumber must be 16, 20 or 24 hex digits.")
        }
        let variant = variant ?? .REQUEST
        do {
            if bdk.algorithm == .TDES_2KEY {
                guard digits != 24 else {
                    throw DataEncryptionError.field(ksnPath, "A TDES BDK takes a KeySerialNumber of 20 hex digits (or 16, read as FFFF followed by them); 24 digits is an AES DUKPT KSN.")
                }
                let ksn = digits == 16 ? [0xFF, 0xFF] + parsed : parsed
                if let t = derivationType, t != .TDES_2KEY {
                    throw DataEncryptionError.field("\(path).DukptKeyDerivationType", "DukptKeyDerivationType \(t.rawValue) is not allowed for a TDES_2KEY BDK: a TDES BDK derives TDES_2KEY working keys only.")
                }
                let v: TDESDUKPT.Variant
                switch variant {
                case .REQUEST: v = .dataRequest
                case .RESPONSE: v = .dataResponse
                case .BIDIRECTIONAL:
                    throw DataEncryptionError.field("\(path).DukptKeyVariant", "DukptKeyVariant BIDIRECTIONAL is not supported for a TDES BDK (ANSI X9.24-1 defines only REQUEST and RESPONSE data keys).")
                }
                let tk = try TDESDUKPT.transactionKey(bdk: bdk.bytes, ksn: ksn)
                return try SymmetricKeyMaterial(algorithm: .TDES_2KEY, bytes: TDESDUKPT.workingKey(transactionKey: tk, variant: v))
            }
            guard bdk.algorithm.isAES, let bdkType = AESDUKPT.KeyType.aes(byteCount: bdk.bytes.count) else {
                throw DataEncryptionError(field: nil, message: "\(bdk.algorithm.rawValue) is not a DUKPT base derivation key algorithm for data encryption.")
            }
            guard digits == 24 else {
                throw DataEncryptionError.field(ksnPath, "An AES BDK takes a KeySerialNumber of 24 hex digits (8-byte initial key ID and 32-bit counter).")
            }
            let type = derivationType?.aesDukptKeyType ?? bdkType
            guard type.strength <= bdkType.strength else {
                throw DataEncryptionError.field("\(path).DukptKeyDerivationType", "DukptKeyDerivationType \(type.rawValue) is not allowed for a \(bdk.algorithm.rawValue) BDK: the working key may not be stronger than the BDK.")
            }
            let usage: AESDUKPT.KeyUsage = switch variant {
            case .REQUEST: .dataEncryption
            case .RESPONSE: .dataDecryption
            case .BIDIRECTIONAL: .dataBothWays
            }
            let wk = try AESDUKPT.workingKey(bdk: bdk.bytes, ksn: parsed, usage: usage, type: type)
            return try SymmetricKeyMaterial(algorithm: algorithm(type), bytes: wk)
        } catch let e as DataEncryptionError {
            throw e
        } catch {
            throw DataEncryptionError(field: nil, message: "The DUKPT working key could not be derived from this key.")
        }
    }

    /// The EMV session key of the `Emv` member: ICC master key by option A or B (EMV 4.3 Book 2
    /// A1.4), then the common session key (A1.3.1) with R = `SessionDerivationData` (decision).
    /// Option B needs a PAN longer than 16 digits (decision, as for EmvMac).
    public static func emvSessionKey(issuerMasterKey imk: SymmetricKeyMaterial, option: MajorKeyDerivationMode, pan: String, psn: String,
                                     sessionDerivationData: String, path: String) throws(DataEncryptionError) -> SymmetricKeyMaterial {
        guard (12...19).contains(pan.utf8.count), pan.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .field("\(path).PrimaryAccountNumber", "PrimaryAccountNumber must be 12 to 19 decimal digits.")
        }
        guard psn.utf8.count == 2, psn.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw .field("\(path).PanSequenceNumber", "PanSequenceNumber must be 2 decimal digits.")
        }
        guard sessionDerivationData.utf8.count == 16, let r = Bytes.fromHex(sessionDerivationData) else {
            throw .field("\(path).SessionDerivationData", "SessionDerivationData must be 16 hex digits.")
        }
        do {
            let mk: [UInt8]
            switch option {
            case .EMV_OPTION_A:
                mk = try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: imk.bytes, pan: pan, psn: psn)
            case .EMV_OPTION_B:
                guard pan.utf8.count > 16 else {
                    throw DataEncryptionError.field("\(path).MajorKeyDerivationMode", "EMV_OPTION_B applies only to PANs longer than 16 digits; use EMV_OPTION_A.")
                }
                mk = try EMVKeyDerivation.iccMasterKeyOptionB(issuerMasterKey: imk.bytes, pan: pan, psn: psn)
            }
            return try SymmetricKeyMaterial(algorithm: .TDES_2KEY, bytes: EMVKeyDerivation.commonSessionKey(masterKey: mk, r: r))
        } catch let e as DataEncryptionError {
            throw e
        } catch {
            throw DataEncryptionError(field: nil, message: "The EMV session key could not be derived from this key.")
        }
    }
}
