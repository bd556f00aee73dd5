/// AS 2805.6 node-to-node key management as AWS's AS2805 samples compute it (AS 2805.6;
/// README, "AS2805 key exchange"): keys travel as TDES-CBC cryptograms under a *variant* of the KEK, and a KEK is
/// validated by exchanging random keys under two of its variants. TDES only.
public enum AS2805KeyExchange {
    /// The key variants of AS 2805.6 node-to-node key exchange, each a two-byte pattern (AWS's AS2805
    /// samples; README Decisions, "AS2805").
    public enum Variant: Sendable, CaseIterable {
        /// The terminal major key / KEK (pattern `00C0`), PIN encryption key (ZPK, `28C0`), message
        /// authentication key (ZAK, `24C0`) and data encryption key (ZEK, `22C0`) variants.
        case terminalMajorKey, pinEncryptionKey, messageAuthenticationKey, dataEncryptionKey

        /// The mask pattern repeated over the KEK: `00C0`, `28C0`, `24C0`, `22C0`.
        public var pattern: [UInt8] {
            switch self {
            case .terminalMajorKey: [0x00, 0xC0]
            case .pinEncryptionKey: [0x28, 0xC0]
            case .messageAuthenticationKey: [0x24, 0xC0]
            case .dataEncryptionKey: [0x22, 0xC0]
            }
        }
    }

    /// The variant masks of KEK validation: the request pattern for KRs and the response pattern for
    /// KRr (AWS sample `as2805_1_5`: `82` / `84`; `82C0` / `84C0` by the variants' two-byte
    /// construction, README Decisions, "AS2805").
    public enum ValidationMask: Sendable, CaseIterable {
        /// `82` / `84` and `82C0` / `84C0`.
        case mask82, mask82C0

        /// The pattern of the request side (KEKs).
        public var requestPattern: [UInt8] { self == .mask82 ? [0x82] : [0x82, 0xC0] }
        /// The pattern of the response side (KEKr).
        public var responsePattern: [UInt8] { self == .mask82 ? [0x84] : [0x84, 0xC0] }
    }

    /// KEK ⊕ (pattern repeated to the KEK's length).
    public static func variantKey(_ kek: [UInt8], pattern: [UInt8]) -> [UInt8] {
        guard !pattern.isEmpty else { return kek }
        return kek.enumerated().map { $0.element ^ pattern[$0.offset % pattern.count] }
    }

    /// The cryptogram of `key` (16 or 24 bytes): TDES-CBC under the variant KEK, IV zero, no padding.
    /// - Throws: ``PaymentCryptographyError`` for a KEK or key of another length.
    public static func wrap(_ key: [UInt8], kek: [UInt8], variant: Variant) throws(PaymentCryptographyError) -> [UInt8] {
        guard key.count == 16 || key.count == 24 else { throw .invalidKeyLength(key.count) }
        return try TripleDES(key: variantKey(kek, pattern: variant.pattern)).encryptCBC(key)
    }

    /// The key of a cryptogram (16 or 24 bytes): the inverse of ``wrap(_:kek:variant:)``.
    /// - Throws: ``PaymentCryptographyError`` for a KEK or cryptogram of another length.
    public static func unwrap(_ cryptogram: [UInt8], kek: [UInt8], variant: Variant) throws(PaymentCryptographyError) -> [UInt8] {
        guard cryptogram.count == 16 || cryptogram.count == 24 else { throw .invalidDataLength(cryptogram.count) }
        return try TripleDES(key: variantKey(kek, pattern: variant.pattern)).decryptCBC(cryptogram)
    }

    /// inv(RND): every byte complemented, then its low bit set so that the byte has odd parity
    /// (AWS sample `as2805_1_5`).
    public static func invert(_ random: [UInt8]) -> [UInt8] {
        random.map { b in
            let c = ~b & 0xFE
            return (c.nonzeroBitCount % 2 == 0) ? c | 1 : c
        }
    }

    /// The KEK validation pair (AS 2805.6, as AWS's `as2805_1_5` sample computes it): KRs = TDES-CBC(KEK ⊕ request pattern, RNDs),
    /// KRr = TDES-CBC(KEK ⊕ response pattern, inv(RNDs)), IV zero.
    /// - Throws: ``PaymentCryptographyError`` for lengths TDES does not take.
    public static func kekValidation(kek: [UInt8], random: [UInt8], requestPattern: [UInt8],
                                     responsePattern: [UInt8]) throws(PaymentCryptographyError) -> (send: [UInt8], receive: [UInt8]) {
        let send = try TripleDES(key: variantKey(kek, pattern: requestPattern)).encryptCBC(random)
        let receive = try TripleDES(key: variantKey(kek, pattern: responsePattern)).encryptCBC(invert(random))
        return (send, receive)
    }

    /// RNDs of a received KRs: TDES-CBC⁻¹(KEK ⊕ request pattern, KRs).
    /// - Throws: ``PaymentCryptographyError`` for lengths TDES does not take.
    public static func randomOfSend(kek: [UInt8], send: [UInt8], requestPattern: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        try TripleDES(key: variantKey(kek, pattern: requestPattern)).decryptCBC(send)
    }
}
