/// ISO/IEC 9797-1 MAC algorithm 1: CBC-MAC with a zero IV, the full block cipher on every block
/// and no output transformation (ANSI X9.9 with DES, ISO 16609 with TDES).
public enum MACAlgorithm1 {
    /// The full-block MAC under a DES or TDES key (8, 16 or 24 bytes).
    public static func mac(key: TripleDES, message: [UInt8], padding: ISO9797Padding) -> [UInt8] {
        Bytes.bytes(cbcMAC(key: key, padded: padding.pad(message, blockSize: 8)))
    }

    /// The full-block MAC under an AES key.
    public static func mac(key: AESKey, message: [UInt8], padding: ISO9797Padding) throws(PaymentCryptographyError) -> [UInt8] {
        try key.cbcMAC(padding.pad(message, blockSize: 16))
    }

    /// CBC-MAC over data that is already a whole number of 8-byte blocks (no padding).
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` for data that is empty or not block aligned.
    public static func macUnpadded(key: TripleDES, message: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard !message.isEmpty, message.count % 8 == 0 else { throw .invalidDataLength(message.count) }
        return Bytes.bytes(cbcMAC(key: key, padded: message))
    }

    @inline(__always)
    static func cbcMAC(key: TripleDES, padded: [UInt8]) -> UInt64 {
        var chain: UInt64 = 0
        var offset = 0
        while offset < padded.count {
            chain = key.encrypt(block: chain ^ Bytes.uint64(padded, at: offset))
            offset += 8
        }
        return chain
    }
}
