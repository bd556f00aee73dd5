/// Enciphers a PIN into an encrypted PIN block and deciphers one back to the PIN, for every
/// ``PinBlockFormat`` (ISO 9564-1:2017 §9.3; format 4: §9.3.6 and PCI "Implementing ISO Format 4
/// PIN Blocks"). The block is decoded and checked before the PIN is returned.
public enum PinBlockCipher {
    /// The encrypted PIN block of `pin`: TDES-ECB of (PIN field XOR PAN field) for formats 0, 3
    /// and AS 2805 0, TDES-ECB of the PIN field for format 1 (a PAN given is ignored), and
    /// AES(K, AES(K, PIN field) XOR PAN field) for format 4.
    /// - Throws: ``PinError``: the PIN (`pinField`) or PAN (`panField`) is malformed or missing,
    ///   or the key's algorithm does not fit the format.
    public static func encipher(pin: String, pan: String?, format: PinBlockFormat, key: PinWorkingKey,
                                pinField: String, panField: String,
                                using generator: inout some RandomNumberGenerator) throws(PinError) -> [UInt8] {
        guard key.fits(format) else { throw keyMismatch(format) }
        let field = try PinBlock.pinField(pin: pin, format: format, field: pinField, using: &generator)
        let panBlock: [UInt8]? = try format.needsPAN ? PinBlock.panField(pan: pan, format: format, field: panField) : nil
        switch key {
        case .tdes(let t):
            let clear = panBlock.map { Bytes.xor(field, $0) } ?? field
            return Bytes.bytes(t.encrypt(block: Bytes.uint64(clear, at: 0)))
        case .aes(let a):
            do {
                let intermediate = Bytes.xor(try a.encrypt(block: field), panBlock ?? [UInt8](repeating: 0, count: 16))
                return try a.encrypt(block: intermediate)
            } catch {
                throw PinError(.keyAlgorithmInvalid, field: nil, message: "The key cannot encipher this PIN block.")
            }
        }
    }

    /// ``encipher(pin:pan:format:key:pinField:panField:using:)`` with the system CSPRNG.
    public static func encipher(pin: String, pan: String?, format: PinBlockFormat, key: PinWorkingKey,
                                pinField: String, panField: String) throws(PinError) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return try encipher(pin: pin, pan: pan, format: format, key: key, pinField: pinField, panField: panField, using: &generator)
    }

    /// Deciphers and decodes an encrypted PIN block (hex, either case) to the PIN.
    /// - Throws: ``PinError``: ``PinError/Kind/invalidPinBlock`` naming `blockField` when the hex,
    ///   its length for the key (16 digits TDES, 32 AES) or the decoded block is wrong; a missing
    ///   or malformed PAN names `panField`; a key that does not fit the format is
    ///   ``PinError/Kind/keyAlgorithmInvalid``.
    public static func decipher(_ hex: String, pan: String?, format: PinBlockFormat, key: PinWorkingKey,
                                blockField: String, panField: String) throws(PinError) -> String {
        guard key.fits(format) else { throw keyMismatch(format) }
        let panBlock: [UInt8]? = try format.needsPAN ? PinBlock.panField(pan: pan, format: format, field: panField) : nil
        guard let block = Bytes.fromHex(hex), block.count == format.blockByteCount else { throw .invalidBlock(blockField) }
        let field: [UInt8]
        switch key {
        case .tdes(let t):
            let clear = Bytes.bytes(t.decrypt(block: Bytes.uint64(block, at: 0)))
            field = panBlock.map { Bytes.xor(clear, $0) } ?? clear
        case .aes(let a):
            do {
                let zero = [UInt8](repeating: 0, count: 16)
                let intermediate = Bytes.xor(try a.decryptCBC(block, iv: zero), panBlock ?? zero)
                field = try a.decryptCBC(intermediate, iv: zero)
            } catch {
                throw .invalidBlock(blockField)
            }
        }
        return try PinBlock.pin(fromField: field, format: format, field: blockField)
    }

    static func keyMismatch(_ format: PinBlockFormat) -> PinError {
        PinError(.keyAlgorithmInvalid, field: nil, message: format.isAES
            ? "\(format.rawValue) PIN blocks need an AES key."
            : "\(format.rawValue) PIN blocks need a TDES key.")
    }
}
