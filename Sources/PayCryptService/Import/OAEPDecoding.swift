import Crypto
import Foundation
import _CryptoExtras

/// RSAES-OAEP decryption (RFC 8017 §7.1.2) for hashes that swift-crypto does not offer.
///
/// Written by hand because swift-crypto's `_RSA.Encryption.Padding` has OAEP with SHA-1 and
/// SHA-256 only, and AWS's `RSA_OAEP_SHA_512` needs SHA-512 with MGF1-SHA-512. Only the
/// padding is hand-written: the RSA private-key operation itself (RSADP, §5.1.2) is BoringSSL's
/// constant-time, blinded implementation, reached through swift-crypto's
/// `_RSA.BlindSigning.PrivateKey.blindSignature(for:)`. That call is RFC 9474's BlindSign, which
/// is RSASP1 (`s = m^d mod n` with no padding, after checking `m < n`), and RSASP1 is the same
/// computation as RSADP. The blind-signing parameters it is created with play no part in it.
///
/// The decoding runs every check on every byte and folds the outcomes into one flag, so that
/// neither timing nor the error tells which check failed (a padding oracle, Manger 2001).
/// It is constant-time in intent, not audited: the Swift optimiser gives no guarantee.
enum OAEPDecoding {
    /// RSAES-OAEP-DECRYPT(K, C, L) with an empty label L and MGF1 over `hash`.
    /// - Parameters:
    ///   - ciphertext: C, already checked to be exactly as long as the modulus.
    ///   - key: K.
    ///   - hash: The label hash and the MGF1 hash.
    /// - Throws: ``KeyCryptogramError/decryptionFailed`` whatever went wrong.
    static func decrypt<H: HashFunction>(
        _ ciphertext: [UInt8],
        with key: _RSA.Signing.PrivateKey,
        hash: H.Type
    ) throws(KeyCryptogramError) -> [UInt8] {
        let k = key.keySizeInBits / 8
        guard ciphertext.count == k else { throw .ciphertextLength(expected: k, actual: ciphertext.count) }
        let encoded = try rsadp(ciphertext, with: key)
        return try emeOAEPDecode(encoded, label: [], hash: H.self)
    }

    /// RSADP (§5.1.2): `m = c^d mod n`, as `k` bytes (I2OSP of m). Fails if `c >= n`.
    static func rsadp(_ ciphertext: [UInt8], with key: _RSA.Signing.PrivateKey) throws(KeyCryptogramError) -> [UInt8] {
        let k = key.keySizeInBits / 8
        do {
            let raw = try _RSA.BlindSigning.PrivateKey(
                derRepresentation: key.derRepresentation,
                parameters: .RSABSSA_SHA384_PSS_Deterministic
            )
            let m = Array(try raw.blindSignature(for: ciphertext).rawRepresentation)
            guard m.count == k else { throw KeyCryptogramError.decryptionFailed }
            return m
        } catch {
            throw .decryptionFailed
        }
    }

    /// EME-OAEP decoding (§7.1.2 step 3) of the encoded message `EM = Y || maskedSeed || maskedDB`.
    /// - Parameters:
    ///   - encoded: EM, `k` bytes.
    ///   - label: L (AWS uses the empty label).
    ///   - hash: The label hash and the MGF1 hash.
    /// - Returns: M.
    /// - Throws: ``KeyCryptogramError/decryptionFailed``, one error for every failed check.
    static func emeOAEPDecode<H: HashFunction>(
        _ encoded: [UInt8],
        label: [UInt8],
        hash: H.Type
    ) throws(KeyCryptogramError) -> [UInt8] {
        let hLen = H.Digest.byteCount
        let k = encoded.count
        // §7.1.2 step 1c: k < 2hLen + 2 is a property of the key, not of the ciphertext.
        guard k >= 2 * hLen + 2 else { throw .decryptionFailed }

        // 3a. lHash = Hash(L).
        let lHash = Array(H.hash(data: label))
        // 3b. EM = Y || maskedSeed || maskedDB.
        let y = encoded[0]
        let maskedSeed = encoded[1...hLen]
        let maskedDB = encoded[(hLen + 1)...]
        // 3c–3f. seed = maskedSeed ⊕ MGF(maskedDB, hLen); DB = maskedDB ⊕ MGF(seed, k − hLen − 1).
        let seedMask = mgf1(seed: maskedDB, length: hLen, hash: H.self)
        let seed = zip(maskedSeed, seedMask).map { $0 ^ $1 }
        let dbMask = mgf1(seed: seed, length: k - hLen - 1, hash: H.self)
        let db = zip(maskedDB, dbMask).map { $0 ^ $1 }

        // 3g. DB = lHash' || PS || 0x01 || M; Y must be 0, lHash' must equal lHash, PS must be
        // zeros ending in 0x01. Every byte is looked at; `bad` collects every failure.
        var bad: UInt8 = y
        for i in 0..<hLen { bad |= db[i] ^ lHash[i] }
        var lookingForSeparator: UInt8 = 0xFF  // 0xFF until the 0x01 separator has been seen
        var separatorIndex = 0
        for i in hLen..<db.count {
            let isOne = equalMask(db[i], 0x01)
            let isZero = equalMask(db[i], 0x00)
            let found = lookingForSeparator & isOne
            separatorIndex = select(found, i, separatorIndex)
            bad |= lookingForSeparator & ~isOne & ~isZero
            lookingForSeparator &= ~isOne
        }
        bad |= lookingForSeparator
        guard bad == 0 else { throw .decryptionFailed }
        return Array(db[(separatorIndex + 1)...])
    }

    /// MGF1 (RFC 8017 §B.2.1): `Hash(seed || C)` for C = 0, 1, … (4 bytes big-endian), cut to `length`.
    static func mgf1<H: HashFunction>(seed: some Collection<UInt8>, length: Int, hash: H.Type) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(length + H.Digest.byteCount)
        var counter: UInt32 = 0
        while output.count < length {
            var hasher = H()
            hasher.update(data: Array(seed))
            hasher.update(data: [
                UInt8(truncatingIfNeeded: counter >> 24), UInt8(truncatingIfNeeded: counter >> 16),
                UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter),
            ])
            output.append(contentsOf: hasher.finalize())
            counter += 1
        }
        return Array(output.prefix(length))
    }

    /// 0xFF if `a == b`, else 0x00, without a branch on the values.
    @inline(__always)
    static func equalMask(_ a: UInt8, _ b: UInt8) -> UInt8 {
        let x = UInt16(a ^ b)  // 0 when equal, 1...255 otherwise
        return UInt8(truncatingIfNeeded: (x &- 1) >> 8)  // 0xFFFF >> 8 = 0xFF, else 0
    }

    /// `ifSet` when `mask` is 0xFF, `otherwise` when it is 0x00, without a branch on the mask.
    @inline(__always)
    static func select(_ mask: UInt8, _ ifSet: Int, _ otherwise: Int) -> Int {
        let wide = Int(Int8(bitPattern: mask))  // -1 (all ones) or 0
        return (ifSet & wide) | (otherwise & ~wide)
    }
}
