import PayCryptModel
import PaymentCryptography

/// The AWS names of the pure library's key-agreement and AS2805 types, in one place (AWS API
/// reference: `KeyAlgorithm`, `KeyDerivationFunction`, `KeyDerivationHashAlgorithm`,
/// `As2805KeyVariant`, `RandomKeySendVariantMask`). The library speaks the standards' terms
/// (README, "Layout": algorithms know nothing of AWS names or JSON); the service maps them here.
enum KeyExchangeNames {
    /// The curve of an AWS `KeyAlgorithm` `ECC_NIST_P256`, `ECC_NIST_P384` or `ECC_NIST_P521`; nil for others.
    static func curve(_ keyAlgorithm: String) -> ECCCurve? {
        switch keyAlgorithm {
        case "ECC_NIST_P256": .p256
        case "ECC_NIST_P384": .p384
        case "ECC_NIST_P521": .p521
        default: nil
        }
    }

    /// The AWS `KeyAlgorithm` of a curve.
    static func keyAlgorithm(_ curve: ECCCurve) -> String {
        switch curve {
        case .p256: "ECC_NIST_P256"
        case .p384: "ECC_NIST_P384"
        case .p521: "ECC_NIST_P521"
        }
    }

    /// `KeyDerivationFunction`: `NIST_SP800` (SP 800-56C one-step) or `ANSI_X963`; nil for others.
    static func kdf(_ name: String) -> KeyAgreementKDF? {
        switch name {
        case "NIST_SP800": .oneStep
        case "ANSI_X963": .x963
        default: nil
        }
    }

    /// `KeyDerivationHashAlgorithm`: `SHA_256`, `SHA_384` or `SHA_512`; nil for others.
    static func hash(_ name: String) -> KDFHash? {
        switch name {
        case "SHA_256": .sha256
        case "SHA_384": .sha384
        case "SHA_512": .sha512
        default: nil
        }
    }

    /// The variant of an `As2805KeyVariant`.
    static func variant(_ v: ControlPlane.As2805KeyVariant) -> AS2805KeyExchange.Variant {
        switch v {
        case .terminalMajorKeyVariant00: .terminalMajorKey
        case .pinEncryptionKeyVariant28: .pinEncryptionKey
        case .messageAuthenticationKeyVariant24: .messageAuthenticationKey
        case .dataEncryptionKeyVariant22: .dataEncryptionKey
        }
    }

    /// The AWS name of a variant, for messages.
    static func awsName(_ v: AS2805KeyExchange.Variant) -> String {
        switch v {
        case .terminalMajorKey: ControlPlane.As2805KeyVariant.terminalMajorKeyVariant00.rawValue
        case .pinEncryptionKey: ControlPlane.As2805KeyVariant.pinEncryptionKeyVariant28.rawValue
        case .messageAuthenticationKey: ControlPlane.As2805KeyVariant.messageAuthenticationKeyVariant24.rawValue
        case .dataEncryptionKey: ControlPlane.As2805KeyVariant.dataEncryptionKeyVariant22.rawValue
        }
    }

    /// The KEK validation masks of a `RandomKeySendVariantMask`.
    static func mask(_ m: DataPlane.RandomKeySendVariantMask) -> AS2805KeyExchange.ValidationMask {
        switch m {
        case .variantMask82: .mask82
        case .variantMask82C0: .mask82C0
        }
    }

    /// A key agreement refusal in AWS's words (the curve by its `KeyAlgorithm` name).
    static func describe(_ e: KeyAgreementError) -> String {
        switch e {
        case .invalidPrivateKey(let c): "the private key is not a valid \(keyAlgorithm(c)) scalar"
        case .publicKeyNotOnCurve(let c): "the public key is not a point on \(keyAlgorithm(c))"
        case .invalidOutputLength(let n): "a derived key of \(n) bytes is not defined"
        }
    }
}
