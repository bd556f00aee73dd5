import Testing

import PayCryptService

/// A valid-or-not case: usage, class, algorithm, modes.
struct KARCase: Sendable, CustomTestStringConvertible {
    let usage: String
    let keyClass: String
    let algorithm: String
    let modes: Set<String>
    init(_ usage: String, _ algorithm: String, _ modes: Set<String>, keyClass: String = "SYMMETRIC_KEY") {
        self.usage = usage
        self.keyClass = keyClass
        self.algorithm = algorithm
        self.modes = modes
    }
    var testDescription: String { "\(usage) \(keyClass) \(algorithm) \(modes.sorted())" }
    var message: String? {
        KeyAttributeRules.check(keyUsage: usage, keyClass: keyClass, keyAlgorithm: algorithm, modes: modes)
    }
}

private let tdes = ["TDES_2KEY", "TDES_3KEY"]
private let aes = ["AES_128", "AES_192", "AES_256"]
private let hmac = ["HMAC_SHA224", "HMAC_SHA256", "HMAC_SHA384", "HMAC_SHA512"]
private let generateVerify: [Set<String>] = [["Generate"], ["Verify"], ["Generate", "Verify"], ["NoRestrictions"]]
private let deriveKey: [Set<String>] = [["DeriveKey"], ["NoRestrictions"]]
private let encryptDecrypt: [Set<String>] = [
    ["Encrypt", "Decrypt", "Wrap", "Unwrap"], ["Encrypt", "Wrap"], ["Decrypt", "Unwrap"], ["NoRestrictions"],
]

/// The valid key attributes (AWS Payment Cryptography User Guide, "Understanding key attributes for
/// AWS Payment Cryptography key"), row by row: usage, algorithms, mode combinations.
private let contractRows: [(String, [String], [Set<String>])] = [
    ("TR31_M0_ISO_16609_MAC_KEY", tdes, generateVerify),
    ("TR31_M1_ISO_9797_1_MAC_KEY", tdes, generateVerify),
    ("TR31_M3_ISO_9797_3_MAC_KEY", tdes, generateVerify),
    ("TR31_M6_ISO_9797_5_CMAC_KEY", tdes + aes, generateVerify),
    ("TR31_M7_HMAC_KEY", hmac + tdes + aes, generateVerify),
    ("TR31_B0_BASE_DERIVATION_KEY", tdes + aes, deriveKey),
    ("TR31_E2_EMV_MKEY_INTEGRITY", tdes, deriveKey),
    ("TR31_K0_KEY_ENCRYPTION_KEY", tdes + aes, encryptDecrypt),
    ("TR31_K1_KEY_BLOCK_PROTECTION_KEY", tdes + aes, encryptDecrypt),
]

private let allModeNames = ["Encrypt", "Decrypt", "Wrap", "Unwrap", "Generate", "Sign", "Verify", "DeriveKey", "NoRestrictions"]

/// Every subset of the nine modes (512), to prove that exactly the listed combinations pass.
private let allModeSubsets: [Set<String>] = (0..<(1 << allModeNames.count)).map { bits in
    Set(allModeNames.indices.filter { bits & (1 << $0) != 0 }.map { allModeNames[$0] })
}

@Suite("KeyAttributeRules: AWS's valid key attributes")
struct KeyAttributeRulesTests {

    // MARK: contract rows, exactly

    @Test("each contract row: exactly its algorithms × exactly its mode combinations are valid",
          arguments: contractRows.map(\.0))
    func contractRowExact(usage: String) {
        let (_, algorithms, combos) = contractRows.first { $0.0 == usage }!
        let rule = KeyAttributeRules.rule(for: usage, keyClass: "SYMMETRIC_KEY")
        #expect(rule?.algorithms.sorted() == algorithms.sorted())
        #expect(rule.map { Set($0.modeCombinations.map { Set($0.map(\.rawValue)) }) } == Set(combos))
        // Only SYMMETRIC_KEY.
        #expect(KeyAttributeRules.rule(for: usage)?.classes.map(\.keyClass) == ["SYMMETRIC_KEY"])

        var wrong: [String] = []
        var validCount = 0
        for algorithm in KeyAttributeRules.allKeyAlgorithms {
            for modes in allModeSubsets {
                let valid = algorithms.contains(algorithm) && combos.contains(modes)
                let message = KARCase(usage, algorithm, modes).message
                if valid { validCount += 1 }
                if (message == nil) != valid { wrong.append("\(algorithm) \(modes.sorted()): \(message ?? "valid")") }
            }
        }
        #expect(wrong.isEmpty, "\(usage): \(wrong.prefix(5))")
        #expect(validCount == algorithms.count * combos.count)
    }

    @Test("contract rows reject the other key classes", arguments: contractRows.map(\.0))
    func contractRowClasses(usage: String) {
        for keyClass in ["ASYMMETRIC_KEY_PAIR", "PRIVATE_KEY", "PUBLIC_KEY"] {
            let message = KARCase(usage, "TDES_2KEY", ["NoRestrictions"], keyClass: keyClass).message
            #expect(message == "KeyClass \(keyClass) is not valid for \(usage); allowed: SYMMETRIC_KEY.")
        }
    }

    @Test("valid contract examples", arguments: [
        KARCase("TR31_M0_ISO_16609_MAC_KEY", "TDES_2KEY", ["Generate", "Verify"]),
        KARCase("TR31_M1_ISO_9797_1_MAC_KEY", "TDES_3KEY", ["Generate"]),
        KARCase("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Verify"]),
        KARCase("TR31_M6_ISO_9797_5_CMAC_KEY", "AES_256", ["NoRestrictions"]),
        KARCase("TR31_M6_ISO_9797_5_CMAC_KEY", "TDES_3KEY", ["Generate", "Verify"]),
        KARCase("TR31_M7_HMAC_KEY", "HMAC_SHA224", ["Generate", "Verify"]),
        KARCase("TR31_M7_HMAC_KEY", "HMAC_SHA512", ["Verify"]),
        KARCase("TR31_M7_HMAC_KEY", "AES_128", ["Generate", "Verify"]),
        KARCase("TR31_M7_HMAC_KEY", "TDES_2KEY", ["NoRestrictions"]),
        KARCase("TR31_B0_BASE_DERIVATION_KEY", "AES_192", ["DeriveKey"]),
        KARCase("TR31_B0_BASE_DERIVATION_KEY", "TDES_2KEY", ["NoRestrictions"]),
        KARCase("TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", ["DeriveKey"]),
        KARCase("TR31_K0_KEY_ENCRYPTION_KEY", "AES_128", ["Encrypt", "Decrypt", "Wrap", "Unwrap"]),
        KARCase("TR31_K1_KEY_BLOCK_PROTECTION_KEY", "TDES_3KEY", ["Decrypt", "Unwrap"]),
        KARCase("TR31_K1_KEY_BLOCK_PROTECTION_KEY", "AES_256", ["Encrypt", "Wrap"]),
    ])
    func validContract(_ a: KARCase) {
        #expect(a.message == nil)
    }

    @Test("invalid contract examples and their messages", arguments: [
        (KARCase("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Encrypt"]),
         "KeyModesOfUse {Encrypt, Generate} is not valid for TR31_M3_ISO_9797_3_MAC_KEY; allowed: {Generate}, {Verify}, {Generate, Verify}, {NoRestrictions}."),
        (KARCase("TR31_M3_ISO_9797_3_MAC_KEY", "AES_128", ["Generate"]),
         "KeyAlgorithm AES_128 is not valid for TR31_M3_ISO_9797_3_MAC_KEY; allowed: TDES_2KEY, TDES_3KEY."),
        (KARCase("TR31_M0_ISO_16609_MAC_KEY", "AES_128", ["Generate"]),
         "KeyAlgorithm AES_128 is not valid for TR31_M0_ISO_16609_MAC_KEY; allowed: TDES_2KEY, TDES_3KEY."),
        (KARCase("TR31_M1_ISO_9797_1_MAC_KEY", "HMAC_SHA256", ["Generate"]),
         "KeyAlgorithm HMAC_SHA256 is not valid for TR31_M1_ISO_9797_1_MAC_KEY; allowed: TDES_2KEY, TDES_3KEY."),
        (KARCase("TR31_M6_ISO_9797_5_CMAC_KEY", "HMAC_SHA256", ["Generate"]),
         "KeyAlgorithm HMAC_SHA256 is not valid for TR31_M6_ISO_9797_5_CMAC_KEY; allowed: TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256."),
        (KARCase("TR31_M7_HMAC_KEY", "RSA_2048", ["Generate"]),
         "KeyAlgorithm RSA_2048 is not valid for TR31_M7_HMAC_KEY; allowed: HMAC_SHA224, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512, TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256."),
        (KARCase("TR31_M7_HMAC_KEY", "HMAC_SHA256", ["Generate", "NoRestrictions"]),
         "KeyModesOfUse {Generate, NoRestrictions} is not valid for TR31_M7_HMAC_KEY; allowed: {Generate}, {Verify}, {Generate, Verify}, {NoRestrictions}."),
        (KARCase("TR31_B0_BASE_DERIVATION_KEY", "TDES_2KEY", ["DeriveKey", "Generate"]),
         "KeyModesOfUse {Generate, DeriveKey} is not valid for TR31_B0_BASE_DERIVATION_KEY; allowed: {DeriveKey}, {NoRestrictions}."),
        (KARCase("TR31_E2_EMV_MKEY_INTEGRITY", "AES_128", ["DeriveKey"]),
         "KeyAlgorithm AES_128 is not valid for TR31_E2_EMV_MKEY_INTEGRITY; allowed: TDES_2KEY, TDES_3KEY."),
        (KARCase("TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", ["Generate", "Verify"]),
         "KeyModesOfUse {Generate, Verify} is not valid for TR31_E2_EMV_MKEY_INTEGRITY; allowed: {DeriveKey}, {NoRestrictions}."),
        (KARCase("TR31_K0_KEY_ENCRYPTION_KEY", "AES_128", ["Wrap", "Unwrap"]),
         "KeyModesOfUse {Wrap, Unwrap} is not valid for TR31_K0_KEY_ENCRYPTION_KEY; allowed: {Encrypt, Decrypt, Wrap, Unwrap}, {Encrypt, Wrap}, {Decrypt, Unwrap}, {NoRestrictions}."),
        (KARCase("TR31_K1_KEY_BLOCK_PROTECTION_KEY", "TDES_2KEY", ["Encrypt", "Decrypt"]),
         "KeyModesOfUse {Encrypt, Decrypt} is not valid for TR31_K1_KEY_BLOCK_PROTECTION_KEY; allowed: {Encrypt, Decrypt, Wrap, Unwrap}, {Encrypt, Wrap}, {Decrypt, Unwrap}, {NoRestrictions}."),
        (KARCase("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", []),
         "KeyModesOfUse must set at least one mode to true; allowed for TR31_M3_ISO_9797_3_MAC_KEY: {Generate}, {Verify}, {Generate, Verify}, {NoRestrictions}."),
        (KARCase("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Mac"]),
         "KeyModesOfUse has unknown mode(s) Mac; modes are Encrypt, Decrypt, Wrap, Unwrap, Generate, Sign, Verify, DeriveKey, NoRestrictions."),
    ])
    func invalidContract(_ a: KARCase, _ expected: String) {
        #expect(a.message == expected)
    }

    // MARK: other usages, from the guide

    @Test("valid combinations of other usages (guide)", arguments: [
        KARCase("TR31_C0_CARD_VERIFICATION_KEY", "TDES_2KEY", ["Generate", "Verify"]),
        KARCase("TR31_C0_CARD_VERIFICATION_KEY", "AES_128", ["Verify"]),
        KARCase("TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "AES_256", ["Encrypt", "Decrypt", "Wrap", "Unwrap"]),
        KARCase("TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS", "TDES_2KEY", ["DeriveKey"]),
        KARCase("TR31_E1_EMV_MKEY_CONFIDENTIALITY", "AES_128", ["NoRestrictions"]),
        KARCase("TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS", "TDES_2KEY", ["DeriveKey"]),
        KARCase("TR31_E5_EMV_MKEY_CARD_PERSONALIZATION", "TDES_3KEY", ["DeriveKey"]),
        KARCase("TR31_E6_EMV_MKEY_OTHER", "TDES_2KEY", ["DeriveKey"]),
        KARCase("TR31_P0_PIN_ENCRYPTION_KEY", "TDES_3KEY", ["Encrypt", "Decrypt", "Wrap", "Unwrap"]),
        KARCase("TR31_P0_PIN_ENCRYPTION_KEY", "AES_128", ["Decrypt", "Unwrap"]),
        KARCase("TR31_V1_IBM3624_PIN_VERIFICATION_KEY", "TDES_3KEY", ["Generate"]),
        KARCase("TR31_V2_VISA_PIN_VERIFICATION_KEY", "TDES_2KEY", ["Generate", "Verify"]),
        KARCase("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "RSA_2048", ["Encrypt", "Decrypt", "Wrap", "Unwrap"], keyClass: "ASYMMETRIC_KEY_PAIR"),
        KARCase("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "RSA_4096", ["Encrypt", "Wrap"], keyClass: "PUBLIC_KEY"),
        KARCase("TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "RSA_2048", ["Sign"], keyClass: "ASYMMETRIC_KEY_PAIR"),
        KARCase("TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "RSA_4096", ["Verify"], keyClass: "PUBLIC_KEY"),
        KARCase("TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "ECC_NIST_P521", ["Verify"], keyClass: "PUBLIC_KEY"),
        KARCase("TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT", "ECC_NIST_P256", ["DeriveKey"], keyClass: "ASYMMETRIC_KEY_PAIR"),
        KARCase("TR31_K2_TR34_ASYMMETRIC_KEY", "RSA_2048", ["Encrypt", "Wrap"], keyClass: "PUBLIC_KEY"),
    ])
    func validGuide(_ a: KARCase) {
        #expect(a.message == nil)
    }

    @Test("invalid combinations of other usages (guide)", arguments: [
        (KARCase("TR31_P0_PIN_ENCRYPTION_KEY", "TDES_2KEY", ["Generate"]),
         "KeyModesOfUse {Generate} is not valid for TR31_P0_PIN_ENCRYPTION_KEY; allowed: {Encrypt, Decrypt, Wrap, Unwrap}, {Encrypt, Wrap}, {Decrypt, Unwrap}, {NoRestrictions}."),
        (KARCase("TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "HMAC_SHA256", ["Encrypt", "Wrap"]),
         "KeyAlgorithm HMAC_SHA256 is not valid for TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY; allowed: TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256."),
        (KARCase("TR31_V2_VISA_PIN_VERIFICATION_KEY", "TDES_2KEY", ["DeriveKey"]),
         "KeyModesOfUse {DeriveKey} is not valid for TR31_V2_VISA_PIN_VERIFICATION_KEY; allowed: {Generate}, {Verify}, {Generate, Verify}, {NoRestrictions}."),
        (KARCase("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "RSA_2048", ["NoRestrictions"], keyClass: "ASYMMETRIC_KEY_PAIR"),
         "KeyModesOfUse {NoRestrictions} is not valid for TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION with KeyClass ASYMMETRIC_KEY_PAIR; allowed: {Encrypt, Decrypt, Wrap, Unwrap}, {Encrypt, Wrap}, {Decrypt, Unwrap}."),
        (KARCase("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "RSA_2048", ["Decrypt", "Unwrap"], keyClass: "PUBLIC_KEY"),
         "KeyModesOfUse {Decrypt, Unwrap} is not valid for TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION with KeyClass PUBLIC_KEY; allowed: {Encrypt, Wrap}."),
        (KARCase("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "AES_128", ["Encrypt", "Wrap"]),
         "KeyClass SYMMETRIC_KEY is not valid for TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION; allowed: ASYMMETRIC_KEY_PAIR, PUBLIC_KEY."),
        (KARCase("TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "RSA_2048", ["Sign", "Verify"], keyClass: "ASYMMETRIC_KEY_PAIR"),
         "KeyModesOfUse {Sign, Verify} is not valid for TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE with KeyClass ASYMMETRIC_KEY_PAIR; allowed: {Sign}, {Verify}."),
        (KARCase("TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "RSA_2048", ["Sign"], keyClass: "PUBLIC_KEY"),
         "KeyModesOfUse {Sign} is not valid for TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE with KeyClass PUBLIC_KEY; allowed: {Verify}."),
        (KARCase("TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "RSA_2048", ["Verify"], keyClass: "PRIVATE_KEY"),
         "KeyClass PRIVATE_KEY is not valid for TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE; allowed: ASYMMETRIC_KEY_PAIR, PUBLIC_KEY."),
        (KARCase("TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT", "RSA_2048", ["DeriveKey"], keyClass: "ASYMMETRIC_KEY_PAIR"),
         "KeyAlgorithm RSA_2048 is not valid for TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT; allowed: ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521."),
        (KARCase("TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT", "ECC_NIST_P384", ["DeriveKey", "NoRestrictions"], keyClass: "ASYMMETRIC_KEY_PAIR"),
         "KeyModesOfUse {DeriveKey, NoRestrictions} is not valid for TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT; allowed: {DeriveKey}."),
        (KARCase("TR31_K2_TR34_ASYMMETRIC_KEY", "RSA_2048", ["DeriveKey"], keyClass: "ASYMMETRIC_KEY_PAIR"),
         "KeyModesOfUse {DeriveKey} is not valid for TR31_K2_TR34_ASYMMETRIC_KEY with KeyClass ASYMMETRIC_KEY_PAIR; allowed: {Encrypt, Decrypt, Wrap, Unwrap}, {Encrypt, Wrap}, {Decrypt, Unwrap}."),
        (KARCase("TR31_P1_PIN_GENERATION_KEY", "TDES_2KEY", ["Generate"]),
         "KeyUsage TR31_P1_PIN_GENERATION_KEY is not supported: AWS Payment Cryptography does not create or import keys with this usage."),
    ])
    func invalidGuide(_ a: KARCase, _ expected: String) {
        #expect(a.message == expected)
    }

    // MARK: table shape

    @Test("the table has one row per model KeyUsage, and only model algorithms and classes")
    func tableCoversModel() {
        let usages = KeyAttributeRules.table.map(\.keyUsage)
        #expect(Set(usages) == Set(KeyAttributeRules.allKeyUsages))
        #expect(usages.count == KeyAttributeRules.allKeyUsages.count)
        #expect(KeyAttributeRules.allKeyUsages.count == 24)
        #expect(KeyAttributeRules.allKeyAlgorithms.count == 15)
        for row in KeyAttributeRules.table {
            #expect(!row.source.isEmpty)
            for cls in row.classes {
                #expect(KeyAttributeRules.allKeyClasses.contains(cls.keyClass))
                #expect(cls.keyClass != "PRIVATE_KEY")
                #expect(!cls.algorithms.isEmpty && !cls.modeCombinations.isEmpty)
                #expect(Set(cls.algorithms).isSubset(of: KeyAttributeRules.allKeyAlgorithms))
                #expect(!cls.modeCombinations.contains([]))
                // Symmetric classes take symmetric algorithms, asymmetric ones RSA/ECC.
                let symmetric = cls.keyClass == "SYMMETRIC_KEY"
                #expect(cls.algorithms.allSatisfy { $0.hasPrefix("RSA") || $0.hasPrefix("ECC") } != symmetric)
            }
        }
    }

    @Test("an unknown usage names the model's usages")
    func unknownUsage() {
        let message = KARCase("TR31_X9_NOPE", "TDES_2KEY", ["Generate"]).message
        #expect(message?.hasPrefix("KeyUsage TR31_X9_NOPE is not a valid key usage; allowed: TR31_B0_BASE_DERIVATION_KEY, ") == true)
    }

    @Test("paycrypt creates symmetric keys only; the symmetric usages are listed")
    func creatable() {
        #expect(KeyAttributeRules.paycryptCanCreate(keyClass: "SYMMETRIC_KEY"))
        #expect(!KeyAttributeRules.paycryptCanCreate(keyClass: "ASYMMETRIC_KEY_PAIR"))
        #expect(!KeyAttributeRules.paycryptCanCreate(keyClass: "PUBLIC_KEY"))
        let symmetric = KeyAttributeRules.supportedSymmetricUsages
        #expect(symmetric.count == 19)
        #expect(symmetric.contains("TR31_M3_ISO_9797_3_MAC_KEY"))
        #expect(symmetric.contains("TR31_M0_ISO_16609_MAC_KEY"))
        #expect(!symmetric.contains("TR31_P1_PIN_GENERATION_KEY"))
        #expect(!symmetric.contains("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION"))
        #expect(Set(KeyAttributeRules.asymmetricUsages) == [
            "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE",
            "TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT", "TR31_K2_TR34_ASYMMETRIC_KEY",
        ])
    }
}
