import Testing
@testable import PaymentCryptography

/// Every TR-31 check fails with its own ``TR31Error`` case, and no error text carries key bytes.
@Suite("TR-31 errors: each check names itself")
struct TR31ErrorTests {
    /// TR-31:2018 A.7.2.2 (version B) and A.7.4 (version D).
    static let bKBPK = "DD7515F2BFC17F85CE48F3CA25CB21F6"
    static let bBlock = "B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E"
    static let dKBPK = "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6"
    static let dBlock = "D0112P0AE00E0000B82679114F470F540165EDFBF7E250FCEA43F810D215F8D207E2E417C07156A27E8E31DA05F7425509593D03A457DC34"
    static let aKBPK = "89E88CF7931444F334BD7547FC3F380C"
    static let aBlock = "A0072P0TE00E0000F5161ED902807AF26F1D62263644BD24192FDB3193C730301CEE8701"

    static func tdes(_ hex: String) throws -> TR31ProtectionKey { try TR31ProtectionKey(tdes: h(hex)) }

    /// Replaces the character at `offset`.
    static func replacing(_ s: String, at offset: Int, with c: Character) -> String {
        var chars = Array(s)
        chars[offset] = c
        return String(chars)
    }

    /// Sets the 4-digit length field to the string's length.
    static func fixLength(_ s: String) -> String {
        let n = String(s.utf8.count)
        return String(s.prefix(1)) + String(repeating: "0", count: 4 - n.count) + n + s.dropFirst(5)
    }

    @Test("Layout: short header, version, length field, length mismatch")
    func layout() throws {
        let kbpk = try Self.tdes(Self.bKBPK)
        #expect(throws: TR31Error.headerTooShort(length: 7)) { try TR31KeyBlock.unwrap("B0080P0", using: kbpk) }
        #expect(throws: TR31Error.unsupportedVersion("E")) {
            try TR31KeyBlock.unwrap(Self.replacing(Self.bBlock, at: 0, with: "E"), using: kbpk)
        }
        #expect(throws: TR31Error.unsupportedVersion("1")) {
            try TR31KeyBlock.unwrap(Self.replacing(Self.bBlock, at: 0, with: "1"), using: kbpk)
        }
        #expect(throws: TR31Error.invalidLengthField("00X0")) {
            try TR31KeyBlock.unwrap(Self.replacing(Self.bBlock, at: 3, with: "X"), using: kbpk)
        }
        #expect(throws: TR31Error.lengthMismatch(declared: 80, actual: 72)) {
            try TR31KeyBlock.unwrap(String(Self.bBlock.dropLast(8)), using: kbpk)
        }
        #expect(throws: TR31Error.lengthMismatch(declared: 80, actual: 81)) {
            try TR31KeyBlock.unwrap(Self.bBlock + "0", using: kbpk)
        }
        #expect(throws: TR31Error.notBlockAligned(length: 84, blockSize: 8)) {
            try TR31KeyBlock.unwrap(Self.fixLength(Self.bBlock + "0000"), using: kbpk)
        }
        #expect(throws: TR31Error.notBlockAligned(length: 120, blockSize: 16)) {
            try TR31KeyBlock.unwrap(Self.fixLength(Self.dBlock + "00000000"), using: TR31ProtectionKey(aes: h(Self.dKBPK)))
        }
    }

    @Test("Fixed header fields", arguments: [
        (5, TR31HeaderField.keyUsage, "P!"), (7, .algorithm, "*"), (8, .modeOfUse, " "), (9, .keyVersionNumber, "-0"),
        (11, .exportability, "."), (12, .optionalBlockCount, "A0"), (14, .keyContext, "#"), (15, .reserved, "/"),
    ])
    func headerFields(_ offset: Int, _ field: TR31HeaderField, _ value: String) throws {
        var chars = Array(Self.bBlock)
        chars.replaceSubrange(offset..<(offset + value.count), with: Array(value))
        let block = String(chars)
        #expect(throws: TR31Error.invalidHeaderField(field, value: value)) {
            try TR31KeyBlock.unwrap(block, using: Self.tdes(Self.bKBPK))
        }
    }

    @Test("Optional blocks: each malformation is named with the block's index and ID", arguments: [
        ("KS1800604B", 0, "KS", TR31OptionalBlockProblem.truncated),
        ("K", 0, "K", .truncated),
        ("K-08abcd", 0, "K-", .invalidID),
        ("KSx8abcd", 0, "KS", .invalidLength),
        ("KS03abcd", 0, "KS", .lengthTooShort),
        ("KS0000", 0, "KS", .invalidLengthOfLength),
        ("KS00zz", 0, "KS", .invalidLengthOfLength),
        ("KS0001", 0, "KS", .truncated),
        ("KS000105abcd", 0, "KS", .lengthTooShort),
        ("KS0001g0abcd", 0, "KS", .invalidLength),
        ("KS0008FFFFFFFFFFFFFFFF", 0, "KS", .truncated),
        ("HM0621KS08a\u{7F}cd", 1, "KS", .invalidData),
        ("HM0621", 1, "", .truncated),
    ])
    func optionalBlocks(_ blocks: String, _ index: Int, _ id: String, _ problem: TR31OptionalBlockProblem) {
        let count = blocks.hasPrefix("HM") ? "02" : "01"
        #expect(throws: TR31Error.malformedOptionalBlock(index: index, id: id, problem)) {
            try TR31Header(parsing: "B0000P0TE00N\(count)00" + blocks)
        }
    }

    @Test("Key data and MAC fields: not hex, empty, not whole blocks")
    func fields() throws {
        let kbpk = try Self.tdes(Self.bKBPK)
        #expect(throws: TR31Error.invalidKeyDataField(length: 48)) {
            try TR31KeyBlock.unwrap(Self.replacing(Self.bBlock, at: 20, with: "G"), using: kbpk)
        }
        #expect(throws: TR31Error.invalidMACField) {
            try TR31KeyBlock.unwrap(Self.replacing(Self.bBlock, at: 79, with: "Z"), using: kbpk)
        }
        // Header and MAC only: no key data.
        #expect(throws: TR31Error.invalidKeyDataField(length: 0)) {
            try TR31KeyBlock.unwrap("B0032P0TE00E00006EED7B727B8A248E", using: kbpk)
        }
        // 8 characters of key data are half a TDES block.
        #expect(throws: TR31Error.invalidKeyDataField(length: 8)) {
            try TR31KeyBlock.unwrap("B0040P0TE00E0000945B4200" + "6EED7B727B8A248E", using: kbpk)
        }
    }

    @Test("The protection key must suit the version")
    func protectionKeyMismatch() throws {
        #expect(throws: TR31Error.protectionKeyMismatch(version: .d, algorithm: .tdes, byteCount: 16)) {
            try TR31KeyBlock.unwrap(Self.dBlock, using: Self.tdes(Self.bKBPK))
        }
        #expect(throws: TR31Error.protectionKeyMismatch(version: .b, algorithm: .aes, byteCount: 16)) {
            try TR31KeyBlock.unwrap(Self.bBlock, using: TR31ProtectionKey(aes: h(Self.bKBPK)))
        }
        #expect(throws: TR31Error.protectionKeyMismatch(version: .b, algorithm: .tdes, byteCount: 8)) {
            try TR31KeyBlock.unwrap(Self.bBlock, using: Self.tdes("0123456789ABCDEF"))
        }
        #expect(throws: TR31Error.protectionKeyMismatch(version: .a, algorithm: .aes, byteCount: 32)) {
            try TR31KeyBlock.unwrap(Self.aBlock, using: TR31ProtectionKey(aes: h(Self.dKBPK)))
        }
        #expect(throws: TR31Error.invalidProtectionKeyLength(15)) { try TR31ProtectionKey(tdes: [UInt8](repeating: 1, count: 15)) }
        #expect(throws: TR31Error.invalidProtectionKeyLength(8)) { try TR31ProtectionKey(aes: [UInt8](repeating: 1, count: 8)) }
        let header = TR31Header(version: .d, keyUsage: .pinEncryption, algorithm: .aes, modeOfUse: .encryptOnly, exportability: .exportable)
        #expect(throws: TR31Error.protectionKeyMismatch(version: .d, algorithm: .tdes, byteCount: 24)) {
            try TR31KeyBlock.wrap([UInt8](repeating: 7, count: 16), header: header, using: Self.tdes(String(repeating: "0123456789ABCDEF", count: 3)))
        }
    }

    @Test("MAC: wrong key, altered header, altered key data, altered MAC (versions A, B, D)")
    func macMismatch() throws {
        let cases: [(String, TR31ProtectionKey, TR31ProtectionKey)] = [
            (Self.aBlock, try Self.tdes(Self.aKBPK), try Self.tdes(Self.bKBPK)),
            (Self.bBlock, try Self.tdes(Self.bKBPK), try Self.tdes(Self.aKBPK)),
            (Self.dBlock, try TR31ProtectionKey(aes: h(Self.dKBPK)), try TR31ProtectionKey(aes: h(String(repeating: "41", count: 32)))),
        ]
        for (block, right, wrong) in cases {
            #expect(throws: TR31Error.macMismatch) { try TR31KeyBlock.unwrap(block, using: wrong) }
            // Exportability E -> N: still a valid header, but not the one that was MACed.
            #expect(throws: TR31Error.macMismatch) { try TR31KeyBlock.unwrap(Self.replacing(block, at: 11, with: "N"), using: right) }
            let chars = Array(block)
            for offset in [16, 25, block.count - 1] {
                let flipped: Character = chars[offset] == "0" ? "1" : "0"
                #expect(throws: TR31Error.macMismatch, "\(block.prefix(1)) offset \(offset)") {
                    try TR31KeyBlock.unwrap(Self.replacing(block, at: offset, with: flipped), using: right)
                }
            }
        }
    }

    @Test("Key length field: zero, not whole bytes, longer than the data (all with a valid MAC)", arguments: [
        ("0000", 0), ("0081", 0x81), ("0100", 0x100), ("FFF8", 0xFFF8),
    ])
    func keyLengthField(_ length: String, _ bits: Int) throws {
        for version in [TR31Version.a, .b, .d] {
            let kbpk = version == .d ? try TR31ProtectionKey(aes: h(Self.dKBPK)) : try Self.tdes(Self.bKBPK)
            let dataBytes = version == .d ? 32 : 24
            let clear = h(length) + [UInt8](repeating: 0x11, count: dataBytes - 2)
            let total = String(16 + 2 * dataBytes + 2 * version.macByteCount)
            let headerText = version.rawValue + String(repeating: "0", count: 4 - total.count) + total + "P0TE00E0000"
            let sealed = try TR31Binding(version: version, protectionKey: kbpk).seal(header: ascii(headerText), clearKeyData: clear)
            let block = headerText + hx(sealed.ciphertext) + hx(sealed.mac)
            #expect(throws: TR31Error.invalidKeyLengthField(bits: bits, available: dataBytes - 2), "\(version)") {
                try TR31KeyBlock.unwrap(block, using: kbpk)
            }
        }
    }

    @Test("Wrap: empty or over-long key, padding off the block, block over 9999 characters, over 99 optional blocks")
    func wrapErrors() throws {
        let kbpk = try Self.tdes(Self.bKBPK)
        let header = TR31Header(version: .b, keyUsage: .pinEncryption, algorithm: .tdes, modeOfUse: .encryptOnly, exportability: .exportable)
        #expect(throws: TR31Error.invalidKeyLength(0)) { try TR31KeyBlock.wrap([], header: header, using: kbpk) }
        #expect(throws: TR31Error.invalidKeyLength(8192)) {
            try TR31KeyBlock.wrap([UInt8](repeating: 1, count: 8192), header: header, using: kbpk)
        }
        #expect(throws: TR31Error.invalidPadding(byteCount: 23, blockSize: 8)) {
            try TR31KeyBlock.wrap([UInt8](repeating: 1, count: 16), header: header, using: kbpk, padding: [1, 2, 3, 4, 5])
        }
        var d = header
        d.version = .d
        #expect(throws: TR31Error.invalidPadding(byteCount: 24, blockSize: 16)) {
            try TR31KeyBlock.wrap([UInt8](repeating: 1, count: 16), header: d, using: TR31ProtectionKey(aes: h(Self.dKBPK)), padding: [1, 2, 3, 4, 5, 6])
        }
        #expect(throws: TR31Error.keyBlockTooLong(16 + 2 * 5000 + 16)) {
            try TR31KeyBlock.wrap([UInt8](repeating: 1, count: 4998), header: header, using: kbpk)
        }
        var many = header
        many.optionalBlocks = try (0..<100).map { _ in try TR31OptionalBlock(id: .label, data: "abcd") }
        #expect(throws: TR31Error.tooManyOptionalBlocks(100)) {
            try TR31KeyBlock.wrap([UInt8](repeating: 1, count: 16), header: many, using: kbpk)
        }
        // 99 blocks of 8 characters need no PB and are accepted.
        many.optionalBlocks.removeLast()
        #expect(try TR31KeyBlock.unwrap(TR31KeyBlock.wrap([UInt8](repeating: 1, count: 16), header: many, using: kbpk), using: kbpk)
            .header.optionalBlocks.count == 99)
        // 99 blocks of 6 characters would need a 100th (PB).
        many.optionalBlocks = try (0..<99).map { _ in try TR31OptionalBlock(id: .label, data: "ab") }
        #expect(throws: TR31Error.tooManyOptionalBlocks(100)) {
            try TR31KeyBlock.wrap([UInt8](repeating: 1, count: 16), header: many, using: kbpk)
        }
    }

    @Test("Error descriptions carry no key bytes")
    func descriptions() throws {
        let errors: [TR31Error] = [
            .macMismatch, .invalidKeyLengthField(bits: 0x81, available: 22), .protectionKeyMismatch(version: .d, algorithm: .tdes, byteCount: 16),
            .malformedOptionalBlock(index: 2, id: "KS", .truncated), .invalidHeaderField(.keyUsage, value: "P!"),
        ]
        for e in errors {
            #expect(!e.description.isEmpty)
            #expect(!e.description.contains(Self.bKBPK))
        }
        #expect(TR31Error.malformedOptionalBlock(index: 2, id: "KS", .truncated).description
            == "TR-31 optional block #2 'KS' is malformed: the header ends inside the block.")
    }
}
