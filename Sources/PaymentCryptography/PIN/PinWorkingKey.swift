/// The key that enciphers or deciphers a PIN block: a TDES key (formats 0, 1, 3, AS 2805 0) or
/// an AES key (format 4 only; AWS user guide, "AES key types only support ISO Format 4 pin blocks").
public enum PinWorkingKey: Sendable {
    /// A TDES key of 16 or 24 bytes.
    case tdes(TripleDES)
    /// An AES key of 16, 24 or 32 bytes.
    case aes(AESKey)

    /// A working key from clear TDES or AES material (a stored PEK).
    /// - Throws: ``PinError`` of kind ``PinError/Kind/keyAlgorithmInvalid`` for other algorithms.
    public init(material: SymmetricKeyMaterial) throws(PinError) {
        switch material.cipher {
        case .tdes(let t, _): self = .tdes(t)
        case .aes(let a): self = .aes(a)
        case .hmac?, nil: throw PinError(.keyAlgorithmInvalid, field: nil, message: "The key algorithm cannot encipher PIN blocks.")
        }
    }

    /// A working key from derived bytes: TDES when `isTDES`, else AES.
    /// - Throws: ``PinError`` of kind ``PinError/Kind/keyAlgorithmInvalid`` when the length does not fit.
    public init(bytes: [UInt8], isTDES: Bool) throws(PinError) {
        do {
            self = isTDES ? .tdes(try TripleDES(key: bytes)) : .aes(try AESKey(key: bytes))
        } catch {
            throw PinError(.keyAlgorithmInvalid, field: nil, message: "The derived key cannot encipher PIN blocks.")
        }
    }

    /// True for an AES key.
    public var isAES: Bool { if case .aes = self { true } else { false } }

    /// True when the key's algorithm serves `format` (AES for format 4 only, TDES for the others).
    public func fits(_ format: PinBlockFormat) -> Bool { isAES == format.isAES }
}
