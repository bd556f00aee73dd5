/// The two-character ID of a TR-31 optional block. Any two ASCII letters or digits are valid; the
/// ones ANSI X9.143 defines are named constants.
public struct TR31OptionalBlockID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The two characters, e.g. `KS`.
    public let rawValue: String

    /// Accepts any two ASCII letters or digits.
    public init?(rawValue: String) {
        guard TR31Text.isAlphanumeric(rawValue, count: 2) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// The two characters.
    public var description: String { rawValue }

    /// `AL` asymmetric key life.
    public static let asymmetricKeyLife = TR31OptionalBlockID(known: "AL")
    /// `BI` base derivation key identifier (TDES KSI or AES BDK ID).
    public static let bdkIdentifier = TR31OptionalBlockID(known: "BI")
    /// `CT` public key certificate.
    public static let certificate = TR31OptionalBlockID(known: "CT")
    /// `DA` derivations allowed.
    public static let derivationsAllowed = TR31OptionalBlockID(known: "DA")
    /// `HM` hash algorithm of an HMAC key.
    public static let hmacHash = TR31OptionalBlockID(known: "HM")
    /// `IK` initial key identifier of an AES DUKPT initial key.
    public static let initialKeyIdentifier = TR31OptionalBlockID(known: "IK")
    /// `KC` key check value of the wrapped key.
    public static let keyCheckValue = TR31OptionalBlockID(known: "KC")
    /// `KP` key check value of the key block protection key.
    public static let protectionKeyCheckValue = TR31OptionalBlockID(known: "KP")
    /// `KS` initial key serial number of a TDES DUKPT initial key.
    public static let keySerialNumber = TR31OptionalBlockID(known: "KS")
    /// `KV` key block values (version of the optional block set).
    public static let keyBlockValues = TR31OptionalBlockID(known: "KV")
    /// `LB` label.
    public static let label = TR31OptionalBlockID(known: "LB")
    /// `PB` padding: fills the optional blocks to a whole cipher block. Wrapping recomputes it.
    public static let padding = TR31OptionalBlockID(known: "PB")
    /// `TC` time of creation.
    public static let creationTime = TR31OptionalBlockID(known: "TC")
    /// `TS` time stamp.
    public static let timeStamp = TR31OptionalBlockID(known: "TS")
    /// `WP` wrapping pedigree.
    public static let wrappingPedigree = TR31OptionalBlockID(known: "WP")
}

/// One optional block of a TR-31 header: ID ‖ length ‖ data. The length (2 hex digits, counting
/// the 4 characters of ID and length) is written when the header is serialised; data longer than
/// 251 characters uses the extended form `00` ‖ length-of-length `02` ‖ 4 hex digits.
public struct TR31OptionalBlock: Hashable, Sendable {
    /// The block ID.
    public let id: TR31OptionalBlockID
    /// The block data, printable ASCII.
    public let data: String

    /// The longest data the extended length form written here (4 hex digits) can describe.
    public static let maximumDataLength = 0xFFFF - 10

    /// Creates a block.
    /// - Throws: ``TR31Error/malformedOptionalBlock(index:id:_:)`` with
    ///   ``TR31OptionalBlockProblem/invalidData`` when `data` is not printable ASCII, or
    ///   ``TR31OptionalBlockProblem/dataTooLong`` beyond ``maximumDataLength`` characters.
    public init(id: TR31OptionalBlockID, data: String) throws(TR31Error) {
        guard data.utf8.allSatisfy(TR31Text.isPrintable) else { throw .malformedOptionalBlock(index: nil, id: id.rawValue, .invalidData) }
        guard data.utf8.count <= Self.maximumDataLength else { throw .malformedOptionalBlock(index: nil, id: id.rawValue, .dataTooLong) }
        self.id = id
        self.data = data
    }

    private init(checked id: TR31OptionalBlockID, data: String) {
        self.id = id
        self.data = data
    }

    /// This block as header text: ID ‖ length (short or extended form) ‖ data.
    var serialized: [UInt8] {
        let data = Array(self.data.utf8)
        var out = Array(id.rawValue.utf8)
        if data.count + 4 <= 0xFF {
            out += TR31Text.hex(data.count + 4, width: 2)
        } else {
            out += Array("0002".utf8) + TR31Text.hex(data.count + 10, width: 4)
        }
        return out + data
    }

    /// A padding block that brings `length` characters of optional blocks to a multiple of
    /// `blockSize`, as psec writes it (`0` characters; never empty: when 4 characters already
    /// reach the boundary a whole block of `0` follows). Nil when `length` is already aligned.
    static func padding(after length: Int, blockSize: Int) -> TR31OptionalBlock? {
        guard length % blockSize != 0 else { return nil }
        let count = blockSize - (length + 4) % blockSize
        return TR31OptionalBlock(checked: .padding, data: String(repeating: "0", count: count))
    }

    /// Parses `count` optional blocks from `text` starting at `start`.
    /// - Returns: the blocks in order (padding blocks included) and the offset after the last one.
    /// - Throws: ``TR31Error/malformedOptionalBlock(index:id:_:)`` naming the block and the problem.
    static func parseList(_ text: [UInt8], from start: Int, count: Int) throws(TR31Error) -> (blocks: [TR31OptionalBlock], end: Int) {
        var blocks: [TR31OptionalBlock] = []
        var i = start
        for index in 0..<count {
            let idText = TR31Text.string(text[min(i, text.count)..<min(i + 2, text.count)])
            func fail(_ problem: TR31OptionalBlockProblem) -> TR31Error { .malformedOptionalBlock(index: index, id: idText, problem) }
            guard i + 4 <= text.count else { throw fail(.truncated) }
            guard let id = TR31OptionalBlockID(rawValue: idText) else { throw fail(.invalidID) }
            guard let short = TR31Text.hexNumber(text[(i + 2)..<(i + 4)]) else { throw fail(.invalidLength) }
            var dataStart = i + 4
            var length = short
            if short == 0 {
                // Extended form: 2 hex digits of length-of-length (in bytes), then the length.
                guard i + 6 <= text.count else { throw fail(.truncated) }
                guard let lengthOfLength = TR31Text.hexNumber(text[(i + 4)..<(i + 6)]), lengthOfLength > 0 else {
                    throw fail(.invalidLengthOfLength)
                }
                let digits = 2 * lengthOfLength
                guard i + 6 + digits <= text.count else { throw fail(.truncated) }
                // A length beyond any possible key block is simply longer than what is left.
                guard let extended = TR31Text.hexNumber(text[(i + 6)..<(i + 6 + digits)], limit: 1 << 30) else {
                    throw Bytes.isHex(TR31Text.string(text[(i + 6)..<(i + 6 + digits)])) ? fail(.truncated) : fail(.invalidLength)
                }
                dataStart = i + 6 + digits
                length = extended
            }
            guard length >= dataStart - i else { throw fail(.lengthTooShort) }
            let end = i + length
            guard end <= text.count else { throw fail(.truncated) }
            let data = text[dataStart..<end]
            guard data.allSatisfy(TR31Text.isPrintable) else { throw fail(.invalidData) }
            blocks.append(TR31OptionalBlock(checked: id, data: TR31Text.string(data)))
            i = end
        }
        return (blocks, i)
    }
}
