/// The clear key data of a TR-31 key block: the key length in bits (2 bytes, big-endian) ‖ key ‖
/// padding, a whole number of cipher blocks. The padding is random and may be longer than needed
/// so that the key's true length is hidden (masked).
enum TR31KeyData {
    /// The longest key the 2-byte bit length can describe, in bytes.
    static let maximumKeyLength = 0xFFFF / 8

    /// Length ‖ key ‖ padding.
    static func encode(key: [UInt8], padding: [UInt8]) -> [UInt8] {
        let bits = key.count * 8
        return [UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits)] + key + padding
    }

    /// The key inside decrypted key data.
    /// - Throws: ``TR31Error/invalidKeyLengthField(bits:available:)`` when the length is zero, not
    ///   whole bytes, or longer than the data after it.
    static func decode(_ clear: [UInt8]) throws(TR31Error) -> [UInt8] {
        guard clear.count >= 2 else { throw .invalidKeyLengthField(bits: 0, available: 0) }
        let bits = Int(clear[0]) << 8 | Int(clear[1])
        let available = clear.count - 2
        guard bits > 0, bits % 8 == 0, bits / 8 <= available else { throw .invalidKeyLengthField(bits: bits, available: available) }
        return Array(clear[2..<(2 + bits / 8)])
    }

    /// The number of padding bytes for a key of `keyByteCount` bytes masked as `maskedKeyLength`
    /// bytes (nil or shorter than the key: no masking): the masking bytes, then the fewest bytes
    /// that reach a whole block.
    static func paddingByteCount(keyByteCount: Int, maskedKeyLength: Int?, blockSize: Int) -> Int {
        let masked = max(maskedKeyLength ?? keyByteCount, keyByteCount)
        return masked - keyByteCount + (blockSize - (2 + masked) % blockSize) % blockSize
    }
}
