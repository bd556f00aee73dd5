/// ISO/IEC 9797-1 MAC algorithm 3, the retail MAC (ANSI X9.19): single-DES CBC under K over
/// every block, then the output transformation E_K(D_K'(H_q)).
public struct RetailMAC: Sendable {
    let k: DES
    let kPrime: DES

    /// Creates the MAC from K and K' (8 bytes each).
    /// - Throws: ``PaymentCryptographyError/invalidKeyLength(_:)`` unless both are 8 bytes.
    public init(k: [UInt8], kPrime: [UInt8]) throws(PaymentCryptographyError) {
        self.k = try DES(key: k)
        self.kPrime = try DES(key: kPrime)
    }

    /// Creates the MAC from a double- or triple-length TDES key: K and K' are its first two
    /// parts (a 24-byte key's third part is not used).
    /// - Throws: ``PaymentCryptographyError/invalidKeyLength(_:)`` unless the key has 16 or 24 bytes.
    public init(tdesKey key: [UInt8]) throws(PaymentCryptographyError) {
        guard key.count == 16 || key.count == 24 else { throw .invalidKeyLength(key.count) }
        try self.init(k: Array(key[0..<8]), kPrime: Array(key[8..<16]))
    }

    /// The full 8-byte MAC of `message` with the given padding.
    public func mac(_ message: [UInt8], padding: ISO9797Padding) -> [UInt8] {
        Bytes.bytes(finish(chain(padding.pad(message, blockSize: 8))))
    }

    /// The full 8-byte MAC of a message that is already whole blocks (no padding).
    /// - Throws: ``PaymentCryptographyError/invalidDataLength(_:)`` for data that is empty or not block aligned.
    public func macUnpadded(_ message: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        guard !message.isEmpty, message.count % 8 == 0 else { throw .invalidDataLength(message.count) }
        return Bytes.bytes(finish(chain(message)))
    }

    @inline(__always)
    private func chain(_ padded: [UInt8]) -> UInt64 {
        var h: UInt64 = 0
        var offset = 0
        while offset < padded.count {
            h = k.encrypt(block: h ^ Bytes.uint64(padded, at: offset))
            offset += 8
        }
        return h
    }

    @inline(__always)
    private func finish(_ h: UInt64) -> UInt64 { k.encrypt(block: kPrime.decrypt(block: h)) }
}
