/// The key block encryption key (KBEK) and key block authentication key (KBAK) derived from a
/// key block protection key, per version (ANSI X9.143 §6.1 and §6.2).
///
/// Internal: the derived keys are key material and leave this file only to bind one block.
enum TR31KeyDerivation {
    /// KBEK and KBAK.
    struct Keys {
        var encryption: [UInt8]
        var authentication: [UInt8]
    }

    /// Versions A and C (key variant binding): KBEK = KBPK ⊕ `45…`, KBAK = KBPK ⊕ `4D…`.
    static func variant(_ kbpk: [UInt8]) -> Keys {
        Keys(encryption: kbpk.map { $0 ^ 0x45 }, authentication: kbpk.map { $0 ^ 0x4D })
    }

    /// Version B: TDES-CMAC in SP 800-108 counter mode. For i = 1, 2 (3 for a triple-length KBPK)
    /// each key takes CMAC(KBPK, i ‖ usage(2) ‖ `00` ‖ algorithm(2) ‖ length(2)), with usage `0000`
    /// for the KBEK and `0001` for the KBAK, algorithm `0000` (2-key) or `0001` (3-key), length
    /// `0080` or `00C0`.
    static func tdes(_ kbpk: [UInt8]) throws(TR31Error) -> Keys {
        let cmac: TDESCMAC
        do { cmac = TDESCMAC(key: try TripleDES(key: kbpk)) } catch { throw .invalidProtectionKeyLength(kbpk.count) }
        let (algorithm, bits): (UInt8, UInt16) = kbpk.count == 24 ? (0x01, 0x00C0) : (0x00, 0x0080)
        var keys = Keys(encryption: [], authentication: [])
        for i in 1...(kbpk.count / 8) {
            keys.encryption += cmac.mac(derivationData(counter: UInt8(i), usage: 0x0000, algorithm: UInt16(algorithm), bits: bits))
            keys.authentication += cmac.mac(derivationData(counter: UInt8(i), usage: 0x0001, algorithm: UInt16(algorithm), bits: bits))
        }
        return keys
    }

    /// Version D: AES-CMAC in SP 800-108 counter mode, as version B with algorithm `0002`/`0003`/`0004`
    /// and length `0080`/`00C0`/`0100` for AES-128/192/256; one CMAC (AES-128) or two, truncated
    /// to the KBPK length.
    static func aes(_ kbpk: [UInt8]) throws(TR31Error) -> Keys {
        let key: AESKey
        do { key = try AESKey(key: kbpk) } catch { throw .invalidProtectionKeyLength(kbpk.count) }
        let algorithm: UInt16 = switch kbpk.count {
        case 16: 0x0002
        case 24: 0x0003
        default: 0x0004
        }
        let bits = UInt16(kbpk.count * 8)
        var keys = Keys(encryption: [], authentication: [])
        for i in 1...(kbpk.count == 16 ? 1 : 2) {
            keys.encryption += key.cmac(derivationData(counter: UInt8(i), usage: 0x0000, algorithm: algorithm, bits: bits))
            keys.authentication += key.cmac(derivationData(counter: UInt8(i), usage: 0x0001, algorithm: algorithm, bits: bits))
        }
        return Keys(encryption: Array(keys.encryption.prefix(kbpk.count)), authentication: Array(keys.authentication.prefix(kbpk.count)))
    }

    /// The 8-byte derivation data: counter ‖ key usage indicator ‖ separator `00` ‖ algorithm
    /// indicator ‖ length in bits.
    static func derivationData(counter: UInt8, usage: UInt16, algorithm: UInt16, bits: UInt16) -> [UInt8] {
        [counter, UInt8(usage >> 8), UInt8(usage & 0xFF), 0x00,
         UInt8(algorithm >> 8), UInt8(algorithm & 0xFF), UInt8(bits >> 8), UInt8(bits & 0xFF)]
    }
}
