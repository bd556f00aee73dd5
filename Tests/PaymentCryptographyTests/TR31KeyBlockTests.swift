import Testing
@testable import PaymentCryptography

/// TR-31 / ANSI X9.143 key blocks: the published blocks (TR-31:2018 Annex A.7,
/// X9.143:2021 §8, payShield 10k examples, psec doctest), their intermediate values, and round trips.
@Suite("TR-31 key blocks: published blocks and round trips")
struct TR31KeyBlockTests {
    struct Published: Sendable, CustomTestStringConvertible {
        let source: String
        let kbpk: String
        let kbpkAlgorithm: TR31ProtectionKey.Algorithm
        let block: String
        let key: String
        /// KCV: TDES (ANSI X9.24) for algorithm T, AES-CMAC for A; its length in hex digits.
        let kcv: String?
        var testDescription: String { source }
    }

    static let published: [Published] = [
        Published(source: "TR-31:2018 A.7.2.2 (B)", kbpk: "DD7515F2BFC17F85CE48F3CA25CB21F6", kbpkAlgorithm: .tdes,
                  block: "B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E",
                  key: "3F419E1CB7079442AA37474C2EFBF8B8", kcv: "57C409"),
        Published(source: "TR-31:2018 A.7.3.2 (B + KS block)", kbpk: "1D22BF32387C600AD97F9B97A51311AC", kbpkAlgorithm: .tdes,
                  block: "B0104B0TX12S0100KS1800604B120F9292800000BB68BE8680A400D9191AD4ECE45B6E6C0D21C4738A52190E248719E24B433627",
                  key: "E8BC63E5479455E26577F715D587FE68", kcv: "9A4212"),
        Published(source: "X9.143:2021 8.4.2 (B)", kbpk: "1D22BF32387C600AD97F9B97A51311AC", kbpkAlgorithm: .tdes,
                  block: "B0120B0TX12S0100KS1800604B120F929280000015CEB14B76D551F21EC43A75390FA118A98C6CB049E3B9E864A5F4A8B9A5108A6DB5635C95B042D7",
                  key: "E8BC63E5479455E26577F715D587FE68", kcv: "9A4212"),
        Published(source: "TR-31:2018 A.7.4 (D, AES-256 KBPK)", kbpk: "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6", kbpkAlgorithm: .aes,
                  block: "D0112P0AE00E0000B82679114F470F540165EDFBF7E250FCEA43F810D215F8D207E2E417C07156A27E8E31DA05F7425509593D03A457DC34",
                  key: "3F419E1CB7079442AA37474C2EFBF8B8", kcv: "08793E"),
        Published(source: "X9.143:2021 8.1 (D)", kbpk: "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6", kbpkAlgorithm: .aes,
                  block: "D0144P0AE00E00002C77FA3F4A553BED6E88AE5C172A4166E3D4ACA8E2AC71C158A476FAC12C13C3829DE55D3AB54C48F4C4FEF7AC75E90FC47F1B77E7B19A73ED46E64410082557",
                  key: "3F419E1CB7079442AA37474C2EFBF8B8", kcv: "08793E25AB"),
        Published(source: "payShield 10k (D, TDES key)", kbpk: String(repeating: "41", count: 32), kbpkAlgorithm: .aes,
                  block: "D0112B0TN00N000037DB9B046B7B0048785690759580ABC3B9842AB4BB7717B49E92528E575785D8123559376A2553B27BE94F054F4E971C",
                  key: "1FA1F7CEC798D91545DA8AE0C7796BD9", kcv: "FF5087"),
        Published(source: "payShield 10k (D, AES-256 key)", kbpk: String(repeating: "41", count: 32), kbpkAlgorithm: .aes,
                  block: "D0144D0AN00N0000127862F945C2DED04530FAF7CDBC8B0BA10C7AA79BD5E0C2C5D6AC173BF588E4B19ACF1357178D50EA0AB193228E13958304FC6149632DFDCADF3A5B3D57E814",
                  key: "BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC", kcv: "0A00E3"),
        Published(source: "payShield 10k (B)", kbpk: "EFE0853B256B583D868F251CE99EA1D9", kbpkAlgorithm: .tdes,
                  block: "B0080K0TN00N00001C414014375212C24995E405B5EE052CB92B67F455EA2680F6751088F9F1C228",
                  key: "5DB50B454F8389ADCE573BE50861F2BF", kcv: "5C9405"),
        Published(source: "TR-31:2018 A.7.2.1 (A)", kbpk: "89E88CF7931444F334BD7547FC3F380C", kbpkAlgorithm: .tdes,
                  block: "A0072P0TE00E0000F5161ED902807AF26F1D62263644BD24192FDB3193C730301CEE8701",
                  key: "F039121BEC83D26B169BDCD5B22AAF8F", kcv: "CB9DEA"),
        Published(source: "psec doctest (B, ASCII keys)", kbpk: hx(ascii("FFFFFFFFEEEEEEEE")), kbpkAlgorithm: .tdes,
                  block: "B0096P0TE00N0000A800A7D1A4C0C1BE762177E1CC59D84844EB67C9F6432B2CA34187AE2E0385EBEE2231697BC5DAE8",
                  key: hx(ascii("CCCCCCCCDDDDDDDD")), kcv: nil),
    ]

    static func protectionKey(_ p: Published) throws -> TR31ProtectionKey {
        p.kbpkAlgorithm == .aes ? try TR31ProtectionKey(aes: h(p.kbpk)) : try TR31ProtectionKey(tdes: h(p.kbpk))
    }

    @Test("Published blocks unwrap to the published key and KCV", arguments: published)
    func unwrapPublished(_ p: Published) throws {
        let unwrapped = try TR31KeyBlock.unwrap(p.block, using: Self.protectionKey(p))
        #expect(hx(unwrapped.key) == p.key)
        if let kcv = p.kcv {
            let computed = unwrapped.header.algorithm == .aes
                ? try KeyCheckValue.aes(unwrapped.key, length: kcv.count / 2)
                : try KeyCheckValue.tdes(unwrapped.key, length: kcv.count / 2)
            #expect(hx(computed) == kcv)
        }
        // Lower-case hex in the key data and MAC is accepted (the header keeps its case).
        let header = try TR31Header.parse(ascii(p.block)).length
        let lower = String(p.block.prefix(header)) + p.block.dropFirst(header).lowercased()
        #expect(hx(try TR31KeyBlock.unwrap(lower, using: Self.protectionKey(p)).key) == p.key)
    }

    @Test("Published blocks: the header fields")
    func publishedHeaders() throws {
        let a722 = try TR31KeyBlock.unwrap(Self.published[0].block, using: Self.protectionKey(Self.published[0])).header
        #expect(a722.version == .b)
        #expect(a722.keyUsage == .pinEncryption)
        #expect(a722.algorithm == .tdes)
        #expect(a722.modeOfUse == .encryptOnly)
        #expect(a722.keyVersionNumber == .unused)
        #expect(a722.exportability == .exportable)
        #expect(a722.keyContext == .determinedByWrappingKey)
        #expect(a722.reserved == "0")
        #expect(a722.optionalBlocks.isEmpty)

        let a732 = try TR31KeyBlock.unwrap(Self.published[1].block, using: Self.protectionKey(Self.published[1])).header
        #expect(a732.keyUsage == .baseDerivationKey)
        #expect(a732.modeOfUse == .deriveKeys)
        #expect(a732.keyVersionNumber.rawValue == "12")
        #expect(!a732.keyVersionNumber.isComponent)
        #expect(a732.exportability == .sensitive)
        #expect(a732.optionalBlocks == [try TR31OptionalBlock(id: .keySerialNumber, data: "00604B120F9292800000")])
        #expect(a732.optionalBlockData(.keySerialNumber) == "00604B120F9292800000")

        let d = try TR31KeyBlock.unwrap(Self.published[6].block, using: Self.protectionKey(Self.published[6])).header
        #expect(d.version == .d)
        #expect(d.keyUsage == .dataEncryption)
        #expect(d.algorithm == .aes)
        #expect(d.modeOfUse == .noRestrictions)
        #expect(d.exportability == .nonExportable)
        let a = try TR31KeyBlock.unwrap(Self.published[8].block, using: Self.protectionKey(Self.published[8])).header
        #expect(a.version == .a)
    }

    @Test("A.7.2.2 (B): KBEK, KBAK, clear key data and MAC [COMP]")
    func versionBIntermediates() throws {
        let p = Self.published[0]
        let keys = try TR31KeyDerivation.tdes(h(p.kbpk))
        #expect(hx(keys.encryption) == "698832F8778A7CFCBC79559DAB07B88A")
        #expect(hx(keys.authentication) == "DD6CEEC1782D8453671BF8358AF9DB47")
        let binding = try TR31Binding(version: .b, protectionKey: Self.protectionKey(p))
        let clear = try binding.open(header: ascii("B0080P0TE00E0000"), ciphertext: h("94B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F534117"),
                                     mac: h("6EED7B727B8A248E"))
        #expect(hx(clear) == "0080" + "3F419E1CB7079442AA37474C2EFBF8B8" + "1C2965473CE2")
        #expect(hx(try binding.derivationMAC(header: ascii("B0080P0TE00E0000"), clearKeyData: clear)) == "6EED7B727B8A248E")
    }

    @Test("A.7.4 (D): KBEK, KBAK, clear key data and MAC [COMP]")
    func versionDIntermediates() throws {
        let p = Self.published[3]
        let keys = try TR31KeyDerivation.aes(h(p.kbpk))
        #expect(hx(keys.encryption) == "396C9382A6E2E66A088774E1D6E46541F5EAD67D7204F8DD0D7AE8FDA334D3AC")
        #expect(hx(keys.authentication) == "4EF24317696213840451890756757E573E0673483888F9B7F9B7517827F95022")
        let binding = try TR31Binding(version: .d, protectionKey: Self.protectionKey(p))
        let clear = try binding.open(header: ascii("D0112P0AE00E0000"),
                                     ciphertext: h("B82679114F470F540165EDFBF7E250FCEA43F810D215F8D207E2E417C07156A2"),
                                     mac: h("7E8E31DA05F7425509593D03A457DC34"))
        #expect(hx(clear) == "0080" + "3F419E1CB7079442AA37474C2EFBF8B8" + "1C2965473CE206BB855B01533782")
        #expect(hx(try binding.derivationMAC(header: ascii("D0112P0AE00E0000"), clearKeyData: clear)) == "7E8E31DA05F7425509593D03A457DC34")
    }

    @Test("Variant binding (A, C): KBEK = KBPK xor 45, KBAK = KBPK xor 4D")
    func variantKeys() {
        let keys = TR31KeyDerivation.variant(h("89E88CF7931444F334BD7547FC3F380C"))
        #expect(hx(keys.encryption) == "CCADC9B2D65101B671F83002B97A7D49")
        #expect(hx(keys.authentication) == "C4A5C1BADE5909BE79F0380AB1727541")
    }

    @Test("KDF derivation data: version B (2- and 3-key) and D (AES-128/192/256)")
    func derivationData() {
        #expect(hx(TR31KeyDerivation.derivationData(counter: 1, usage: 0, algorithm: 0, bits: 0x80)) == "0100000000000080")
        #expect(hx(TR31KeyDerivation.derivationData(counter: 3, usage: 1, algorithm: 1, bits: 0xC0)) == "03000100000100C0")
        #expect(hx(TR31KeyDerivation.derivationData(counter: 2, usage: 1, algorithm: 4, bits: 0x100)) == "0200010000040100")
    }

    @Test("Deterministic wrap with the published block's own padding reproduces it exactly", arguments: published)
    func rewrapPublished(_ p: Published) throws {
        let kbpk = try Self.protectionKey(p)
        let parsed = try TR31Header.parse(ascii(p.block))
        let version = parsed.header.version
        let macDigits = 2 * version.macByteCount
        let text = ascii(p.block)
        let binding = try TR31Binding(version: version, protectionKey: kbpk)
        let clear = try binding.open(header: Array(text[..<parsed.length]),
                                     ciphertext: h(String(decoding: text[parsed.length..<(text.count - macDigits)], as: UTF8.self)),
                                     mac: h(String(p.block.suffix(macDigits))))
        let key = h(p.key)
        let padding = Array(clear[(2 + key.count)...])
        #expect(try TR31KeyBlock.wrap(key, header: parsed.header, using: kbpk, padding: padding) == p.block)
    }

    @Test("A.7.2.2 and A.7.4 rebuilt from typed header fields with the published padding")
    func wrapFromFields() throws {
        let b = TR31Header(version: .b, keyUsage: .pinEncryption, algorithm: .tdes, modeOfUse: .encryptOnly, exportability: .exportable)
        #expect(try TR31KeyBlock.wrap(h("3F419E1CB7079442AA37474C2EFBF8B8"), header: b,
                                      using: TR31ProtectionKey(tdes: h("DD7515F2BFC17F85CE48F3CA25CB21F6")),
                                      padding: h("1C2965473CE2")) == Self.published[0].block)
        var d = b
        d.version = .d
        d.algorithm = .aes
        #expect(try TR31KeyBlock.wrap(h("3F419E1CB7079442AA37474C2EFBF8B8"), header: d,
                                      using: TR31ProtectionKey(aes: h(Self.published[3].kbpk)),
                                      padding: h("1C2965473CE206BB855B01533782")) == Self.published[3].block)
        let ks = TR31Header(version: .b, keyUsage: .baseDerivationKey, algorithm: .tdes, modeOfUse: .deriveKeys,
                            keyVersionNumber: try #require(TR31KeyVersionNumber(rawValue: "12")), exportability: .sensitive,
                            optionalBlocks: [try TR31OptionalBlock(id: .keySerialNumber, data: "00604B120F9292800000")])
        let block = try TR31KeyBlock.wrap(h("E8BC63E5479455E26577F715D587FE68"), header: ks,
                                          using: TR31ProtectionKey(tdes: h("1D22BF32387C600AD97F9B97A51311AC")))
        #expect(block.hasPrefix("B0104B0TX12S0100KS1800604B120F9292800000"))
    }

    struct RoundTrip: Sendable, CustomTestStringConvertible {
        let version: TR31Version
        let kbpkBytes: Int
        let keyBytes: Int
        let masked: Int?
        var testDescription: String { "\(version.rawValue) KBPK \(kbpkBytes) key \(keyBytes) masked \(masked.map(String.init) ?? "-")" }
    }

    static let roundTrips: [RoundTrip] = TR31Version.allCases.flatMap { version in
        version.protectionKeyByteCounts.flatMap { kbpk in
            [8, 16, 24, 32, 20, 64].flatMap { key in
                [nil, 24, 32, 40].map { RoundTrip(version: version, kbpkBytes: kbpk, keyBytes: key, masked: $0) }
            }
        }
    }

    @Test("Wrap then unwrap gives the key and header back (every version, KBPK size, key size, masking)", arguments: roundTrips)
    func roundTrip(_ c: RoundTrip) throws {
        var generator = SystemRandomNumberGenerator()
        let kbpkBytes = (0..<c.kbpkBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let key = (0..<c.keyBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let kbpk = c.version == .d ? try TR31ProtectionKey(aes: kbpkBytes) : try TR31ProtectionKey(tdes: kbpkBytes)
        let header = TR31Header(version: c.version, keyUsage: .macHMAC, algorithm: .hmac, modeOfUse: .generateVerify,
                                exportability: .nonExportable, keyContext: .storage,
                                optionalBlocks: [try TR31OptionalBlock(id: .hmacHash, data: "21"),
                                                 try TR31OptionalBlock(id: .keyCheckValue, data: "01ABCDEF")])
        let block = try TR31KeyBlock.wrap(key, header: header, using: kbpk, maskedKeyLength: c.masked)
        let bs = c.version.blockSize
        let masked = max(c.masked ?? 0, c.keyBytes)
        let dataBytes = (2 + masked + bs - 1) / bs * bs
        let headerChars = 16 + (c.version == .d ? 32 : 24) // HM, KC and a PB
        #expect(block.utf8.count == headerChars + 2 * dataBytes + 2 * c.version.macByteCount)
        let unwrapped = try TR31KeyBlock.unwrap(block, using: kbpk)
        #expect(unwrapped.key == key)
        var expected = header
        expected.optionalBlocks = try TR31Header(parsing: block).optionalBlocks
        #expect(unwrapped.header == expected)
        #expect(unwrapped.header.optionalBlocks.map(\.id) == [.hmacHash, .keyCheckValue, .padding])
        // Two wraps of the same key differ (random padding), and both unwrap.
        let again = try TR31KeyBlock.wrap(key, header: header, using: kbpk, maskedKeyLength: c.masked)
        #expect(again != block)
        #expect(try TR31KeyBlock.unwrap(again, using: kbpk).key == key)
    }

    @Test("psec's default masked lengths: 24 for T and D, 32 for A, none otherwise")
    func maskedDefaults() {
        #expect(TR31KeyBlock.maskedKeyLength(for: .tdes) == 24)
        #expect(TR31KeyBlock.maskedKeyLength(for: .des) == 24)
        #expect(TR31KeyBlock.maskedKeyLength(for: .aes) == 32)
        #expect(TR31KeyBlock.maskedKeyLength(for: .hmac) == nil)
        #expect(TR31KeyData.paddingByteCount(keyByteCount: 16, maskedKeyLength: nil, blockSize: 8) == 6)
        #expect(TR31KeyData.paddingByteCount(keyByteCount: 16, maskedKeyLength: 24, blockSize: 8) == 14)
        #expect(TR31KeyData.paddingByteCount(keyByteCount: 16, maskedKeyLength: 8, blockSize: 16) == 14)
        #expect(TR31KeyData.paddingByteCount(keyByteCount: 30, maskedKeyLength: nil, blockSize: 16) == 0)
    }

    @Test("Descriptions never show key bytes")
    func redaction() throws {
        let p = Self.published[0]
        let kbpk = try Self.protectionKey(p)
        #expect(!String(describing: kbpk).contains(p.kbpk))
        #expect(!String(reflecting: kbpk).contains(p.kbpk))
        let unwrapped = try TR31KeyBlock.unwrap(p.block, using: kbpk)
        #expect(!String(describing: unwrapped).contains(p.key))
        #expect(String(describing: unwrapped) == "TR31UnwrappedKey(B P0 T E, 16 bytes)")
    }
}
