// Which wrapping key may protect which key, and by which method: the one table paycrypt applies
// to every export (TR-31, TR-34, RSA KeyCryptogram) and to key-block imports (TR-31, TR-34).
//
// Source: AWS Payment Cryptography User Guide, "Importing and exporting keys", section "Minimum
// key strengths and the effect on import and export functions"
// (https://docs.aws.amazon.com/payment-cryptography/latest/userguide/keys-importexport.html):
// "The rules specify that wrapping keys used for storage or transport must be at least as strong
// as the key being protected." Its table is reproduced in `supported` below, cell by cell; the
// guide cites PCI HSM, Appendix D (minimum and equivalent key sizes and strengths).
// HMAC keys are not in the AWS table; they take the row of the AES key of at least their bit length
// (README, Decisions: "HMAC keys under the strength table").

import PaymentCryptography

/// The minimum-key-strength table of AWS Payment Cryptography: for a key to protect and a wrapping
/// key, the protection methods AWS supports (none when the wrapping key is too weak).
public enum KeyStrength {
    /// A way of carrying a key out of (or into) the service.
    public enum Method: String, Sendable, CaseIterable, Hashable {
        /// A TR-31 / X9.143 key block under a symmetric key-block protection key.
        case tr31 = "TR-31"
        /// A TR-34 (X9_TR34_2012) key block to an RSA certificate.
        case tr34 = "TR-34"
        /// An RSA-OAEP key cryptogram (ExportKey / ImportKey `KeyCryptogram`).
        case rsa = "RSA"
        /// A TR-31 key block under an ECDH-derived key.
        case ecdh = "ECDH"
    }

    /// The rows of the table: the strength class of the key being protected.
    public enum ProtectedClass: String, Sendable, CaseIterable, Hashable, Comparable {
        case TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256

        /// Weakest first, in the table's order.
        public static func < (a: ProtectedClass, b: ProtectedClass) -> Bool {
            (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
        }

        /// The row of a symmetric key: its own algorithm for TDES and AES; for an HMAC key, the
        /// AES row of at least its bit length (16 bytes: AES_128, up to 24: AES_192, longer: AES_256).
        public init(algorithm: KeyAlgorithm, keyByteCount: Int) {
            switch algorithm {
            case .TDES_2KEY: self = .TDES_2KEY
            case .TDES_3KEY: self = .TDES_3KEY
            case .AES_128: self = .AES_128
            case .AES_192: self = .AES_192
            case .AES_256: self = .AES_256
            case .HMAC_SHA224, .HMAC_SHA256, .HMAC_SHA384, .HMAC_SHA512:
                self = keyByteCount <= 16 ? .AES_128 : keyByteCount <= 24 ? .AES_192 : .AES_256
            }
        }
    }

    /// The columns of the table: the wrapping key (`KeyAlgorithm` names of the AWS model).
    public enum WrappingKey: String, Sendable, CaseIterable, Hashable {
        case TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256
        case RSA_2048, RSA_3072, RSA_4096
        case ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521

        /// The column of a symmetric wrapping key (nil for HMAC algorithms, which wrap nothing).
        public init?(symmetric algorithm: KeyAlgorithm) {
            guard algorithm.isTDES || algorithm.isAES, let column = WrappingKey(rawValue: algorithm.rawValue) else { return nil }
            self = column
        }

        /// The column of an RSA key of `bits` bits (nil for sizes AWS does not use).
        public init?(rsaBits bits: Int) {
            switch bits {
            case 2048: self = .RSA_2048
            case 3072: self = .RSA_3072
            case 4096: self = .RSA_4096
            default: return nil
            }
        }
    }

    /// The AWS table, row by row (key to protect), column by column (wrapping key).
    static let supported: [ProtectedClass: [WrappingKey: Set<Method>]] = {
        let none: Set<Method> = []
        let tr31: Set<Method> = [.tr31]
        let tr34rsa: Set<Method> = [.tr34, .rsa]
        let rsa: Set<Method> = [.rsa]
        let ecdh: Set<Method> = [.ecdh]
        return [
            .TDES_2KEY: [.TDES_2KEY: tr31, .TDES_3KEY: tr31, .AES_128: tr31, .AES_192: tr31, .AES_256: tr31,
                         .RSA_2048: tr34rsa, .RSA_3072: tr34rsa, .RSA_4096: rsa,
                         .ECC_NIST_P256: ecdh, .ECC_NIST_P384: ecdh, .ECC_NIST_P521: ecdh],
            .TDES_3KEY: [.TDES_2KEY: none, .TDES_3KEY: tr31, .AES_128: tr31, .AES_192: tr31, .AES_256: tr31,
                         .RSA_2048: tr34rsa, .RSA_3072: tr34rsa, .RSA_4096: rsa,
                         .ECC_NIST_P256: ecdh, .ECC_NIST_P384: ecdh, .ECC_NIST_P521: ecdh],
            .AES_128: [.TDES_2KEY: none, .TDES_3KEY: none, .AES_128: tr31, .AES_192: tr31, .AES_256: tr31,
                       .RSA_2048: none, .RSA_3072: tr34rsa, .RSA_4096: rsa,
                       .ECC_NIST_P256: ecdh, .ECC_NIST_P384: ecdh, .ECC_NIST_P521: ecdh],
            .AES_192: [.TDES_2KEY: none, .TDES_3KEY: none, .AES_128: none, .AES_192: tr31, .AES_256: tr31,
                       .RSA_2048: none, .RSA_3072: none, .RSA_4096: none,
                       .ECC_NIST_P256: none, .ECC_NIST_P384: ecdh, .ECC_NIST_P521: ecdh],
            .AES_256: [.TDES_2KEY: none, .TDES_3KEY: none, .AES_128: none, .AES_192: none, .AES_256: tr31,
                       .RSA_2048: none, .RSA_3072: none, .RSA_4096: none,
                       .ECC_NIST_P256: none, .ECC_NIST_P384: none, .ECC_NIST_P521: ecdh],
        ]
    }()

    /// The methods by which `wrapping` may protect a key of class `key` (empty: not supported).
    public static func methods(protecting key: ProtectedClass, with wrapping: WrappingKey) -> Set<Method> {
        supported[key]?[wrapping] ?? []
    }

    /// Whether `wrapping` may protect a key of class `key` by `method`.
    public static func allows(_ method: Method, protecting key: ProtectedClass, with wrapping: WrappingKey) -> Bool {
        methods(protecting: key, with: wrapping).contains(method)
    }

    /// Why `wrapping` may not protect `key` by `method`, or nil when it may. The message names
    /// algorithms and methods only, never key material.
    public static func refusal(_ method: Method, protecting key: ProtectedClass, keyAlgorithm: String,
                               with wrapping: WrappingKey) -> String? {
        let allowed = methods(protecting: key, with: wrapping)
        if allowed.contains(method) { return nil }
        if allowed.isEmpty {
            return "A \(wrapping.rawValue) wrapping key is weaker than the \(keyAlgorithm) key it would protect; "
                + "wrapping keys must be at least as strong as the key they protect."
        }
        let names = Method.allCases.filter { allowed.contains($0) }.map(\.rawValue).joined(separator: " or ")
        return "A \(keyAlgorithm) key can be protected by a \(wrapping.rawValue) wrapping key only by \(names), not by \(method.rawValue)."
    }
}
