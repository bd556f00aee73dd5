import Foundation
import PaymentCryptography
import SwiftASN1

/// What `paycrypt keyblock inspect` says about a key block: every field with its meaning, and, with
/// a KEK, whether it opens, the enclosed key's check value and the KeyAttributes ImportKey would
/// give it, or the check that failed (the same typed errors ImportKey reports). Never the key.
public struct KeyBlockReport: Sendable, Encodable {
    /// One field: its name, its value as written and what it means.
    public struct Field: Sendable, Encodable {
        /// The field's name, e.g. `key usage`, or an optional block's ID.
        public let name: String
        /// The value as the block writes it.
        public let value: String
        /// What the value means (ANSI X9.143 / TR-31, or the AWS equivalent).
        public let meaning: String
    }

    /// `TR-31` or `TR-34`.
    public var format: String
    /// The header (TR-31) or structure (TR-34) fields, in order.
    public var fields: [Field] = []
    /// The TR-31 optional blocks, in order.
    public var optionalBlocks: [Field] = []
    /// True when the MAC verified and the key unwrapped under the KEK; nil without a KEK.
    public var verified: Bool?
    /// The enclosed key's check value (its algorithm's default method), when it unwrapped.
    public var keyCheckValue: String?
    /// The KeyAttributes ImportKey would give the key (`KeyUsage`, `KeyClass`, `KeyAlgorithm`,
    /// `KeyModesOfUse`, `Exportable`), when it unwrapped.
    public var keyAttributes: [String: String]?
    /// Why the block does not open or would not import (the check that failed); `paycrypt keyblock
    /// inspect` exits 1 whenever there is one.
    public var problem: String?
    /// Information that is not a problem (e.g. that a TR-34 block opens only in ImportKey).
    public var note: String?
}

/// Key-block diagnostics beyond AWS, which answers only "invalid" (README, "Key block diagnostics").
public enum KeyBlockInspection {
    /// Decodes `text`: a TR-31 block (it starts with a version letter) or the hex of a TR-34 DER
    /// block (it starts with `30`).
    /// - Parameters:
    ///   - kek: the TR-31 key block protection key (TDES or AES), to verify and unwrap.
    public static func inspect(_ text: String, kek: SymmetricKeyMaterial?) -> KeyBlockReport {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("30"), let der = Bytes.fromHex(trimmed) { return inspectTR34(der) }
        return inspectTR31(trimmed, kek: kek)
    }

    static let versions = ["A": "TDES key variant binding (deprecated)", "B": "TDES key derivation binding", "C": "TDES key variant binding",
                           "D": "AES key derivation binding"]
    static let algorithms = ["T": "TDES", "A": "AES", "D": "DES", "H": "HMAC (hash in the HM block)", "R": "RSA", "E": "elliptic curve",
                             "S": "DSA"]
    static let modes = ["B": "encrypt/wrap and decrypt/unwrap", "C": "generate and verify", "D": "decrypt/unwrap only", "E": "encrypt/wrap only",
                        "G": "generate only", "N": "no restrictions", "S": "sign only", "T": "sign and decrypt", "V": "verify only",
                        "X": "derive keys", "Y": "create key variants"]
    static let exportability = ["E": "exportable under a KEK (TR-31/TR-34)", "N": "not exportable", "S": "sensitive: exportable in other forms too"]
    static let blockMeanings = ["AL": "asymmetric key life", "BI": "base derivation key identifier", "CT": "public key certificate",
                                "DA": "derivations allowed", "HM": "HMAC hash (20 SHA-224, 21 SHA-256, 22 SHA-384, 23 SHA-512)",
                                "IK": "initial key identifier (AES DUKPT)", "KC": "check value of the wrapped key",
                                "KP": "check value of the KBPK", "KS": "initial key serial number (TDES DUKPT)", "KV": "key block values version",
                                "LB": "label", "PB": "padding", "TC": "time of creation", "TS": "time stamp", "WP": "wrapping pedigree"]

    static func inspectTR31(_ block: String, kek: SymmetricKeyMaterial?) -> KeyBlockReport {
        var report = KeyBlockReport(format: "TR-31")
        let header: TR31Header
        do { header = try TR31Header(parsing: block) } catch {
            report.problem = "the header does not parse: \(error)"
            return report
        }
        let usage = header.keyUsage.rawValue
        let awsUsage = TR31Mapping.awsUsage(usage)
        report.fields = [
            .init(name: "version", value: header.version.rawValue, meaning: versions[header.version.rawValue] ?? "unknown"),
            .init(name: "length", value: String(block.dropFirst().prefix(4)), meaning: "\(block.count) characters given"),
            .init(name: "key usage", value: usage, meaning: awsUsage ?? "no AWS KeyUsage"),
            .init(name: "algorithm", value: header.algorithm.rawValue, meaning: algorithms[header.algorithm.rawValue] ?? "unknown"),
            .init(name: "mode of use", value: header.modeOfUse.rawValue, meaning: modes[header.modeOfUse.rawValue] ?? "unknown"),
            .init(name: "key version number", value: header.keyVersionNumber.rawValue, meaning: header.keyVersionNumber.rawValue == "00" ? "unused" : "key version"),
            .init(name: "exportability", value: header.exportability.rawValue, meaning: exportability[header.exportability.rawValue] ?? "unknown"),
            .init(name: "optional blocks", value: String(header.optionalBlocks.count), meaning: "count"),
            .init(name: "key context", value: header.keyContext.rawValue, meaning: header.keyContext.rawValue == "0" ? "determined by the wrapping key" : "see X9.143"),
        ]
        report.optionalBlocks = header.optionalBlocks.map { .init(name: $0.id.rawValue, value: $0.data, meaning: blockMeanings[$0.id.rawValue] ?? "proprietary") }
        if let declared = Int(block.dropFirst().prefix(4)), declared != block.count {
            report.problem = "the length field says \(declared) characters but the block has \(block.count)"
        }
        guard let kek else { return report }
        let kbpk: TR31ProtectionKey
        do {
            if kek.algorithm.isTDES { kbpk = try TR31ProtectionKey(tdes: kek.bytes) } else if kek.algorithm.isAES { kbpk = try TR31ProtectionKey(aes: kek.bytes) } else {
                report.problem = "a \(kek.algorithm.rawValue) key cannot protect a TR-31 block"
                return report
            }
        } catch {
            report.problem = "the KEK cannot protect a TR-31 block: \(error)"
            return report
        }
        let unwrapped: TR31UnwrappedKey
        do { unwrapped = try TR31KeyBlock.unwrap(block, using: kbpk) } catch {
            report.verified = false
            report.problem = "\(error)"
            return report
        }
        report.verified = true
        guard let algorithm = TR31Mapping.awsAlgorithm(unwrapped.header, keyLength: unwrapped.key.count),
              let material = try? SymmetricKeyMaterial(algorithm: algorithm, bytes: unwrapped.key) else {
            report.problem = "the key (\(unwrapped.key.count) bytes, algorithm \(header.algorithm.rawValue)) is not a symmetric key ImportKey takes"
            return report
        }
        report.keyCheckValue = try? material.keyCheckValue()
        let modesOfUse = TR31Mapping.modes(header.modeOfUse)
        report.keyAttributes = ["KeyUsage": awsUsage ?? "-", "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": algorithm.rawValue,
                                "KeyModesOfUse": modesOfUse.map { KeyAttributeRules.describe(Set($0.names.compactMap(KeyAttributeRules.Mode.init(rawValue:)))) } ?? "-",
                                "Exportable": header.exportability == .nonExportable ? "false" : "true"]
        if header.version != .d, header.algorithm != .tdes {
            report.problem = "a TR-31 version \(header.version.rawValue) key block carries only TDES keys"
        } else if let awsUsage, let modesOfUse,
                  let problem = KeyAttributeRules.check(keyUsage: awsUsage, keyClass: "SYMMETRIC_KEY", keyAlgorithm: algorithm.rawValue, modes: modesOfUse.names) {
            report.problem = "ImportKey would refuse it: \(problem)"
        } else if awsUsage == nil || modesOfUse == nil {
            report.problem = "ImportKey would refuse it: the usage or mode of use has no AWS equivalent"
        }
        return report
    }

    static func inspectTR34(_ der: [UInt8]) -> KeyBlockReport {
        var report = KeyBlockReport(format: "TR-34")
        do {
            let parts = try TR34.SignedParts(parsing: der)
            report.fields.append(.init(name: "ContentInfo", value: "id-signedData", meaning: "CMS SignedData, version 1, SHA-256"))
            let attributes = try TR34.SignedAttributes(parsing: parts.signedAttributes)
            report.fields.append(.init(name: "key block header", value: String(decoding: attributes.header, as: UTF8.self),
                                       meaning: "usage, algorithm, mode, version and exportability of the key (signed)"))
            if let nonce = attributes.randomNonce {
                report.fields.append(.init(name: "randomNonce", value: Bytes.hex(nonce), meaning: "two-pass: must equal ImportKey's RandomNonce"))
            } else {
                report.fields.append(.init(name: "signingTime", value: attributes.hasSigningTime ? "present" : "absent", meaning: "one-pass"))
            }
            let envelope = try TR34.Envelope(parsing: parts.envelopedData)
            report.fields.append(.init(name: "content cipher", value: envelope.cipher == .desEDE3CBC ? "des-ede3-cbc" : "aes128-CBC",
                                       meaning: "the ephemeral key's cipher"))
            report.fields.append(.init(name: "encrypted key", value: "\(envelope.encryptedKey.count) bytes",
                                       meaning: "RSAES-OAEP (SHA-256) to the wrapping certificate of the import token"))
            report.fields.append(.init(name: "encrypted content", value: "\(envelope.ciphertext.count) bytes", meaning: "KeyBlock, PKCS#7 padded"))
            report.note = "opening a TR-34 block needs the import token's private key, which only the service holds: use ImportKey"
        } catch {
            report.problem = "\(error)"
        }
        return report
    }
}
