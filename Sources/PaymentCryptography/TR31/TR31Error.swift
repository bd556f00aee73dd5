/// Why a TR-31 key block could not be read, checked, unwrapped or built.
///
/// Each case names the one check that failed. The associated values are header text, lengths and
/// counts only: a key block's header is not secret, and no case ever carries key bytes, clear key
/// data, derived keys or MACs.
public enum TR31Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key block (or header) has fewer than the 16 characters of the fixed header.
    case headerTooShort(length: Int)
    /// The version ID (first character) is not `A`, `B`, `C` or `D`.
    case unsupportedVersion(String)
    /// The key block length field (characters 1–4) is not four decimal digits.
    case invalidLengthField(String)
    /// The key block length field does not match the number of characters received.
    case lengthMismatch(declared: Int, actual: Int)
    /// A fixed header field holds characters it may not (the fields are ASCII letters and digits).
    case invalidHeaderField(TR31HeaderField, value: String)
    /// An optional block is malformed. `index` is its position in the header (nil when the block was
    /// built in code rather than parsed), `id` its two-character ID as received.
    case malformedOptionalBlock(index: Int?, id: String, TR31OptionalBlockProblem)
    /// More than 99 optional blocks (counting the padding block a wrap adds).
    case tooManyOptionalBlocks(Int)
    /// The key block length is not a multiple of the version's cipher block size (8 or 16).
    case notBlockAligned(length: Int, blockSize: Int)
    /// The encrypted key data field is not hex, is empty, or is not whole cipher blocks.
    /// `length` is its length in characters.
    case invalidKeyDataField(length: Int)
    /// The MAC field (the last 8, 16 or 32 characters) is not hex.
    case invalidMACField
    /// The key block protection key's length is not one the algorithm has (TDES 8/16/24, AES 16/24/32).
    case invalidProtectionKeyLength(Int)
    /// The key block protection key does not fit the version: A and C need TDES (8, 16 or 24 bytes),
    /// B needs double- or triple-length TDES, D needs AES.
    case protectionKeyMismatch(version: TR31Version, algorithm: TR31ProtectionKey.Algorithm, byteCount: Int)
    /// The key block's MAC does not verify: the block was altered or the protection key is wrong.
    case macMismatch
    /// The decrypted key length field (in bits) is zero, not a whole number of bytes, or longer
    /// than the key data that follows it (`available` bytes).
    case invalidKeyLengthField(bits: Int, available: Int)
    /// Wrap: the key to wrap is empty or longer than the 2-byte bit length can say.
    case invalidKeyLength(Int)
    /// Wrap: 2 + key length + padding length is not a multiple of the cipher block size.
    case invalidPadding(byteCount: Int, blockSize: Int)
    /// Wrap: the key block would be longer than the 9999 characters its length field can hold.
    case keyBlockTooLong(Int)

    /// A short English explanation (header text and lengths only).
    public var description: String {
        switch self {
        case .headerTooShort(let n): "TR-31 key block has \(n) characters; the fixed header alone has 16."
        case .unsupportedVersion(let v): "TR-31 version ID '\(v)' is not supported (A, B, C or D)."
        case .invalidLengthField(let s): "TR-31 key block length field '\(s)' is not 4 decimal digits."
        case .lengthMismatch(let declared, let actual): "TR-31 key block length field says \(declared) characters; the block has \(actual)."
        case .invalidHeaderField(let field, let value): "TR-31 header field \(field.rawValue) '\(value)' is invalid."
        case .malformedOptionalBlock(let index, let id, let problem):
            "TR-31 optional block \(index.map { "#\($0) " } ?? "")'\(id)' is malformed: \(problem.rawValue)."
        case .tooManyOptionalBlocks(let n): "TR-31 header would have \(n) optional blocks; at most 99 are allowed."
        case .notBlockAligned(let length, let blockSize): "TR-31 key block length \(length) is not a multiple of \(blockSize)."
        case .invalidKeyDataField(let length): "TR-31 encrypted key data (\(length) characters) is not whole cipher blocks of hex."
        case .invalidMACField: "TR-31 key block MAC is not hex."
        case .invalidProtectionKeyLength(let n): "A TR-31 key block protection key of \(n) bytes does not exist for this algorithm."
        case .protectionKeyMismatch(let version, let algorithm, let n):
            "TR-31 version \(version.rawValue) cannot be protected by a \(algorithm.rawValue) key of \(n) bytes."
        case .macMismatch: "TR-31 key block MAC does not verify."
        case .invalidKeyLengthField(let bits, let available): "TR-31 key length field (\(bits) bits) does not fit the \(available) bytes of key data."
        case .invalidKeyLength(let n): "A key of \(n) bytes cannot be wrapped in a TR-31 key block."
        case .invalidPadding(let n, let blockSize): "TR-31 key data of \(n) bytes (length, key and padding) is not a multiple of \(blockSize)."
        case .keyBlockTooLong(let n): "TR-31 key block would have \(n) characters; at most 9999 are allowed."
        }
    }
}

/// The fixed header fields of a TR-31 key block, for ``TR31Error/invalidHeaderField(_:value:)``.
public enum TR31HeaderField: String, Sendable, CaseIterable {
    /// Characters 5–6.
    case keyUsage = "KeyUsage"
    /// Character 7.
    case algorithm = "Algorithm"
    /// Character 8.
    case modeOfUse = "ModeOfUse"
    /// Characters 9–10.
    case keyVersionNumber = "KeyVersionNumber"
    /// Character 11.
    case exportability = "Exportability"
    /// Characters 12–13 (two decimal digits).
    case optionalBlockCount = "NumberOfOptionalBlocks"
    /// Character 14 (X9.143:2021; reserved in TR-31:2018).
    case keyContext = "KeyContext"
    /// Character 15.
    case reserved = "Reserved"
}

/// What is wrong with an optional block, for ``TR31Error/malformedOptionalBlock(index:id:_:)``.
public enum TR31OptionalBlockProblem: String, Sendable, CaseIterable {
    /// The ID is not two ASCII letters or digits.
    case invalidID = "the ID is not two ASCII letters or digits"
    /// The 2-character length (or the extended length) is not hex.
    case invalidLength = "the length is not hex"
    /// The extended form's length-of-length is not hex, or is zero.
    case invalidLengthOfLength = "the extended length's length-of-length is not a non-zero hex byte"
    /// The length is smaller than the block's own ID and length characters.
    case lengthTooShort = "the length does not cover the block's ID and length"
    /// The header ends before the block (or the declared number of blocks) does.
    case truncated = "the header ends inside the block"
    /// The data holds a character outside printable ASCII (0x20–0x7E).
    case invalidData = "the data is not printable ASCII"
    /// The data is longer than a length field of 4 hex digits can describe.
    case dataTooLong = "the data is too long"
}
