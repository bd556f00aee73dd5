import PayCryptStore
import PaymentCryptography
import Testing

@testable import PayCryptService

@Suite("KeyStrength: AWS's minimum key strength table")
struct KeyStrengthTests {
    typealias Row = KeyStrength.ProtectedClass
    typealias Column = KeyStrength.WrappingKey

    @Test("TR-31: a symmetric KEK protects keys no stronger than itself")
    func tr31() {
        let order: [Row] = [.TDES_2KEY, .TDES_3KEY, .AES_128, .AES_192, .AES_256]
        let columns: [Column] = [.TDES_2KEY, .TDES_3KEY, .AES_128, .AES_192, .AES_256]
        for (i, key) in order.enumerated() {
            for (j, kek) in columns.enumerated() {
                #expect(KeyStrength.allows(.tr31, protecting: key, with: kek) == (j >= i), "\(key) under \(kek)")
                #expect(!KeyStrength.allows(.tr34, protecting: key, with: kek))
                #expect(!KeyStrength.allows(.rsa, protecting: key, with: kek))
            }
        }
    }

    @Test("RSA: 2048 protects TDES only, 3072 and 4096 also AES-128, nothing protects AES-192/256")
    func rsa() {
        #expect(KeyStrength.methods(protecting: .TDES_2KEY, with: .RSA_2048) == [.tr34, .rsa])
        #expect(KeyStrength.methods(protecting: .TDES_3KEY, with: .RSA_2048) == [.tr34, .rsa])
        #expect(KeyStrength.methods(protecting: .AES_128, with: .RSA_2048).isEmpty)
        #expect(KeyStrength.methods(protecting: .AES_128, with: .RSA_3072) == [.tr34, .rsa])
        #expect(KeyStrength.methods(protecting: .AES_128, with: .RSA_4096) == [.rsa])
        #expect(KeyStrength.methods(protecting: .TDES_2KEY, with: .RSA_4096) == [.rsa])
        for rsa: Column in [.RSA_2048, .RSA_3072, .RSA_4096] {
            #expect(KeyStrength.methods(protecting: .AES_192, with: rsa).isEmpty)
            #expect(KeyStrength.methods(protecting: .AES_256, with: rsa).isEmpty)
        }
    }

    @Test("ECDH: P-256 up to AES-128, P-384 up to AES-192, P-521 everything")
    func ecdh() {
        #expect(KeyStrength.allows(.ecdh, protecting: .AES_128, with: .ECC_NIST_P256))
        #expect(!KeyStrength.allows(.ecdh, protecting: .AES_192, with: .ECC_NIST_P256))
        #expect(KeyStrength.allows(.ecdh, protecting: .AES_192, with: .ECC_NIST_P384))
        #expect(!KeyStrength.allows(.ecdh, protecting: .AES_256, with: .ECC_NIST_P384))
        #expect(KeyStrength.allows(.ecdh, protecting: .AES_256, with: .ECC_NIST_P521))
    }

    @Test("every cell of the table is filled")
    func complete() {
        for row in Row.allCases {
            #expect(KeyStrength.supported[row]?.count == Column.allCases.count, "\(row)")
        }
    }

    @Test("HMAC keys take the AES row of at least their length")
    func hmacRows() {
        #expect(Row(algorithm: .HMAC_SHA256, keyByteCount: 16) == .AES_128)
        #expect(Row(algorithm: .HMAC_SHA256, keyByteCount: 24) == .AES_192)
        #expect(Row(algorithm: .HMAC_SHA224, keyByteCount: 28) == .AES_256)
        #expect(Row(algorithm: .HMAC_SHA512, keyByteCount: 64) == .AES_256)
        #expect(Row(algorithm: .TDES_3KEY, keyByteCount: 24) == .TDES_3KEY)
    }

    @Test("columns: symmetric KEKs by algorithm (not HMAC), RSA by size")
    func columns() {
        #expect(Column(symmetric: .AES_192) == .AES_192)
        #expect(Column(symmetric: .HMAC_SHA256) == nil)
        #expect(Column(rsaBits: 3072) == .RSA_3072)
        #expect(Column(rsaBits: 1024) == nil)
    }

    @Test("refusals name the algorithms and the method, never key bytes")
    func refusals() {
        let weak = KeyStrength.refusal(.tr31, protecting: .AES_256, keyAlgorithm: "AES_256", with: .TDES_2KEY)
        #expect(weak?.contains("TDES_2KEY") == true && weak?.contains("AES_256") == true)
        let method = KeyStrength.refusal(.tr34, protecting: .TDES_2KEY, keyAlgorithm: "TDES_2KEY", with: .RSA_4096)
        #expect(method?.contains("TR-34") == true && method?.contains("RSA") == true)
        #expect(KeyStrength.refusal(.rsa, protecting: .TDES_2KEY, keyAlgorithm: "TDES_2KEY", with: .RSA_2048) == nil)
    }
}

@Suite("ExportHeaderRules: an export header narrows, never widens")
struct ExportHeaderRulesTests {
    @Test("modes: subsets pass, additions and a gained NoRestrictions are refused")
    func modes() {
        let gv = KeyModes(generate: true, verify: true)
        #expect(ExportHeaderRules.modesRefusal(requested: KeyModes(verify: true), held: gv) == nil)
        #expect(ExportHeaderRules.modesRefusal(requested: gv, held: gv) == nil)
        #expect(ExportHeaderRules.modesRefusal(requested: KeyModes(generate: true), held: KeyModes(verify: true)) != nil)
        #expect(ExportHeaderRules.modesRefusal(requested: KeyModes(noRestrictions: true), held: gv) != nil)
        #expect(ExportHeaderRules.modesRefusal(requested: KeyModes(decrypt: true, unwrap: true),
                                               held: KeyModes(encrypt: true, wrap: true)) != nil)
        #expect(ExportHeaderRules.modesRefusal(requested: KeyModes(verify: true), held: KeyModes(noRestrictions: true)) == nil)
    }

    @Test("exportability ranks N < E < S; a key's own letter comes from its record")
    func exportability() {
        #expect(ExportHeaderRules.rank(.nonExportable) == 0)
        #expect(ExportHeaderRules.rank(.exportable) == 1)
        #expect(ExportHeaderRules.rank(.sensitive) == 2)
        var record = KeyRecord(keyId: "abcdefghijklmnop", account: "111122223333", region: "us-east-1",
                               keyUsage: "TR31_M3_ISO_9797_3_MAC_KEY", keyClass: "SYMMETRIC_KEY", keyAlgorithm: "TDES_2KEY",
                               modes: KeyModes(generate: true), keyCheckValue: "000000", keyCheckValueAlgorithm: "ANSI_X9_24",
                               enabled: true, exportable: true, state: .CREATE_COMPLETE, origin: "AWS_PAYMENT_CRYPTOGRAPHY",
                               createTimestamp: 0, sealedMaterial: [])
        #expect(ExportHeaderRules.exportability(of: record) == .sensitive)
        record.exportability = "E"
        #expect(ExportHeaderRules.exportability(of: record) == .exportable)
        record.exportable = false
        #expect(ExportHeaderRules.exportability(of: record) == .nonExportable)
    }
}
