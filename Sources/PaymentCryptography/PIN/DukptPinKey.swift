/// The DUKPT PIN-encryption working key of a terminal's KSN, host side.
///
/// TDES BDK (ANSI X9.24-1:2009): the transaction key of the KSN XOR the PIN variant
/// `00000000000000FF00000000000000FF` (Annex A.4.1, Table A-1). AES BDK (ANSI X9.24-3:2017): the
/// working key of key usage `1000` (PIN encryption) with the requested type (default the BDK's).
/// DukptKeyVariant changes nothing: each standard defines one PIN-encryption key (README
/// Decisions, "PIN: DUKPT PIN keys").
public enum DukptPinKey {
    /// The working key for a BDK and the request's KSN (16, 20 or 24 hex digits) and derivation
    /// type (`TDES_2KEY`, `TDES_3KEY`, `AES_128`, `AES_192`, `AES_256` or nil).
    ///
    /// A TDES BDK (16 bytes) takes a KSN of 20 hex digits, or 16 read as `FFFF` followed by them,
    /// and only a TDES_2KEY working key. An AES BDK takes a KSN of 24 hex digits and a type no
    /// stronger than itself.
    /// - Throws: ``PinError`` naming `ksnField` or `typeField`; a BDK that is neither a TDES_2KEY
    ///   nor an AES key is ``PinError/Kind/keyAlgorithmInvalid``.
    public static func workingKey(bdk: SymmetricKeyMaterial, ksn: String, derivationType: String?,
                                  ksnField: String, typeField: String) throws(PinError) -> PinWorkingKey {
        let count = ksn.utf8.count
        guard [16, 20, 24].contains(count), let ksnBytes = Bytes.fromHex(ksn) else {
            throw .field(ksnField, "\(ksnField) must be 16, 20 or 24 hex digits.")
        }
        var type: AESDUKPT.KeyType?
        if let derivationType {
            guard let t = AESDUKPT.KeyType(rawValue: derivationType), t.strength <= AESDUKPT.KeyType.aes256.strength,
                  !derivationType.hasPrefix("HMAC") else {
                throw .field(typeField, "\(typeField) \(derivationType) cannot protect a PIN block.")
            }
            type = t
        }
        do {
            if bdk.algorithm == .TDES_2KEY {
                guard count != 24 else {
                    throw PinError.field(ksnField, "A TDES BDK takes a \(ksnField) of 20 hex digits (or 16, read as FFFF followed by them); 24 digits is an AES DUKPT KSN.")
                }
                if let type, type != .tdes2 {
                    throw PinError.field(typeField, "\(typeField) \(type.rawValue) is not allowed for a TDES_2KEY BDK: its PIN key is TDES_2KEY.")
                }
                let fullKSN = count == 16 ? [0xFF, 0xFF] + ksnBytes : ksnBytes
                let tk = try TDESDUKPT.transactionKey(bdk: bdk.bytes, ksn: fullKSN)
                return try PinWorkingKey(bytes: TDESDUKPT.workingKey(transactionKey: tk, variant: .pinEncryption), isTDES: true)
            }
            guard bdk.algorithm.isAES, let bdkType = AESDUKPT.KeyType.aes(byteCount: bdk.bytes.count) else {
                throw PinError(.keyAlgorithmInvalid, field: nil, message: "The BDK's algorithm cannot derive DUKPT PIN keys.")
            }
            guard count == 24 else {
                throw PinError.field(ksnField, "An AES BDK takes a \(ksnField) of 24 hex digits (8-byte initial key ID and 32-bit counter).")
            }
            let t = type ?? bdkType
            guard t.strength <= bdkType.strength else {
                throw PinError.field(typeField, "\(typeField) \(t.rawValue) is not allowed for a \(bdk.algorithm.rawValue) BDK: the working key may not be stronger than the BDK.")
            }
            let key = try AESDUKPT.workingKey(bdk: bdk.bytes, ksn: ksnBytes, usage: .pinEncryption, type: t)
            return try PinWorkingKey(bytes: key, isTDES: t == .tdes2 || t == .tdes3)
        } catch let e as PinError {
            throw e
        } catch {
            throw PinError(.invalidField, field: ksnField, message: "The DUKPT PIN key could not be derived for this \(ksnField).")
        }
    }
}
