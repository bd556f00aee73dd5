import Testing
@testable import PaymentCryptography

/// TR-31 header parsing and serialising (ANSI X9.143 §6.2 fixed header, §6.3 optional blocks).
/// Expected serialisations were produced by psec 1.3.0's `Header` (ANSI X9.143 key block header).
@Suite("TR-31 header: fields, optional blocks, padding block")
struct TR31HeaderTests {
    @Test("psec doctest header: fields and a KS block")
    func psecDoctest() throws {
        let header = try TR31Header(parsing: "B0000P0TE00N0100KS1800604B120F9292800000")
        #expect(header.version == .b)
        #expect(header.keyUsage == .pinEncryption)
        #expect(header.algorithm == .tdes)
        #expect(header.modeOfUse == .encryptOnly)
        #expect(header.keyVersionNumber == .unused)
        #expect(header.exportability == .nonExportable)
        #expect(header.keyContext == .determinedByWrappingKey)
        #expect(header.reserved == "0")
        #expect(header.optionalBlockData(.keySerialNumber) == "00604B120F9292800000")
        #expect(try header.serialized(blockLength: 0) == "B0000P0TE00N0100KS1800604B120F9292800000")
    }

    @Test("Key context (X9.143:2021), reserved character and a key component version number are kept")
    func keyContext() throws {
        let header = try TR31Header(parsing: "D0000M6AGc2E0021")
        #expect(header.keyContext == .exchange)
        #expect(header.reserved == "1")
        #expect(header.keyVersionNumber.isComponent)
        #expect(header.modeOfUse == .generateOnly)
        #expect(header.keyUsage == .macCMAC)
        #expect(try header.serialized(blockLength: 0) == "D0000M6AGc2E0021")
    }

    @Test("Proprietary (numeric) and unknown values are kept as they are")
    func unknownValues() throws {
        let header = try TR31Header(parsing: "C0000919900S0200Z9060z710E0123456789")
        #expect(header.keyUsage.rawValue == "91")
        #expect(header.algorithm.rawValue == "9")
        #expect(header.modeOfUse.rawValue == "9")
        #expect(header.optionalBlocks.map(\.id.rawValue) == ["Z9", "71"])
        #expect(header.optionalBlocks.map(\.data) == ["0z", "0123456789"])
        // 20 characters of blocks: 4 more would reach 24, so psec pads with a whole block.
        #expect(try header.serialized(blockLength: 0) == "C0000919900S0300Z9060z710E0123456789PB0C00000000")
    }

    @Test("Padding block: none when aligned, PB to 16 for D, PB to 8 for B, and a whole block when 4 characters would land on the boundary")
    func paddingBlock() throws {
        let ks = try TR31OptionalBlock(id: .keySerialNumber, data: "00604B120F9292800000")
        var header = TR31Header(version: .b, keyUsage: .macISO9797Algorithm3, algorithm: .tdes, modeOfUse: .generateVerify,
                                exportability: .exportable, optionalBlocks: [ks])
        #expect(try header.serialized(blockLength: 40) == "B0040M3TC00E0100KS1800604B120F9292800000")
        header.version = .d
        #expect(try header.serialized(blockLength: 48) == "D0048M3TC00E0200KS1800604B120F9292800000PB080000")

        let hm = TR31Header(version: .d, keyUsage: .macHMAC, algorithm: .hmac, modeOfUse: .generateVerify, exportability: .exportable,
                            optionalBlocks: [try TR31OptionalBlock(id: .hmacHash, data: "21")])
        #expect(try hm.serialized(blockLength: 32) == "D0032M7HC00E0200HM0621PB0A000000")

        let kc = TR31Header(version: .b, keyUsage: .macISO9797Algorithm1, algorithm: .tdes, modeOfUse: .generateVerify, exportability: .exportable,
                            optionalBlocks: [try TR31OptionalBlock(id: .keyCheckValue, data: "01ABCDEF")])
        #expect(try kc.serialized(blockLength: 40) == "B0040M1TC00E0200KC0C01ABCDEFPB0C00000000")
    }

    @Test("A parsed PB is kept in the typed header, and replaced when serialised for another version")
    func parsedPadding() throws {
        let parsed = try TR31Header(parsing: "D0048M3TC00E0200KS1800604B120F9292800000PB080000")
        #expect(parsed.optionalBlocks.map(\.id) == [.keySerialNumber, .padding])
        var b = parsed
        b.version = .b
        #expect(try b.serialized(blockLength: 40) == "B0040M3TC00E0100KS1800604B120F9292800000")
        // A non-psec PB (other filler) is replaced by psec's zeros.
        let other = try TR31Header(parsing: "B0000M3TC00E0200HM0621PB06xy")
        #expect(try other.serialized(blockLength: 0) == "B0000M3TC00E0200HM0621PB0A000000")
    }

    @Test("Extended length: written for data over 251 characters (00 02 LLLL), read in any length-of-length")
    func extendedLength() throws {
        let label = try TR31OptionalBlock(id: .label, data: String(repeating: "A", count: 300))
        let b = TR31Header(version: .b, keyUsage: .macISO9797Algorithm1, algorithm: .tdes, modeOfUse: .generateVerify,
                           exportability: .exportable, optionalBlocks: [label])
        let text = try b.serialized(blockLength: 336)
        #expect(text.hasPrefix("B0336M1TC00E0200LB00020136AAAA"))
        #expect(text.hasSuffix("AAAAPB0A000000"))
        #expect(text.utf8.count == 336)
        #expect(try TR31Header(parsing: text).optionalBlocks.first == label)

        var d = b
        d.version = .d
        d.optionalBlocks.append(try TR31OptionalBlock(id: #require(TR31OptionalBlockID(rawValue: "X9")), data: "hello world!"))
        let dText = try d.serialized(blockLength: 352)
        #expect(dText.hasPrefix("D0352M1TC00E0300LB00020136AAAA"))
        #expect(dText.hasSuffix("AAAAX910hello world!PB0A000000"))
        #expect(dText.utf8.count == 352)

        // Exactly 251 characters still fit the short form (FF); 252 need the extended one.
        let short = try TR31OptionalBlock(id: .label, data: String(repeating: "b", count: 251))
        #expect(String(decoding: short.serialized.prefix(4), as: UTF8.self) == "LBFF")
        let long = try TR31OptionalBlock(id: .label, data: String(repeating: "b", count: 252))
        #expect(String(decoding: long.serialized.prefix(10), as: UTF8.self) == "LB00020106")

        // Reading: a short block written in extended form, and a length-of-length of 1 and 3.
        let ks = try TR31Header(parsing: "B0000P0TE00N0100KS0002002200604B120F92928000001234")
        #expect(ks.optionalBlockData(.keySerialNumber) == "00604B120F92928000001234")
        let one = try TR31Header(parsing: "B0000P0TE00N0100KS00010Cabcd")
        #expect(one.optionalBlockData(.keySerialNumber) == "abcd")
        let three = try TR31Header(parsing: "B0000P0TE00N0100KS0003000010abcd")
        #expect(three.optionalBlockData(.keySerialNumber) == "abcd")
    }

    @Test("Optional block data may be any printable ASCII, spaces included; an empty block is allowed")
    func printableData() throws {
        let header = try TR31Header(parsing: "B0000P0TE00N0200LB0Ehi there~!TS04")
        #expect(header.optionalBlocks.map(\.data) == ["hi there~!", ""])
        #expect(throws: TR31Error.malformedOptionalBlock(index: nil, id: "LB", .invalidData)) {
            try TR31OptionalBlock(id: .label, data: "tab\there")
        }
        #expect(throws: TR31Error.malformedOptionalBlock(index: nil, id: "LB", .invalidData)) {
            try TR31OptionalBlock(id: .label, data: "é")
        }
        #expect(throws: TR31Error.malformedOptionalBlock(index: nil, id: "LB", .dataTooLong)) {
            try TR31OptionalBlock(id: .label, data: String(repeating: "x", count: 0xFFFF))
        }
    }

    @Test("Field types accept letters and digits of the right width only")
    func fieldTypes() {
        #expect(TR31KeyUsage(rawValue: "P0") == .pinEncryption)
        #expect(TR31KeyUsage(rawValue: "P") == nil)
        #expect(TR31KeyUsage(rawValue: "P!") == nil)
        #expect(TR31Algorithm(rawValue: "AA") == nil)
        #expect(TR31ModeOfUse(rawValue: " ") == nil)
        #expect(TR31KeyVersionNumber(rawValue: "c1")?.isComponent == true)
        #expect(TR31Exportability(rawValue: "") == nil)
        #expect(TR31KeyContext(rawValue: "2") == .exchange)
        #expect(TR31OptionalBlockID(rawValue: "K-") == nil)
        #expect(TR31Version(rawValue: "E") == nil)
        #expect(TR31Version.allCases.map(\.blockSize) == [8, 8, 8, 16])
        #expect(TR31Version.allCases.map(\.macByteCount) == [4, 8, 4, 16])
    }
}
