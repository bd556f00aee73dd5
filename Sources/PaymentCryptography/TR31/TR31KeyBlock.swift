/// A key unwrapped from a TR-31 key block, with the block's header.
///
/// `description` shows the header and the key length, never the key.
public struct TR31UnwrappedKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The header the block carried (its MAC verified).
    public let header: TR31Header
    /// The clear key.
    public let key: [UInt8]

    /// The version, key usage, algorithm and key length; never the key.
    public var description: String {
        "TR31UnwrappedKey(\(header.version.rawValue) \(header.keyUsage) \(header.algorithm) \(header.modeOfUse), \(key.count) bytes)"
    }

    /// The same as `description`.
    public var debugDescription: String { description }
}

/// TR-31 / ANSI X9.143 key blocks, versions A, B, C and D: wrap a key under a key block protection
/// key with a header, and unwrap one (ANSI X9.143 / ASC X9 TR 31).
///
/// A key block is ASCII: header ‖ optional blocks ‖ hex(encrypted key data) ‖ hex(MAC). The MAC
/// binds the header as received, so an unwrapped header is exactly what the sender wrote.
/// Nothing here checks that the header's key usage, algorithm or mode of use suit the key: that
/// is policy for the caller.
public enum TR31KeyBlock {
    /// Unwraps a key block: checks its layout, verifies its MAC (in constant time) and decrypts.
    /// Hex in the key data and MAC may be either case.
    /// - Parameters:
    ///   - keyBlock: the whole key block.
    ///   - protectionKey: the KBPK; its algorithm and length must suit the block's version.
    /// - Returns: the header and the key.
    /// - Throws: ``TR31Error`` naming the check that failed: ``TR31Error/headerTooShort(length:)``,
    ///   ``TR31Error/unsupportedVersion(_:)``, ``TR31Error/invalidLengthField(_:)``,
    ///   ``TR31Error/lengthMismatch(declared:actual:)``, ``TR31Error/invalidHeaderField(_:value:)``,
    ///   ``TR31Error/malformedOptionalBlock(index:id:_:)``, ``TR31Error/notBlockAligned(length:blockSize:)``,
    ///   ``TR31Error/invalidKeyDataField(length:)``, ``TR31Error/invalidMACField``,
    ///   ``TR31Error/protectionKeyMismatch(version:algorithm:byteCount:)``, ``TR31Error/macMismatch`` or
    ///   ``TR31Error/invalidKeyLengthField(bits:available:)``.
    public static func unwrap(_ keyBlock: String, using protectionKey: TR31ProtectionKey) throws(TR31Error) -> TR31UnwrappedKey {
        let text = Array(keyBlock.utf8)
        let version = try TR31Header.parseVersion(text)
        let declared = try TR31Header.parseLength(text)
        guard declared == text.count else { throw .lengthMismatch(declared: declared, actual: text.count) }
        let parsed = try TR31Header.parse(text)
        guard text.count % version.blockSize == 0 else { throw .notBlockAligned(length: text.count, blockSize: version.blockSize) }

        let macDigits = 2 * version.macByteCount
        let keyDataDigits = text.count - parsed.length - macDigits
        guard keyDataDigits > 0, keyDataDigits % (2 * version.blockSize) == 0,
              let ciphertext = Bytes.fromHex(TR31Text.string(text[parsed.length..<(parsed.length + keyDataDigits)])) else {
            throw .invalidKeyDataField(length: max(0, keyDataDigits))
        }
        guard let mac = Bytes.fromHex(TR31Text.string(text[(text.count - macDigits)...])) else { throw .invalidMACField }

        let binding = try TR31Binding(version: version, protectionKey: protectionKey)
        let clear = try binding.open(header: Array(text[..<parsed.length]), ciphertext: ciphertext, mac: mac)
        return TR31UnwrappedKey(header: parsed.header, key: try TR31KeyData.decode(clear))
    }

    /// Wraps a key with random padding.
    /// - Parameters:
    ///   - key: the key to wrap (1 to 8191 bytes).
    ///   - header: the header; its version decides the binding. Its `PB` blocks are replaced by
    ///     the padding block this version needs.
    ///   - protectionKey: the KBPK; its algorithm and length must suit the version.
    ///   - maskedKeyLength: when longer than the key, the key data is padded as if the key had
    ///     this many bytes, hiding the true length (psec masks to ``maskedKeyLength(for:)`` by
    ///     default; here nil means no masking). The padding then reaches the next whole block.
    /// - Returns: the key block.
    /// - Throws: ``TR31Error/invalidKeyLength(_:)``, ``TR31Error/protectionKeyMismatch(version:algorithm:byteCount:)``,
    ///   ``TR31Error/tooManyOptionalBlocks(_:)`` or ``TR31Error/keyBlockTooLong(_:)``.
    public static func wrap(_ key: [UInt8], header: TR31Header, using protectionKey: TR31ProtectionKey,
                            maskedKeyLength: Int? = nil) throws(TR31Error) -> String {
        guard (1...TR31KeyData.maximumKeyLength).contains(key.count) else { throw .invalidKeyLength(key.count) }
        let count = TR31KeyData.paddingByteCount(keyByteCount: key.count, maskedKeyLength: maskedKeyLength.map { min($0, TR31KeyData.maximumKeyLength) },
                                                 blockSize: header.version.blockSize)
        var generator = SystemRandomNumberGenerator()
        let padding = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return try wrap(key, header: header, using: protectionKey, padding: padding)
    }

    /// Wraps a key with the given padding bytes: deterministic, for known-answer and differential
    /// tests. Real key blocks should use random padding (``wrap(_:header:using:maskedKeyLength:)``).
    /// - Parameters:
    ///   - key: the key to wrap (1 to 8191 bytes).
    ///   - header: the header, as for the random-padding wrap.
    ///   - protectionKey: the KBPK.
    ///   - padding: the bytes after the key; 2 + key + padding must be whole cipher blocks
    ///     (longer padding masks the key length).
    /// - Returns: the key block.
    /// - Throws: as the random-padding wrap, and ``TR31Error/invalidPadding(byteCount:blockSize:)``.
    public static func wrap(_ key: [UInt8], header: TR31Header, using protectionKey: TR31ProtectionKey,
                            padding: [UInt8]) throws(TR31Error) -> String {
        guard (1...TR31KeyData.maximumKeyLength).contains(key.count) else { throw .invalidKeyLength(key.count) }
        let version = header.version
        let dataCount = 2 + key.count + padding.count
        guard dataCount % version.blockSize == 0 else { throw .invalidPadding(byteCount: dataCount, blockSize: version.blockSize) }
        let binding = try TR31Binding(version: version, protectionKey: protectionKey)
        let blocks = try header.serializedOptionalBlocks()
        let length = 16 + blocks.text.count + 2 * dataCount + 2 * version.macByteCount
        guard length <= 9999 else { throw .keyBlockTooLong(length) }
        let headerText = try header.fixedHeader(blockLength: length, blockCount: blocks.count) + blocks.text
        let sealed = try binding.seal(header: headerText, clearKeyData: TR31KeyData.encode(key: key, padding: padding))
        return TR31Text.string(headerText) + Bytes.hex(sealed.ciphertext) + Bytes.hex(sealed.mac)
    }

    /// The length psec masks a key to by default: the longest key of the header's algorithm,
    /// 24 bytes for TDES (`T`) and DES (`D`), 32 for AES (`A`); nil for other algorithms.
    public static func maskedKeyLength(for algorithm: TR31Algorithm) -> Int? {
        switch algorithm {
        case .tdes, .des: 24
        case .aes: 32
        default: nil
        }
    }
}
