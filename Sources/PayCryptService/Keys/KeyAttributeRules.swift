// AWS Payment Cryptography's table of valid `KeyAttributes` for CreateKey and ImportKey:
// for every `KeyUsage`, the `KeyClass`es it may have, the `KeyAlgorithm`s allowed with each class,
// and the exact `KeyModesOfUse` combinations allowed. Anything outside the table is a
// ValidationException (AWS user guide, "Valid key attributes"; README, Decisions).
//
// Sources:
// [VA]  AWS Payment Cryptography User Guide, "Understanding key attributes for AWS Payment
//       Cryptography key",
//       https://docs.aws.amazon.com/payment-cryptography/latest/userguide/keys-validattributes.html
// [OPS] AWS Payment Cryptography User Guide, "Valid keys for cryptographic operations",
//       https://docs.aws.amazon.com/payment-cryptography/latest/userguide/crypto-ops-validkeys-ops.html
//       (the only page that names TR31_M0_ISO_16609_MAC_KEY; lists TR31_P1_PIN_GENERATION_KEY
//       under "Unused key types").
// [CK]  AWS Payment Cryptography User Guide, "Creating keys",
//       https://docs.aws.amazon.com/payment-cryptography/latest/userguide/create-keys.html
//       (HMAC_SHA512 M7 key, RSA D1 key pair, ECC K3 key pair examples).
// [API] AWS Payment Cryptography Control Plane API reference, ImportKey (RootCertificatePublicKey:
//       KeyClass PUBLIC_KEY, KeyModesOfUse Verify, KeyUsage TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE),
//       https://docs.aws.amazon.com/payment-cryptography/latest/APIReference/API_ImportKey.html;
//       the enums come from botocore's model data/payment-cryptography/2021-09-14/service-2.json.
// [SMP] aws-samples/samples-for-payment-cryptography-service, key-import-export/ecdh/import_app
//       and key-import-export/key_exchange/utils: imports an ECC_NIST_P256/384/521 root CA as
//       S0 / PUBLIC_KEY / {Verify}.
// [CON] Live evidence recorded in the README's Decisions (for example M7 with TDES/AES keys). Where
//       it and the guide disagree, the live evidence wins.

/// The valid-key-attributes table and the check CreateKey/ImportKey run against it.
public enum KeyAttributeRules {

    // MARK: - Vocabulary

    /// The nine `KeyModesOfUse` booleans, in the model's member order (used for messages).
    public enum Mode: String, CaseIterable, Sendable, Hashable, Comparable {
        case Encrypt, Decrypt, Wrap, Unwrap, Generate, Sign, Verify, DeriveKey, NoRestrictions

        /// Model member order.
        public static func < (a: Mode, b: Mode) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// The `KeyClass` values of the model.
    public static let symmetricKey = "SYMMETRIC_KEY"
    public static let asymmetricKeyPair = "ASYMMETRIC_KEY_PAIR"
    public static let privateKey = "PRIVATE_KEY"
    public static let publicKey = "PUBLIC_KEY"
    public static let allKeyClasses = [symmetricKey, asymmetricKeyPair, privateKey, publicKey]

    /// The `KeyUsage` enum of the model (botocore 2021-09-14), in model order.
    public static let allKeyUsages = [
        "TR31_B0_BASE_DERIVATION_KEY", "TR31_C0_CARD_VERIFICATION_KEY",
        "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION",
        "TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS", "TR31_E1_EMV_MKEY_CONFIDENTIALITY", "TR31_E2_EMV_MKEY_INTEGRITY",
        "TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS", "TR31_E5_EMV_MKEY_CARD_PERSONALIZATION", "TR31_E6_EMV_MKEY_OTHER",
        "TR31_K0_KEY_ENCRYPTION_KEY", "TR31_K1_KEY_BLOCK_PROTECTION_KEY",
        "TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT", "TR31_M0_ISO_16609_MAC_KEY", "TR31_M3_ISO_9797_3_MAC_KEY",
        "TR31_M1_ISO_9797_1_MAC_KEY", "TR31_M6_ISO_9797_5_CMAC_KEY", "TR31_M7_HMAC_KEY",
        "TR31_P0_PIN_ENCRYPTION_KEY", "TR31_P1_PIN_GENERATION_KEY",
        "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "TR31_V1_IBM3624_PIN_VERIFICATION_KEY",
        "TR31_V2_VISA_PIN_VERIFICATION_KEY", "TR31_K2_TR34_ASYMMETRIC_KEY",
    ]

    /// The `KeyAlgorithm` enum of the model, in model order.
    public static let allKeyAlgorithms = tdes + aes + ["HMAC_SHA256", "HMAC_SHA384", "HMAC_SHA512", "HMAC_SHA224"] + rsa + ecc

    static let tdes = ["TDES_2KEY", "TDES_3KEY"]
    static let aes = ["AES_128", "AES_192", "AES_256"]
    static let tdesAes = tdes + aes
    static let hmac = ["HMAC_SHA224", "HMAC_SHA256", "HMAC_SHA384", "HMAC_SHA512"]
    static let rsa = ["RSA_2048", "RSA_3072", "RSA_4096"]
    static let ecc = ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"]

    // The mode-combination families the guide repeats, in the guide's order.
    /// MAC, card-verification and PIN-verification keys.
    static let generateVerify: [Set<Mode>] = [[.Generate], [.Verify], [.Generate, .Verify], [.NoRestrictions]]
    /// Derivation (BDK, EMV master) keys.
    static let deriveKey: [Set<Mode>] = [[.DeriveKey], [.NoRestrictions]]
    /// Symmetric encryption and key-wrapping keys.
    static let encryptDecrypt: [Set<Mode>] = [
        [.Encrypt, .Decrypt, .Wrap, .Unwrap], [.Encrypt, .Wrap], [.Decrypt, .Unwrap], [.NoRestrictions],
    ]
    /// RSA encryption key pairs: as `encryptDecrypt` without NoRestrictions.
    static let rsaEncryptPair: [Set<Mode>] = [[.Encrypt, .Decrypt, .Wrap, .Unwrap], [.Encrypt, .Wrap], [.Decrypt, .Unwrap]]
    /// An imported RSA public key for encryption: "{ Encrypt = true, Wrap = true } is the only valid option".
    static let rsaEncryptPublic: [Set<Mode>] = [[.Encrypt, .Wrap]]

    // MARK: - Table

    /// What one `KeyClass` of a usage allows.
    public struct ClassRule: Sendable, Equatable {
        public let keyClass: String
        /// Allowed `KeyAlgorithm`s, in the guide's order.
        public let algorithms: [String]
        /// Allowed `KeyModesOfUse` combinations (the exact set of true booleans), in the guide's order.
        public let modeCombinations: [Set<Mode>]
    }

    /// One row of the table: a `KeyUsage` and the classes it may have. `classes` is empty for a
    /// usage the model lists but the service does not accept (TR31_P1_PIN_GENERATION_KEY).
    public struct UsageRule: Sendable, Equatable {
        public let keyUsage: String
        public let classes: [ClassRule]
        /// Where the row comes from (see the source list at the top of this file).
        public let source: String
    }

    private static func symmetric(_ usage: String, _ algorithms: [String], _ modes: [Set<Mode>], _ source: String) -> UsageRule {
        UsageRule(keyUsage: usage, classes: [ClassRule(keyClass: symmetricKey, algorithms: algorithms, modeCombinations: modes)], source: source)
    }

    /// The table, one entry per model `KeyUsage`.
    public static let table: [UsageRule] = [
        // ---- Symmetric keys ([VA] "Symmetric Keys"; rows marked [CON] are pinned by paycrypt: README, "Decisions where AWS is unclear").
        symmetric("TR31_B0_BASE_DERIVATION_KEY", tdesAes, deriveKey, "[VA] [CON]"),
        // [VA] marks AES for C0 and E0..E6 "not currently supported by any cryptographic operations",
        // but lists them as valid attributes, so they are accepted here.
        symmetric("TR31_C0_CARD_VERIFICATION_KEY", tdesAes, generateVerify, "[VA]"),
        symmetric("TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", tdesAes, encryptDecrypt, "[VA]"),
        symmetric("TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS", tdesAes, deriveKey, "[VA]"),
        symmetric("TR31_E1_EMV_MKEY_CONFIDENTIALITY", tdesAes, deriveKey, "[VA]"),
        // [VA] also lists AES_128*/192*/256* (unsupported by any operation); paycrypt allows TDES only.
        symmetric("TR31_E2_EMV_MKEY_INTEGRITY", tdes, deriveKey, "[CON] (narrower than [VA])"),
        symmetric("TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS", tdesAes, deriveKey, "[VA]"),
        symmetric("TR31_E5_EMV_MKEY_CARD_PERSONALIZATION", tdesAes, deriveKey, "[VA]"),
        symmetric("TR31_E6_EMV_MKEY_OTHER", tdesAes, deriveKey, "[VA]"),
        symmetric("TR31_K0_KEY_ENCRYPTION_KEY", tdesAes, encryptDecrypt, "[VA] [CON]"),
        symmetric("TR31_K1_KEY_BLOCK_PROTECTION_KEY", tdesAes, encryptDecrypt, "[VA] [CON]"),
        // Not on [VA]; [OPS] "Generate/Verify MAC" lists it with TDES; paycrypt adds NoRestrictions.
        symmetric("TR31_M0_ISO_16609_MAC_KEY", tdes, generateVerify, "[CON] [OPS]"),
        symmetric("TR31_M1_ISO_9797_1_MAC_KEY", tdes, generateVerify, "[VA] [CON]"),
        symmetric("TR31_M3_ISO_9797_3_MAC_KEY", tdes, generateVerify, "[VA] [CON]"),
        symmetric("TR31_M6_ISO_9797_5_CMAC_KEY", tdesAes, generateVerify, "[VA] [CON]"),
        // [VA] lists TDES/AES only; the HMAC_SHA* algorithms come from the model, [CK] and paycrypt
        // (live CreateKey accepts both families).
        symmetric("TR31_M7_HMAC_KEY", hmac + tdesAes, generateVerify, "[CON] [VA] [CK]"),
        symmetric("TR31_P0_PIN_ENCRYPTION_KEY", tdesAes, encryptDecrypt, "[VA]"),
        // In the model but on no list of valid attributes; [OPS] calls it unused: no class is valid.
        UsageRule(keyUsage: "TR31_P1_PIN_GENERATION_KEY", classes: [], source: "[OPS] \"Unused key types\""),
        symmetric("TR31_V1_IBM3624_PIN_VERIFICATION_KEY", tdesAes, generateVerify, "[VA]"),
        symmetric("TR31_V2_VISA_PIN_VERIFICATION_KEY", tdesAes, generateVerify, "[VA]"),

        // ---- Asymmetric keys ([VA] "Asymmetric Keys"). CreateKey makes ASYMMETRIC_KEY_PAIR keys;
        // ImportKey (RootCertificatePublicKey / TrustedCertificatePublicKey) makes PUBLIC_KEY keys.
        // PRIVATE_KEY is in the model but no documented path produces it: never valid (decision).
        UsageRule(keyUsage: "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", classes: [
            ClassRule(keyClass: asymmetricKeyPair, algorithms: rsa, modeCombinations: rsaEncryptPair),
            ClassRule(keyClass: publicKey, algorithms: rsa, modeCombinations: rsaEncryptPublic),
        ], source: "[VA] [CK]"),
        // [VA]: {Sign}, {Verify}; "{ Verify = true } is the only valid option when importing".
        // ECC root CAs (PUBLIC_KEY) are imported by AWS's own ECDH samples [SMP]; [VA] lists RSA only.
        UsageRule(keyUsage: "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", classes: [
            ClassRule(keyClass: asymmetricKeyPair, algorithms: rsa, modeCombinations: [[.Sign], [.Verify]]),
            ClassRule(keyClass: publicKey, algorithms: rsa + ecc, modeCombinations: [[.Verify]]),
        ], source: "[VA] [API] [SMP]"),
        UsageRule(keyUsage: "TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT", classes: [
            ClassRule(keyClass: asymmetricKeyPair, algorithms: ecc, modeCombinations: [[.DeriveKey]]),
        ], source: "[VA] [CK]"),
        // [VA] gives K2 two "allowed combination" lines: { DeriveKey } (copied from K3; RSA cannot do key
        // agreement) and the RSA encryption combinations with the D1 note. Only the latter is used.
        UsageRule(keyUsage: "TR31_K2_TR34_ASYMMETRIC_KEY", classes: [
            ClassRule(keyClass: asymmetricKeyPair, algorithms: rsa, modeCombinations: rsaEncryptPair),
            ClassRule(keyClass: publicKey, algorithms: rsa, modeCombinations: rsaEncryptPublic),
        ], source: "[VA] (DeriveKey line dropped)"),
    ]

    private static let byUsage: [String: UsageRule] = Dictionary(uniqueKeysWithValues: table.map { ($0.keyUsage, $0) })

    /// The table row for a usage, or nil for a name the model does not have.
    public static func rule(for keyUsage: String) -> UsageRule? { byUsage[keyUsage] }

    /// The rule for one usage and class, or nil when that class is not valid for it.
    public static func rule(for keyUsage: String, keyClass: String) -> ClassRule? {
        byUsage[keyUsage]?.classes.first { $0.keyClass == keyClass }
    }

    /// Usages that can be `SYMMETRIC_KEY`s, in table order.
    public static let symmetricUsages: [String] = table.filter { $0.classes.contains { $0.keyClass == symmetricKey } }.map(\.keyUsage)

    /// Usages that can be asymmetric (`ASYMMETRIC_KEY_PAIR` or `PUBLIC_KEY`), in table order.
    public static let asymmetricUsages: [String] = table.filter { $0.classes.contains { $0.keyClass != symmetricKey } }.map(\.keyUsage)

    /// The key classes paycrypt can create with CreateKey today: only symmetric keys (decision; the
    /// asymmetric rows are kept so that the check, and its messages, already match AWS).
    public static let paycryptCreatableKeyClasses: Set<String> = [symmetricKey]

    /// The usages paycrypt can create with CreateKey today (every symmetric usage).
    public static var supportedSymmetricUsages: [String] { symmetricUsages }

    /// Whether paycrypt can create a key of this class with CreateKey.
    public static func paycryptCanCreate(keyClass: String) -> Bool { paycryptCreatableKeyClasses.contains(keyClass) }

    // MARK: - Check

    /// Checks one `KeyAttributes` against the table.
    /// - Parameters:
    ///   - modes: the names of the `KeyModesOfUse` members that are true (``Mode`` raw values).
    /// - Returns: nil when the combination is valid; otherwise the message of the ValidationException,
    ///   naming what is wrong and what is allowed. Checks run in the order usage, class, algorithm, modes.
    public static func check(keyUsage: String, keyClass: String, keyAlgorithm: String, modes: Set<String>) -> String? {
        guard let usage = byUsage[keyUsage] else {
            return "KeyUsage \(keyUsage) is not a valid key usage; allowed: \(allKeyUsages.joined(separator: ", "))."
        }
        if usage.classes.isEmpty {
            return "KeyUsage \(keyUsage) is not supported: AWS Payment Cryptography does not create or import keys with this usage."
        }
        guard let cls = usage.classes.first(where: { $0.keyClass == keyClass }) else {
            let allowed = usage.classes.map(\.keyClass).joined(separator: ", ")
            return "KeyClass \(keyClass) is not valid for \(keyUsage); allowed: \(allowed)."
        }
        // Name the class only when the usage has several, so that the symmetric messages stay short.
        let subject = usage.classes.count > 1 ? "\(keyUsage) with KeyClass \(keyClass)" : keyUsage
        guard cls.algorithms.contains(keyAlgorithm) else {
            return "KeyAlgorithm \(keyAlgorithm) is not valid for \(subject); allowed: \(cls.algorithms.joined(separator: ", "))."
        }
        let allowedModes = cls.modeCombinations.map(describe).joined(separator: ", ")
        let unknown = modes.filter { Mode(rawValue: $0) == nil }.sorted()
        if !unknown.isEmpty {
            return "KeyModesOfUse has unknown mode(s) \(unknown.joined(separator: ", ")); modes are "
                + Mode.allCases.map(\.rawValue).joined(separator: ", ") + "."
        }
        let given = Set(modes.compactMap(Mode.init(rawValue:)))
        if given.isEmpty {
            return "KeyModesOfUse must set at least one mode to true; allowed for \(subject): \(allowedModes)."
        }
        guard cls.modeCombinations.contains(given) else {
            return "KeyModesOfUse \(describe(given)) is not valid for \(subject); allowed: \(allowedModes)."
        }
        return nil
    }

    /// `{Generate, Verify}`: the modes in model order.
    public static func describe(_ modes: Set<Mode>) -> String {
        "{" + modes.sorted().map(\.rawValue).joined(separator: ", ") + "}"
    }
}
