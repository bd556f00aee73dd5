import Crypto
import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import X509

/// The inputs of an ECDH-derived key, as every operation that takes one names them
/// (AWS API reference; README Decisions, "ECDH derivation"), with the field path of each for errors.
struct ECDHInputs: Sendable {
    /// The service's K3 key pair, and the field that names it.
    var privateKeyIdentifier: String
    var privateKeyField: String
    /// The imported CA that signed the other party's certificate.
    var certificateAuthority: String
    var certificateAuthorityField: String
    /// The other party's certificate (base64 of PEM).
    var certificate: String
    var certificateField: String
    /// `DeriveKeyAlgorithm` / `KeyAlgorithm`, `KeyDerivationFunction`, `KeyDerivationHashAlgorithm`.
    var algorithm: String
    var algorithmField: String
    var function: String
    var hash: String
    var hashField: String
    /// `SharedInformation`, hex.
    var sharedInformation: String
    var sharedInformationField: String
}

/// What the derived key will do, which the K3 key's `DeriveKeyUsage` must allow (README Decisions, "ECDH `DeriveKeyUsage`").
enum ECDHUse: Sendable {
    /// The KBPK of a TR-31 key block (ImportKey, ExportKey, TranslateKeyMaterial): K0 or K1.
    case keyBlock
    /// A PIN block key (TranslatePinData, GeneratePinData, VerifyPinData): P0.
    case pin
    /// A data key (EncryptData, DecryptData, ReEncryptData): D0.
    case data

    var deriveKeyUsages: [String] {
        switch self {
        case .keyBlock: ["TR31_K1_KEY_BLOCK_PROTECTION_KEY", "TR31_K0_KEY_ENCRYPTION_KEY"]
        case .pin: ["TR31_P0_PIN_ENCRYPTION_KEY"]
        case .data: ["TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY"]
        }
    }

    var what: String {
        switch self {
        case .keyBlock: "a TR-31 key block"
        case .pin: "a PIN block"
        case .data: "data"
        }
    }
}

/// The ECDH-derived key and the key pair it came from. The key is never stored nor returned.
struct ECDHDerivedKey: Sendable {
    let keyPair: KeyRecord
    let material: SymmetricKeyMaterial
}

extension ECDHInputs {
    /// The inputs of a `DiffieHellmanTr31KeyBlock` at `path`, whichever plane's shape carries them
    /// (ImportKey and ExportKey in the control plane, TranslateKeyMaterial in the data plane: the same
    /// members under the same names, AWS API reference).
    private init(keyBlockAt path: String, privateKey: String, authority: String, certificate: String, algorithm: String,
                 function: String, hash: String, sharedInformation: String) {
        self.init(privateKeyIdentifier: privateKey, privateKeyField: "\(path).PrivateKeyIdentifier",
                  certificateAuthority: authority, certificateAuthorityField: "\(path).CertificateAuthorityPublicKeyIdentifier",
                  certificate: certificate, certificateField: "\(path).PublicKeyCertificate",
                  algorithm: algorithm, algorithmField: "\(path).DeriveKeyAlgorithm",
                  function: function, hash: hash, hashField: "\(path).KeyDerivationHashAlgorithm",
                  sharedInformation: sharedInformation, sharedInformationField: "\(path).DerivationData.SharedInformation")
    }

    /// The inputs of ImportKey `DiffieHellmanTr31KeyBlock`.
    init(_ b: ControlPlane.ImportDiffieHellmanTr31KeyBlock, path: String) {
        let info = switch b.derivationData { case .sharedInformation(let s): s }
        self.init(keyBlockAt: path, privateKey: b.privateKeyIdentifier, authority: b.certificateAuthorityPublicKeyIdentifier,
                  certificate: b.publicKeyCertificate, algorithm: b.deriveKeyAlgorithm.rawValue, function: b.keyDerivationFunction.rawValue,
                  hash: b.keyDerivationHashAlgorithm.rawValue, sharedInformation: info)
    }

    /// The inputs of ExportKey `DiffieHellmanTr31KeyBlock`.
    init(_ b: ControlPlane.ExportDiffieHellmanTr31KeyBlock, path: String) {
        let info = switch b.derivationData { case .sharedInformation(let s): s }
        self.init(keyBlockAt: path, privateKey: b.privateKeyIdentifier, authority: b.certificateAuthorityPublicKeyIdentifier,
                  certificate: b.publicKeyCertificate, algorithm: b.deriveKeyAlgorithm.rawValue, function: b.keyDerivationFunction.rawValue,
                  hash: b.keyDerivationHashAlgorithm.rawValue, sharedInformation: info)
    }

    /// The inputs of TranslateKeyMaterial `IncomingKeyMaterial.DiffieHellmanTr31KeyBlock`.
    init(_ b: DataPlane.IncomingDiffieHellmanTr31KeyBlock, path: String) {
        let info = switch b.derivationData { case .sharedInformation(let s): s }
        self.init(keyBlockAt: path, privateKey: b.privateKeyIdentifier, authority: b.certificateAuthorityPublicKeyIdentifier,
                  certificate: b.publicKeyCertificate, algorithm: b.deriveKeyAlgorithm.rawValue, function: b.keyDerivationFunction.rawValue,
                  hash: b.keyDerivationHashAlgorithm.rawValue, sharedInformation: info)
    }

    /// The inputs of a data-plane `WrappedKeyMaterial.DiffieHellmanSymmetricKey`: the operation's key
    /// identifier names the key pair (AWS API reference, `EcdhDerivationAttributes`).
    init(_ a: DataPlane.EcdhDerivationAttributes, identifier: String, identifierField: String, path: String) {
        self.init(privateKeyIdentifier: identifier, privateKeyField: identifierField,
                  certificateAuthority: a.certificateAuthorityPublicKeyIdentifier, certificateAuthorityField: "\(path).CertificateAuthorityPublicKeyIdentifier",
                  certificate: a.publicKeyCertificate, certificateField: "\(path).PublicKeyCertificate",
                  algorithm: a.keyAlgorithm.rawValue, algorithmField: "\(path).KeyAlgorithm",
                  function: a.keyDerivationFunction.rawValue, hash: a.keyDerivationHashAlgorithm.rawValue, hashField: "\(path).KeyDerivationHashAlgorithm",
                  sharedInformation: a.sharedInformation, sharedInformationField: "\(path).SharedInformation")
    }
}

extension PaymentCryptographyService {
    /// The one ECDH derivation of the service (README Decisions, "ECDH derivation"), used by ImportKey, ExportKey,
    /// TranslateKeyMaterial and every data-plane `DiffieHellmanSymmetricKey`: the other party's
    /// certificate checked against the CA, the K3 key pair checked, Z = ECC CDH (SP 800-56A §5.7.1.2),
    /// then the SP 800-56C one-step KDF or the ANSI X9.63 KDF to the length of the derived algorithm.
    func ecdhDerivedKey(_ r: ECDHInputs, use: ECDHUse, operation: String, _ context: RequestContext) async throws -> ECDHDerivedKey {
        // An HMAC key cannot protect a key block, a PIN block or data (README Decisions, "ECDH derivation").
        guard let algorithm = PaymentCryptography.KeyAlgorithm(rawValue: r.algorithm), algorithm.isTDES || algorithm.isAES else {
            throw ServiceError.validation("\(r.algorithm) cannot be the ECDH-derived key of \(use.what); use TDES_2KEY, TDES_3KEY, AES_128, AES_192 or AES_256.",
                                          field: r.algorithmField)
        }
        guard let function = KeyExchangeNames.kdf(r.function) else {
            throw ServiceError.validation("KeyDerivationFunction \(r.function) is not NIST_SP800 or ANSI_X963.",
                                          field: r.hashField.replacingOccurrences(of: "KeyDerivationHashAlgorithm", with: "KeyDerivationFunction"))
        }
        guard let hash = KeyExchangeNames.hash(r.hash) else {
            throw ServiceError.validation("KeyDerivationHashAlgorithm \(r.hash) is not SHA_256, SHA_384 or SHA_512.", field: r.hashField)
        }
        // Any bytes, zero bytes included (README Decisions, "ECDH derivation": AWS's Go sample sends zeros).
        guard let info = Bytes.fromHex(r.sharedInformation), !info.isEmpty else {
            throw ServiceError.validation("SharedInformation must be 1 to 1024 bytes of hex.", field: r.sharedInformationField)
        }
        // 1. The certificate authority and the other party's certificate.
        let (caRecord, ca) = try await certificateAuthority(r.certificateAuthority, field: r.certificateAuthorityField, operation: operation, context)
        let certificate = try CertificateSupport.parse(r.certificate, field: r.certificateField)
        let isCA = (try? CertificateSupport.der(certificate)).map { $0 == (try? CertificateSupport.der(ca)) } ?? false
        if !isCA {
            guard certificate.issuer == ca.subject, ca.publicKey.isValidSignature(certificate.signature, for: certificate) else {
                throw ServiceError.validation("PublicKeyCertificate is not signed by the certificate authority \(caRecord.arn).", field: r.certificateField)
            }
        }
        let now = Date(timeIntervalSince1970: clock())
        guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else {
            throw ServiceError.validation("PublicKeyCertificate is not valid now (\(certificate.notValidBefore) to \(certificate.notValidAfter)).", field: r.certificateField)
        }
        // 2. The service's key pair: K3, usable, DeriveKey, a DeriveKeyUsage that allows the use, the curve of the certificate.
        let pair = try await resolveKey(r.privateKeyIdentifier, context, operation: operation)
        guard pair.state == .CREATE_COMPLETE, pair.enabled else {
            throw ServiceError.validation("Key \(pair.arn) is \(pair.enabled ? pair.state.rawValue : "disabled") and cannot derive a key.", field: r.privateKeyField)
        }
        guard pair.keyUsage == "TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT", pair.keyClass == "ASYMMETRIC_KEY_PAIR" else {
            throw ServiceError.validation("KeyUsage of the input key \(pair.arn) is invalid for the operation: ECDH needs a TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT key pair.",
                                          field: r.privateKeyField)
        }
        guard pair.modes.deriveKey || pair.modes.noRestrictions else {
            throw ServiceError.validation("KeyModesOfUse of the input key \(pair.arn) does not allow DeriveKey.", field: r.privateKeyField)
        }
        if let bound = pair.deriveKeyUsage, !use.deriveKeyUsages.contains(bound) {
            throw ServiceError.validation("DeriveKeyUsage \(bound) of \(pair.arn) does not allow a derived key for \(use.what) (it needs \(use.deriveKeyUsages.joined(separator: " or "))).",
                                          field: r.privateKeyField)
        }
        let (curve, privateKey) = try eccPrivateKey(pair)
        guard CertificateSupport.keyAlgorithm(certificate) == KeyExchangeNames.keyAlgorithm(curve), let publicKey = CertificateSupport.eccPoint(certificate) else {
            throw ServiceError.validation("PublicKeyCertificate's key is \(CertificateSupport.keyAlgorithm(certificate) ?? "not an ECC key"); the key pair \(pair.arn) is \(KeyExchangeNames.keyAlgorithm(curve)).",
                                          field: r.certificateField)
        }
        // 3-5. Z, then the KDF to the derived algorithm's length; DES parity is left as derived (decision).
        do {
            let z = try ECDH.sharedSecret(curve, privateKey: privateKey, publicKey: publicKey)
            let bytes = try function.derive(hash: hash, z: z, info: info, length: algorithm.keyByteCounts.lowerBound)
            return ECDHDerivedKey(keyPair: pair, material: try SymmetricKeyMaterial(algorithm: algorithm, bytes: bytes))
        } catch let e as KeyAgreementError {
            throw ServiceError.validation("The ECDH key agreement failed: \(KeyExchangeNames.describe(e)).", field: r.certificateField)
        } catch {
            throw ServiceError.validation("The ECDH-derived key is not a usable \(algorithm.rawValue) key.", field: r.algorithmField)
        }
    }

    /// The key-check value of a derived or wrapped working key by `KeyCheckValueAlgorithm`:
    /// default ANSI_X9_24 for TDES, CMAC for AES; a method that does not fit the key, HMAC and SHA_1
    /// are refused (README Decisions, "PIN: dynamic keys" and `WrappedKey`).
    func workingKeyCheckValue(_ material: SymmetricKeyMaterial, method wire: String?, field: String) throws -> String {
        var method: KeyCheckValue.Method?
        if let wire {
            guard let m = KeyCheckValue.Method(rawValue: wire), m != .hmac || material.algorithm.hmacHash != nil else {
                throw ServiceError.validation("KeyCheckValueAlgorithm \(wire) is not defined for a \(material.algorithm.rawValue) key.", field: field)
            }
            method = m
        }
        do { return try material.keyCheckValue(method: method) } catch {
            throw ServiceError.validation("KeyCheckValueAlgorithm \(wire ?? "") is not defined for a \(material.algorithm.rawValue) key.", field: field)
        }
    }
}

extension CertificateSupport {
    /// The uncompressed point of a certificate's ECC public key, nil for other keys.
    static func eccPoint(_ certificate: Certificate) -> [UInt8]? {
        if let k = P256.Signing.PublicKey(certificate.publicKey) { return Array(k.x963Representation) }
        if let k = P384.Signing.PublicKey(certificate.publicKey) { return Array(k.x963Representation) }
        if let k = P521.Signing.PublicKey(certificate.publicKey) { return Array(k.x963Representation) }
        return nil
    }
}

extension PaymentCryptographyService {
    /// Runs a control-plane operation whose ValidationExceptions name their field in the message:
    /// the control plane's error body has only `Message` (no `fieldList`), and a refusal must name the check and the
    /// field (README, "Key exchange with ECDH").
    func namingField<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch var e as ServiceError where e.kind == .validation {
            if let field = e.fields.first?.path, !e.message.contains(field) {
                e.message = "\(field): \(e.message)"
            }
            throw e
        }
    }
}
