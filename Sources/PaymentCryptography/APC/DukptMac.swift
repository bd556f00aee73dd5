/// The DUKPT side of GenerateMac/VerifyMac: from the BDK and `MacAlgorithmDukpt` to the working key.
enum DukptMac {
    enum WorkingKey {
        case tdes([UInt8])
        case aes([UInt8])
    }

    /// Parses the KSN. 20 digits: a TDES KSN; 16 digits: a TDES KSN without its leading `FFFF`
    /// key set id (decision); 24 digits: an AES DUKPT KSN.
    static func ksnBytes(_ ksn: String, path: String) throws(MacRequestError) -> [UInt8] {
        let count = ksn.utf8.count
        guard [16, 20, 24].contains(count), let bytes = Bytes.fromHex(ksn) else {
            throw .field(path, "KeySerialNumber must be 16, 20 or 24 hex digits.")
        }
        return count == 16 ? [0xFF, 0xFF] + bytes : bytes
    }

    static func workingKey(bdk: SymmetricKeyMaterial, attributes d: DukptMacAttributes, path: String, isoAlgorithm: Bool) throws(MacRequestError) -> WorkingKey {
        let ksnPath = "\(path).KeySerialNumber"
        let ksn = try ksnBytes(d.keySerialNumber, path: ksnPath)
        do {
            if bdk.algorithm.isTDES {
                guard ksn.count == 10 else {
                    throw MacRequestError.field(ksnPath, "A TDES BDK takes a KeySerialNumber of 20 hex digits (or 16, read as FFFF followed by them); 24 digits is an AES DUKPT KSN.")
                }
                if let t = d.derivationType {
                    guard t == .TDES_2KEY || (t == .TDES_3KEY && bdk.algorithm == .TDES_3KEY) else {
                        throw MacRequestError.field("\(path).DukptDerivationType", "DukptDerivationType \(t.rawValue) is not allowed for a \(bdk.algorithm.rawValue) BDK: the working key may not be stronger than the BDK.")
                    }
                }
                let variant: TDESDUKPT.Variant
                switch d.keyVariant {
                case .REQUEST: variant = .macRequest
                case .RESPONSE: variant = .macResponse
                case .BIDIRECTIONAL:
                    throw MacRequestError.field("\(path).DukptKeyVariant", "DukptKeyVariant BIDIRECTIONAL is not supported for a TDES BDK (ANSI X9.24-1 defines only REQUEST and RESPONSE MAC keys).")
                }
                let tk = try TDESDUKPT.transactionKey(bdk: bdk.bytes, ksn: ksn)
                return .tdes(try TDESDUKPT.workingKey(transactionKey: tk, variant: variant))
            }
            guard bdk.algorithm.isAES, let bdkType = AESDUKPT.KeyType.aes(byteCount: bdk.bytes.count) else {
                throw MacOperation.keyAlgorithmInvalid()
            }
            guard ksn.count == 12, d.keySerialNumber.utf8.count == 24 else {
                throw MacRequestError.field(ksnPath, "An AES BDK takes a KeySerialNumber of 24 hex digits (8-byte initial key ID and 32-bit counter).")
            }
            let type = d.derivationType?.aesDukptKeyType ?? bdkType
            guard type.strength <= bdkType.strength else {
                throw MacRequestError.field("\(path).DukptDerivationType", "DukptDerivationType \(type.rawValue) is not allowed for a \(bdk.algorithm.rawValue) BDK: the working key may not be stronger than the BDK.")
            }
            let isTDES = type == .tdes2 || type == .tdes3
            if isoAlgorithm && !isTDES {
                throw MacRequestError.field("\(path).DukptDerivationType", "ISO 9797-1 DUKPT MACs need a TDES working key: set DukptDerivationType to TDES_2KEY or TDES_3KEY for an AES BDK.")
            }
            let usage: AESDUKPT.KeyUsage = switch d.keyVariant {
            case .REQUEST: .macGeneration
            case .RESPONSE: .macVerification
            case .BIDIRECTIONAL: .macBothWays
            }
            let wk = try AESDUKPT.workingKey(bdk: bdk.bytes, ksn: ksn, usage: usage, type: type)
            return isTDES ? .tdes(wk) : .aes(wk)
        } catch let e as MacRequestError {
            throw e
        } catch {
            throw MacRequestError(.invalidField, field: nil, message: "The DUKPT working key could not be derived from this key.")
        }
    }

    /// The DUKPT message rule (live): at least 8 bytes; whole 8-byte blocks for the ISO 9797 variants.
    static func checkMessage(_ message: [UInt8], blocks: Bool, member: String) throws(MacRequestError) {
        guard message.count >= 8 else {
            throw .field("MessageData", "MessageData must be at least 8 bytes for \(member).")
        }
        if blocks && message.count % 8 != 0 {
            throw .field("MessageData", "MessageData must be a whole number of 8-byte blocks for \(member) (no padding is applied).")
        }
    }
}
