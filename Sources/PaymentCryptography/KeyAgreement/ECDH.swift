import Crypto
import Foundation

/// The NIST prime curves of ECC key agreement (FIPS 186-5; SP 800-186 §3.2.1).
public enum ECCCurve: Sendable, CaseIterable {
    /// P-256 (secp256r1), P-384 (secp384r1), P-521 (secp521r1).
    case p256, p384, p521

    /// The length of a field element, and so of the shared secret Z, in bytes: 32, 48, 66.
    public var coordinateByteCount: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }

    /// The curve's name as SP 800-186 writes it: `P-256`, `P-384`, `P-521`.
    public var name: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        }
    }
}

/// ECC CDH (NIST SP 800-56A Rev. 3 §5.7.1.2): Z is the x-coordinate of d·Q, big-endian, of the
/// curve's field length, on swift-crypto's key agreement (BoringSSL). Private keys are the raw
/// scalar (SEC 1 §2.3.7), public keys the uncompressed point `04 ‖ x ‖ y` (SEC 1 §2.3.3).
public enum ECDH {
    /// A fresh key pair: the raw private scalar and the uncompressed public point.
    public static func generate(_ curve: ECCCurve) -> (privateKey: [UInt8], publicKey: [UInt8]) {
        switch curve {
        case .p256:
            let k = P256.KeyAgreement.PrivateKey()
            return (Array(k.rawRepresentation), Array(k.publicKey.x963Representation))
        case .p384:
            let k = P384.KeyAgreement.PrivateKey()
            return (Array(k.rawRepresentation), Array(k.publicKey.x963Representation))
        case .p521:
            let k = P521.KeyAgreement.PrivateKey()
            return (Array(k.rawRepresentation), Array(k.publicKey.x963Representation))
        }
    }

    /// The uncompressed public point of a private scalar.
    /// - Throws: ``KeyAgreementError/invalidPrivateKey(_:)``.
    public static func publicKey(_ curve: ECCCurve, privateKey: [UInt8]) throws(KeyAgreementError) -> [UInt8] {
        do {
            switch curve {
            case .p256: return Array(try P256.KeyAgreement.PrivateKey(rawRepresentation: privateKey).publicKey.x963Representation)
            case .p384: return Array(try P384.KeyAgreement.PrivateKey(rawRepresentation: privateKey).publicKey.x963Representation)
            case .p521: return Array(try P521.KeyAgreement.PrivateKey(rawRepresentation: privateKey).publicKey.x963Representation)
            }
        } catch {
            throw .invalidPrivateKey(curve)
        }
    }

    /// The shared secret Z of a private scalar and the other party's public point.
    /// - Parameters:
    ///   - privateKey: the raw scalar, the curve's field length.
    ///   - publicKey: the other party's uncompressed point `04 ‖ x ‖ y`.
    /// - Throws: ``KeyAgreementError/invalidPrivateKey(_:)``, ``KeyAgreementError/publicKeyNotOnCurve(_:)``.
    public static func sharedSecret(_ curve: ECCCurve, privateKey: [UInt8], publicKey: [UInt8]) throws(KeyAgreementError) -> [UInt8] {
        let secret: SharedSecret
        switch curve {
        case .p256:
            guard let d = try? P256.KeyAgreement.PrivateKey(rawRepresentation: privateKey) else { throw .invalidPrivateKey(curve) }
            guard let q = try? P256.KeyAgreement.PublicKey(x963Representation: publicKey) else { throw .publicKeyNotOnCurve(curve) }
            guard let s = try? d.sharedSecretFromKeyAgreement(with: q) else { throw .publicKeyNotOnCurve(curve) }
            secret = s
        case .p384:
            guard let d = try? P384.KeyAgreement.PrivateKey(rawRepresentation: privateKey) else { throw .invalidPrivateKey(curve) }
            guard let q = try? P384.KeyAgreement.PublicKey(x963Representation: publicKey) else { throw .publicKeyNotOnCurve(curve) }
            guard let s = try? d.sharedSecretFromKeyAgreement(with: q) else { throw .publicKeyNotOnCurve(curve) }
            secret = s
        case .p521:
            guard let d = try? P521.KeyAgreement.PrivateKey(rawRepresentation: privateKey) else { throw .invalidPrivateKey(curve) }
            guard let q = try? P521.KeyAgreement.PublicKey(x963Representation: publicKey) else { throw .publicKeyNotOnCurve(curve) }
            guard let s = try? d.sharedSecretFromKeyAgreement(with: q) else { throw .publicKeyNotOnCurve(curve) }
            secret = s
        }
        let z = secret.withUnsafeBytes { Array($0) }
        // SP 800-56A §5.7.1.2: Z keeps its leading zero bytes (a field element of fixed length).
        return [UInt8](repeating: 0, count: max(0, curve.coordinateByteCount - z.count)) + z
    }
}

extension ECDH {
    /// The DER SubjectPublicKeyInfo of a public point (RFC 5480: id-ecPublicKey, the named curve,
    /// the uncompressed point): what a certificate carries and what a public key's check value hashes.
    /// - Throws: ``KeyAgreementError/publicKeyNotOnCurve(_:)``.
    public static func subjectPublicKeyInfo(_ curve: ECCCurve, publicKey: [UInt8]) throws(KeyAgreementError) -> [UInt8] {
        do {
            switch curve {
            case .p256: return Array(try P256.Signing.PublicKey(x963Representation: publicKey).derRepresentation)
            case .p384: return Array(try P384.Signing.PublicKey(x963Representation: publicKey).derRepresentation)
            case .p521: return Array(try P521.Signing.PublicKey(x963Representation: publicKey).derRepresentation)
            }
        } catch {
            throw .publicKeyNotOnCurve(curve)
        }
    }
}
