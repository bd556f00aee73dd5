import Testing
@testable import PaymentCryptography

/// A deterministic generator (SplitMix64) so that random fill can be compared in tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Known-answer tests of the PIN algorithms: every published PIN vector (sources
/// beside each: psec doctests, ID TECH, Thales payShield, ANSI X9.24-1 Annex A, IBM CCA, the
/// X9.24-3 supplement, WPAY, Padilla, the AWS Java sample), and the decoding checks of ISO 9564-1.
@Suite("PIN blocks, PVV, IBM 3624, DUKPT PIN keys: published vectors and rules")
struct PinTests {
    static let pvk = h("0123456789ABCDEFFEDCBA9876543210")

    func clear(_ pin: String, _ pan: String, _ format: PinBlockFormat = .isoFormat0) throws -> String {
        hx(Bytes.xor(try PinBlock.pinField(pin: pin, format: format, field: "PIN"),
                     try PinBlock.panField(pan: pan, format: format, field: "PAN")))
    }

    func decode(_ clearHex: String, _ format: PinBlockFormat, pan: String? = nil) throws -> String {
        var field = h(clearHex)
        if let pan { field = Bytes.xor(field, try PinBlock.panField(pan: pan, format: format, field: "PAN")) }
        return try PinBlock.pin(fromField: field, format: format, field: "EncryptedPinBlock")
    }

    func tdes(_ hex: String) throws -> PinWorkingKey { .tdes(try TripleDES(key: h(hex))) }
    func aes(_ hex: String) throws -> PinWorkingKey { .aes(try AESKey(key: h(hex))) }

    @Test("ISO 0 clear blocks: psec doctest, ID TECH (17-digit PAN), Thales payShield (5-digit PIN), X9.24-1 Annex A")
    func isoFormat0() throws {
        #expect(try clear("1234", "5544332211009966") == "041277CDDEEFF669")
        #expect(try clear("1234", "43219876543210987") == "0412AC89ABCDEF67")
        #expect(try clear("92389", "4000001234562") == "0592789FFFEDCBA9")
        #expect(try clear("1234", "4012345678909") == "041274EDCBA9876F")
        #expect(try decode("041277CDDEEFF669", .isoFormat0, pan: "5544332211009966") == "1234")
        #expect(try clear("1234", "5544332211009966", .as2805Format0) == "041277CDDEEFF669")
    }

    @Test("A 12-digit PAN gives 11 account digits zero-filled on the left")
    func shortPAN() throws {
        #expect(hx(try PinBlock.panField(pan: "123456789012", format: .isoFormat0, field: "PAN")) == "0000012345678901")
    }

    @Test("ISO 1 (IBM CCA example) and ISO 3 (psec doctest) decode; fresh fill has the format's digits")
    func isoFormats1And3() throws {
        #expect(try decode("161234566ABCFDE1", .isoFormat1) == "123456")
        #expect(try decode("341277EEEFCCB43C", .isoFormat3, pan: "5544332211009966") == "1234")
        for _ in 0..<50 {
            let f3 = PinBlock.unpack(try PinBlock.pinField(pin: "1234", format: .isoFormat3, field: "PIN"))
            #expect(f3[0] == 3 && f3[1] == 4 && f3[6...].allSatisfy { $0 >= 0xA })
            let f4 = PinBlock.unpack(try PinBlock.pinField(pin: "123456789012", format: .isoFormat4, field: "PIN"))
            #expect(f4.count == 32 && f4[0] == 4 && f4[1] == 0xC && f4[14...15].allSatisfy { $0 == 0xA })
        }
    }

    @Test("ISO 4: X9.24-3 supplement (PAN field and EPB), WPAY full-PAN AES-256 example, psec doctest")
    func isoFormat4() throws {
        #expect(hx(try PinBlock.panField(pan: "4111111111111111", format: .isoFormat4, field: "PAN")) == "44111111111111111000000000000000")
        #expect(try PinBlock.pin(fromField: h("441234AAAAAAAAAA2F69ADDE2E9E7ACE"), format: .isoFormat4, field: "F") == "1234")
        let k = try aes("AF8CB133A78F8DC2D1359F18527593FB")
        #expect(try PinBlockCipher.decipher("A912150391AB65A67E52883D81CE2D15", pan: "4111111111111111", format: .isoFormat4,
                                            key: k, blockField: "B", panField: "P") == "1234")
        #expect(hx(try AESKey(key: h("AF8CB133A78F8DC2D1359F18527593FB")).encrypt(block: h("441234AAAAAAAAAA2F69ADDE2E9E7ACE")))
                == "DE84127CF6DCA7DFE47BDE89057CB820")
        let wpay = try aes("62CB437131C129DF001D42676011975150506E2A382145FD9BDEA7EC5A339F63")
        #expect(try PinBlockCipher.decipher("060E768D21D709B5D2A3F9660A704B9D", pan: "5237481234567895", format: .isoFormat4,
                                            key: wpay, blockField: "B", panField: "P") == "1234")
        #expect(try PinBlockCipher.decipher("e4be5b623af7e006ac319e5b93544564", pan: "1234567890123456", format: .isoFormat4,
                                            key: aes("00112233445566778899AABBCCDDEEFF"), blockField: "B", panField: "P") == "1234")
    }

    @Test("Encipher then decipher gives the PIN back in every format, PIN lengths 4..12")
    func roundTrip() throws {
        let t = try tdes("0123456789ABCDEFFEDCBA9876543210"), a = try aes("00112233445566778899AABBCCDDEEFF")
        for format in PinBlockFormat.allCases {
            for n in 4...12 {
                let pin = String(RandomPin.make(length: n))
                let key = format.isAES ? a : t
                let epb = try PinBlockCipher.encipher(pin: pin, pan: "4111111111111111", format: format, key: key, pinField: "P", panField: "A")
                #expect(epb.count == format.blockByteCount)
                #expect(try PinBlockCipher.decipher(hx(epb), pan: "4111111111111111", format: format, key: key, blockField: "B", panField: "A") == pin)
            }
        }
    }

    @Test("Decoding refuses a wrong control nibble, PIN length, PIN digit, fill or block length")
    func decodeRefusals() throws {
        let bad: [(String, PinBlockFormat)] = [
            ("141234FFFFFFFFFF", .isoFormat0), ("031234FFFFFFFFFF", .isoFormat0), ("0D1234FFFFFFFFFF", .isoFormat0),
            ("04123AFFFFFFFFFF", .isoFormat0), ("041234FFFFFFFFFE", .isoFormat0), ("141234", .isoFormat1),
            ("341234FFFFFFFF9F", .isoFormat3), ("041234FFFFFFFFFF", .isoFormat1), ("441234AAAAAAAAAB2F69ADDE2E9E7ACE", .isoFormat4),
            ("441234AAAAAAAAAA", .isoFormat4),
        ]
        for (block, format) in bad {
            #expect(throws: PinError.invalidBlock("EncryptedPinBlock")) {
                try PinBlock.pin(fromField: h(block), format: format, field: "EncryptedPinBlock")
            }
        }
        let t = try tdes("0123456789ABCDEFFEDCBA9876543210")
        #expect(throws: PinError.invalidBlock("B")) {
            try PinBlockCipher.decipher("00112233445566778899AABBCCDDEEFF", pan: "4111111111111111", format: .isoFormat0, key: t, blockField: "B", panField: "P")
        }
        #expect(throws: PinError.self) {
            try PinBlockCipher.decipher("0011223344556677", pan: nil, format: .isoFormat0, key: t, blockField: "B", panField: "P")
        }
        #expect(throws: PinError.self) {
            try PinBlockCipher.decipher("0011223344556677", pan: "4111111111111111", format: .isoFormat4, key: t, blockField: "B", panField: "P")
        }
    }

    @Test("Visa PVV: psec doctest 4021; a longer PIN uses its 4 leftmost digits")
    func visaPVV() throws {
        let k = try TripleDES(key: Self.pvk)
        #expect(try VisaPVV.pvv(key: k, pin: "4524", pan: "1122334455667788", pvki: 3, pinField: "P", panField: "A", pvkiField: "I") == "4021")
        #expect(try VisaPVV.pvv(key: k, pin: "452499", pan: "1122334455667788", pvki: 3, pinField: "P", panField: "A", pvkiField: "I") == "4021")
    }

    @Test("IBM 3624: psec doctest, Padilla's tutorial, the Alibaba/mamicode worked example, IBM CCA decimalization")
    func ibm3624() throws {
        let psec = try IBM3624(key: TripleDES(key: Self.pvk), decimalizationTable: "1234567890123456",
                               validationData: "1122334455667788", padCharacter: "F", fieldPrefix: "X")
        #expect(psec.naturalPin(length: 4) == "4524")
        let padilla = try IBM3624(key: TripleDES(key: h("0123456789ABCDEF0123456789ABCDEF")), decimalizationTable: "0123456789012345",
                                  validationData: "1234567890123445", padCharacter: "F", fieldPrefix: "X")
        #expect(padilla.naturalPin(length: 4) == "9046")
        #expect(padilla.offset(pin: "1234") == "2298")
        #expect(padilla.pin(offset: "2298") == "1234")
        let ali = try IBM3624(key: TripleDES(key: h("13131313131313131313131313131313")), decimalizationTable: "0123456789012345",
                              validationData: "1234567890123456", padCharacter: "F", fieldPrefix: "X")
        #expect(ali.naturalPin(length: 6) == "643085")
        #expect(ali.pin(offset: "456789") == "099764")
        #expect(PinDigits.string(IBM3624.decimalize(h("E5C1BD67B66AE7C6"), table: PinDigits.values("8351296477461538"))) == "3913656466643416")
        #expect(throws: PinError.self) {
            try IBM3624(key: TripleDES(key: Self.pvk), decimalizationTable: "123456789012345A", validationData: "1234", padCharacter: "F", fieldPrefix: "X")
        }
    }

    @Test("TDES DUKPT PIN keys: X9.24-1 Annex A EPBs for counters 1, 2, 3, 8; AWS Java sample transaction key")
    func tdesDukpt() throws {
        let bdk = try SymmetricKeyMaterial(algorithm: .TDES_2KEY, bytes: h("0123456789ABCDEFFEDCBA9876543210"))
        let want = ["E00001": "1B9C1845EB993A7A", "E00002": "10A01C8D02C69107", "E00003": "18DC07B94797B466", "E00008": "50E55547A5027551"]
        for (counter, epb) in want {
            let key = try DukptPinKey.workingKey(bdk: bdk, ksn: "FFFF9876543210" + counter, derivationType: nil, ksnField: "K", typeField: "T")
            #expect(hx(try PinBlockCipher.encipher(pin: "1234", pan: "4012345678909", format: .isoFormat0, key: key, pinField: "P", panField: "A")) == epb)
            #expect(try PinBlockCipher.decipher(epb, pan: "4012345678909", format: .isoFormat0, key: key, blockField: "B", panField: "A") == "1234")
        }
        let k1 = try DukptPinKey.workingKey(bdk: bdk, ksn: "9876543210E00001", derivationType: "TDES_2KEY", ksnField: "K", typeField: "T")
        let ref = try tdes("042666B49184CF5C68DE9628D0397B36")
        #expect(try PinBlockCipher.encipher(pin: "1234", pan: "4012345678909", format: .isoFormat0, key: k1, pinField: "P", panField: "A")
                == PinBlockCipher.encipher(pin: "1234", pan: "4012345678909", format: .isoFormat0, key: ref, pinField: "P", panField: "A"))
        #expect(hx(try TDESDUKPT.transactionKey(bdk: h("8A8349794C9EE9A4C2927098F249FED6"), ksn: h("FFFF9876543210E00001"))) == "91E7A69D04B61A30AE4965847D94A2E2")
        #expect(throws: PinError.self) {
            try DukptPinKey.workingKey(bdk: bdk, ksn: "FFFF9876543210E00001", derivationType: "AES_128", ksnField: "K", typeField: "T")
        }
        #expect(throws: PinError.self) {
            try DukptPinKey.workingKey(bdk: bdk, ksn: "123456789012345600000001", derivationType: nil, ksnField: "K", typeField: "T")
        }
    }

    @Test("AES DUKPT PIN keys (usage 1000): X9.24-3 supplement keys and EPB, AWS Java sample")
    func aesDukpt() throws {
        let ksn = h("123456789012345600000001")
        let bdk = h("FEDCBA9876543210F1F1F1F1F1F1F1F1")
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk, ksn: ksn, usage: .pinEncryption, type: .aes128)) == "AF8CB133A78F8DC2D1359F18527593FB")
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk, ksn: ksn, usage: .pinEncryption, type: .tdes2)) == "630C706D9546E47D4449313F61C4D4AB")
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk, ksn: ksn, usage: .pinEncryption, type: .tdes3)) == "EA8B3F37EB9B15831167EF2977FD8762D9B5913F35766F6A")
        let bdk256 = bdk + bdk
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk256, ksn: ksn, usage: .pinEncryption, type: .aes128)) == "09C9C432966811D6B2C3336BAC1B1202")
        #expect(hx(try AESDUKPT.workingKey(bdk: bdk256, ksn: ksn, usage: .pinEncryption, type: .aes256))
                == "8C1AB7BEE973829E30242E0BBBDD4946D540C98FC1B5BDCF94790001A23FD502")
        let m = try SymmetricKeyMaterial(algorithm: .AES_128, bytes: bdk)
        let k2 = try DukptPinKey.workingKey(bdk: m, ksn: "123456789012345600000002", derivationType: nil, ksnField: "K", typeField: "T")
        #expect(try PinBlockCipher.decipher("52A00503BD34BA1383F6A7EE9FE2547F", pan: "4111111111111111", format: .isoFormat4,
                                            key: k2, blockField: "B", panField: "A") == "1234")
        let java = try SymmetricKeyMaterial(algorithm: .AES_128, bytes: h("8A8349794C9EE9A4C2927098F249FED6"))
        let jk = try DukptPinKey.workingKey(bdk: java, ksn: "FFFF9876543210E000000001", derivationType: nil, ksnField: "K", typeField: "T")
        var g1 = SplitMix64(state: 7), g2 = SplitMix64(state: 7)
        let ref = try aes("F04F3D5E1986D0EBFA833466ACF5156A")
        #expect(try PinBlockCipher.encipher(pin: "5761", pan: "3677481447555329", format: .isoFormat4, key: jk, pinField: "P", panField: "A", using: &g1)
                == PinBlockCipher.encipher(pin: "5761", pan: "3677481447555329", format: .isoFormat4, key: ref, pinField: "P", panField: "A", using: &g2))
        #expect(throws: PinError.self) {
            try DukptPinKey.workingKey(bdk: m, ksn: "123456789012345600000001", derivationType: "AES_256", ksnField: "K", typeField: "T")
        }
    }

    @Test("AS 2805 KPE: D, the CBC-MAC IV and the XOR, against a computation on the TDES primitive")
    func as2805() throws {
        let kpp = try TripleDES(key: h("0123456789ABCDEFFEDCBA9876543210"))
        let d = h("12345600000000000000000000012345")
        let mac = Array(try kpp.encryptCBC(d).suffix(8))
        let want = Bytes.xor(try kpp.encryptCBC(d, iv: mac), d)
        let kpe = try AS2805PinKey.kpe(kpp: kpp, stan: "123456", amount: "000000012345", stanField: "S", amountField: "A")
        let ref = try tdes(hx(want))
        #expect(try PinBlockCipher.encipher(pin: "1234", pan: "4111111111111111", format: .as2805Format0, key: kpe, pinField: "P", panField: "A")
                == PinBlockCipher.encipher(pin: "1234", pan: "4111111111111111", format: .as2805Format0, key: ref, pinField: "P", panField: "A"))
        #expect(throws: PinError.self) { try AS2805PinKey.kpe(kpp: kpp, stan: "12345", amount: "000000012345", stanField: "S", amountField: "A") }
    }

    @Test("Random PINs are decimal of the asked length and not constant")
    func randomPins() {
        let pins = (0..<64).map { _ in RandomPin.make(length: 6) }
        #expect(pins.allSatisfy { $0.count == 6 && PinDigits.isDecimal($0) })
        #expect(Set(pins).count > 32)
    }
}
