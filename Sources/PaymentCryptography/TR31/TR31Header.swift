/// The header of a TR-31 / ANSI X9.143 key block: the 16-character fixed header and the optional
/// blocks, as typed values. The key block length and the number of optional blocks are not stored:
/// they are written when the header is serialised for a wrap.
///
/// Layout: version (1) ‖ key block length (4 digits) ‖ key usage (2) ‖ algorithm (1) ‖ mode of use (1)
/// ‖ key version number (2) ‖ exportability (1) ‖ number of optional blocks (2 digits) ‖ key context (1)
/// ‖ reserved (1) ‖ optional blocks.
public struct TR31Header: Hashable, Sendable {
    /// The version ID, which decides the binding method.
    public var version: TR31Version
    /// The key usage.
    public var keyUsage: TR31KeyUsage
    /// The algorithm the wrapped key is for.
    public var algorithm: TR31Algorithm
    /// The mode of use.
    public var modeOfUse: TR31ModeOfUse
    /// The key version number.
    public var keyVersionNumber: TR31KeyVersionNumber
    /// The exportability.
    public var exportability: TR31Exportability
    /// The key context (X9.143:2021).
    public var keyContext: TR31KeyContext
    /// The reserved last character of the fixed header: `0` unless parsed from a block that has
    /// another letter or digit there.
    public private(set) var reserved: String
    /// The optional blocks in header order. A parsed header includes its `PB` padding block;
    /// wrapping drops every `PB` block and appends a new one when the blocks need padding.
    public var optionalBlocks: [TR31OptionalBlock]

    /// Creates a header.
    public init(version: TR31Version, keyUsage: TR31KeyUsage, algorithm: TR31Algorithm, modeOfUse: TR31ModeOfUse,
                keyVersionNumber: TR31KeyVersionNumber = .unused, exportability: TR31Exportability,
                keyContext: TR31KeyContext = .determinedByWrappingKey, optionalBlocks: [TR31OptionalBlock] = []) {
        self.version = version
        self.keyUsage = keyUsage
        self.algorithm = algorithm
        self.modeOfUse = modeOfUse
        self.keyVersionNumber = keyVersionNumber
        self.exportability = exportability
        self.keyContext = keyContext
        self.reserved = "0"
        self.optionalBlocks = optionalBlocks
    }

    /// Parses the header at the start of a key block, or a header on its own (psec accepts
    /// `B0000P0TE00N0000` as a header). The length field must be 4 digits but is not compared with
    /// anything; ``TR31KeyBlock/unwrap(_:using:)`` checks it against the block.
    /// - Throws: ``TR31Error`` naming the field or optional block that is malformed.
    public init(parsing text: String) throws(TR31Error) {
        self = try Self.parse(Array(text.utf8)).header
    }

    /// The data of the first optional block with this ID, if any.
    public func optionalBlockData(_ id: TR31OptionalBlockID) -> String? {
        optionalBlocks.first { $0.id == id }?.data
    }

    /// The header text for a key block of `blockLength` characters: the fixed header with that
    /// length and the optional-block count, then the optional blocks with the padding block
    /// recomputed for this version.
    /// - Throws: ``TR31Error/tooManyOptionalBlocks(_:)`` beyond 99 blocks;
    ///   ``TR31Error/keyBlockTooLong(_:)`` when `blockLength` does not fit 4 digits.
    public func serialized(blockLength: Int) throws(TR31Error) -> String {
        let blocks = try serializedOptionalBlocks()
        return TR31Text.string(try fixedHeader(blockLength: blockLength, blockCount: blocks.count) + blocks.text)
    }

    /// The optional blocks as text, without any `PB` they had and with a new `PB` when the text is
    /// not a multiple of the version's block size; and how many blocks that is.
    func serializedOptionalBlocks() throws(TR31Error) -> (count: Int, text: [UInt8]) {
        var blocks = optionalBlocks.filter { $0.id != .padding }
        var text = blocks.flatMap(\.serialized)
        if let pad = TR31OptionalBlock.padding(after: text.count, blockSize: version.blockSize) {
            blocks.append(pad)
            text += pad.serialized
        }
        guard blocks.count <= 99 else { throw .tooManyOptionalBlocks(blocks.count) }
        return (blocks.count, text)
    }

    /// The 16-character fixed header.
    func fixedHeader(blockLength: Int, blockCount: Int) throws(TR31Error) -> [UInt8] {
        guard (0...9999).contains(blockLength) else { throw .keyBlockTooLong(blockLength) }
        var out = Array(version.rawValue.utf8)
        out += TR31Text.decimal(blockLength, width: 4)
        out += Array(keyUsage.rawValue.utf8) + Array(algorithm.rawValue.utf8) + Array(modeOfUse.rawValue.utf8)
        out += Array(keyVersionNumber.rawValue.utf8) + Array(exportability.rawValue.utf8)
        out += TR31Text.decimal(blockCount, width: 2)
        out += Array(keyContext.rawValue.utf8) + Array(reserved.utf8)
        return out
    }

    /// The result of parsing: the header, the declared key block length, and the number of
    /// characters the header (fixed part and optional blocks) occupies.
    struct Parsed {
        var header: TR31Header
        var declaredLength: Int
        var length: Int
    }

    /// Checks the version ID (character 0).
    static func parseVersion(_ text: [UInt8]) throws(TR31Error) -> TR31Version {
        guard text.count >= 16 else { throw .headerTooShort(length: text.count) }
        let v = TR31Text.string(text[0..<1])
        guard let version = TR31Version(rawValue: v) else { throw .unsupportedVersion(v) }
        return version
    }

    /// Checks the key block length field (characters 1–4).
    static func parseLength(_ text: [UInt8]) throws(TR31Error) -> Int {
        guard text.count >= 5, let length = TR31Text.decimal(text[1..<5]) else {
            throw .invalidLengthField(TR31Text.string(text[min(1, text.count)..<min(5, text.count)]))
        }
        return length
    }

    /// Parses the fixed header and the optional blocks.
    static func parse(_ text: [UInt8]) throws(TR31Error) -> Parsed {
        let version = try parseVersion(text)
        let declared = try parseLength(text)
        func field<T>(_ range: Range<Int>, _ name: TR31HeaderField, _ make: (String) -> T?) throws(TR31Error) -> T {
            let s = TR31Text.string(text[range])
            guard let value = make(s) else { throw .invalidHeaderField(name, value: s) }
            return value
        }
        let keyUsage = try field(5..<7, .keyUsage, TR31KeyUsage.init(rawValue:))
        let algorithm = try field(7..<8, .algorithm, TR31Algorithm.init(rawValue:))
        let modeOfUse = try field(8..<9, .modeOfUse, TR31ModeOfUse.init(rawValue:))
        let keyVersionNumber = try field(9..<11, .keyVersionNumber, TR31KeyVersionNumber.init(rawValue:))
        let exportability = try field(11..<12, .exportability, TR31Exportability.init(rawValue:))
        let count = try field(12..<14, .optionalBlockCount) { s in TR31Text.decimal(Array(s.utf8)[...]) }
        let keyContext = try field(14..<15, .keyContext, TR31KeyContext.init(rawValue:))
        let reserved = try field(15..<16, .reserved) { s in TR31Text.isAlphanumeric(s, count: 1) ? s : nil }
        let (blocks, end) = try TR31OptionalBlock.parseList(text, from: 16, count: count)
        var header = TR31Header(version: version, keyUsage: keyUsage, algorithm: algorithm, modeOfUse: modeOfUse,
                                keyVersionNumber: keyVersionNumber, exportability: exportability,
                                keyContext: keyContext, optionalBlocks: blocks)
        header.reserved = reserved
        return Parsed(header: header, declaredLength: declared, length: end)
    }
}
