import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography

/// A seed file: keys with known clear material, fixed ids, aliases and tags, loaded at start
/// for development and test setups. The format speaks the API's own words:
///
/// ```json
/// {"Keys": [{"KeyId": "x924testbdk00001", "KeyMaterial": "0123456789ABCDEFFEDCBA9876543210",
///            "KeyAttributes": {"KeyUsage": "TR31_B0_BASE_DERIVATION_KEY", "KeyClass": "SYMMETRIC_KEY",
///                              "KeyAlgorithm": "TDES_2KEY", "KeyModesOfUse": {"DeriveKey": true}},
///            "Exportable": true, "Enabled": true, "Aliases": ["alias/x9-24-test-bdk"],
///            "Tags": [{"Key": "purpose", "Value": "test"}]}]}
/// ```
public struct SeedFile: Sendable {
    /// One key of the seed.
    public struct Entry: Sendable {
        public var keyId: String
        public var material: SymmetricKeyMaterial
        public var attributes: ControlPlane.KeyAttributes
        public var exportable: Bool
        public var enabled: Bool
        public var keyCheckValueAlgorithm: String?
        public var aliases: [String]
        public var tags: [TagRecord]
    }

    /// The keys, in file order.
    public var entries: [Entry]

    /// A seed entry that breaks a rule; the message names the entry and the field.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// A seed KeyId: 16 to 64 ASCII letters and digits.
    static func isValidKeyId(_ id: String) -> Bool {
        (16...64).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// `text` in double quotes with every character other than printable ASCII escaped (`\n`,
    /// `\u{1B}`, ...), at most `limit` characters between the quotes (`...` ends a cut text).
    static func quoted(_ text: String, limit: Int) -> String {
        var pieces: [String] = []
        var length = 0
        for scalar in text.unicodeScalars {
            let piece: String = switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case " "..."~": String(scalar)
            default: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
            pieces.append(piece)
            length += piece.count
            if length > limit { break }
        }
        guard length > limit else { return "\"\(pieces.joined())\"" }
        var out = ""
        for piece in pieces {
            if out.count + piece.count > limit - 3 { break }
            out += piece
        }
        return "\"\(out)...\""
    }

    /// Parses and checks a seed file: every rule CreateKey/ImportKey apply, plus the id format.
    public init(data: Data) throws(Invalid) {
        let root: JSONValue
        do { root = try JSONValue(parsing: data) } catch { throw Invalid(description: "the seed file is not valid JSON") }
        guard case .object(let top) = root, case .array(let keys)? = top["Keys"] else {
            throw Invalid(description: "the seed file must be an object with a Keys list")
        }
        var entries: [Entry] = []
        var seenIds = Set<String>(), seenAliases = Set<String>()
        for (i, value) in keys.enumerated() {
            let path = "Keys[\(i)]"
            guard case .object(let o) = value else { throw Invalid(description: "\(path): must be an object") }
            // The entry is named by its index, its field and its KeyId when it has one (a KeyId is
            // an identifier, never secret), so that a long seed file points at the right entry. An
            // invalid KeyId is quoted escaped and cut to 64 characters: it reaches a terminal.
            let named: String = switch o["KeyId"] {
            case .string(let id)? where Self.isValidKeyId(id): " (KeyId \(id))"
            case .string(let id)?: " (KeyId \(Self.quoted(id, limit: 64)))"
            default: ""
            }
            func fail(_ field: String, _ message: String) -> Invalid { Invalid(description: "\(path).\(field)\(named): \(message)") }
            guard case .string(let keyId)? = o["KeyId"], Self.isValidKeyId(keyId) else {
                throw fail("KeyId", "must be 16 to 64 letters and digits")
            }
            guard seenIds.insert(keyId).inserted else { throw fail("KeyId", "\(keyId) appears twice") }
            let attributes: ControlPlane.KeyAttributes
            do {
                attributes = try Wire.decode(ControlPlane.KeyAttributes.self, from: o["KeyAttributes"] ?? .null)
            } catch let v as ValidationFailure {
                throw fail("KeyAttributes", v.violations.map(\.message).joined(separator: "; "))
            } catch {
                throw fail("KeyAttributes", "is missing or not valid")
            }
            let modes = KeyModes(wire: attributes.keyModesOfUse)
            if let problem = KeyAttributeRules.check(keyUsage: attributes.keyUsage.rawValue, keyClass: attributes.keyClass.rawValue,
                                                     keyAlgorithm: attributes.keyAlgorithm.rawValue, modes: modes.names) {
                throw fail("KeyAttributes", problem)
            }
            guard attributes.keyClass == .symmetricKey, let algorithm = KeyAlgorithm(rawValue: attributes.keyAlgorithm.rawValue) else {
                throw fail("KeyAttributes.KeyAlgorithm", "seed keys are symmetric TDES, AES or HMAC keys")
            }
            guard case .string(let hex)? = o["KeyMaterial"], let bytes = Bytes.fromHex(hex) else {
                throw fail("KeyMaterial", "must be the clear key in hex")
            }
            let material: SymmetricKeyMaterial
            do { material = try SymmetricKeyMaterial(algorithm: algorithm, bytes: bytes) } catch {
                throw fail("KeyMaterial", "\(bytes.count) bytes do not fit \(algorithm.rawValue)")
            }
            func bool(_ name: String, default d: Bool) throws(Invalid) -> Bool {
                switch o[name] {
                case nil, .null?: return d
                case .bool(let b)?: return b
                default: throw fail(name, "must be true or false")
                }
            }
            var kcvAlgorithm: String?
            if let v = o["KeyCheckValueAlgorithm"] {
                guard case .string(let s) = v, KeyCheckValue.Method(rawValue: s) != nil else {
                    throw fail("KeyCheckValueAlgorithm", "must be ANSI_X9_24, CMAC or HMAC")
                }
                kcvAlgorithm = s
            }
            var aliases: [String] = []
            if case .array(let list)? = o["Aliases"] {
                for (j, a) in list.enumerated() {
                    guard case .string(let name) = a, name.hasPrefix("alias/"), (7...256).contains(name.count),
                          name.dropFirst(6).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_-".contains($0)) }) else {
                        throw fail("Aliases[\(j)]", "must match alias/[a-zA-Z0-9/_-]+ (7 to 256 characters)")
                    }
                    guard seenAliases.insert(name).inserted else { throw fail("Aliases[\(j)]", "\(name) appears twice in the seed") }
                    aliases.append(name)
                }
            } else if o["Aliases"] != nil {
                throw fail("Aliases", "must be a list of alias names")
            }
            var tags: [TagRecord] = []
            if let t = o["Tags"] {
                do {
                    // Validated as TagResource's Tags, so the model's rules for tag keys and values apply.
                    let input = JSONValue.object(["ResourceArn": .string(KeyRecord.arn(region: "us-east-1", account: "000000000000", keyId: keyId)), "Tags": t])
                    tags = try Wire.decode(ControlPlane.TagResourceInput.self, from: input).tags.map { TagRecord(key: $0.key, value: $0.value) }
                } catch {
                    throw fail("Tags", "must be a list of {\"Key\", \"Value\"}")
                }
            }
            entries.append(Entry(keyId: keyId, material: material, attributes: attributes, exportable: try bool("Exportable", default: true),
                                 enabled: try bool("Enabled", default: true), keyCheckValueAlgorithm: kcvAlgorithm,
                                 aliases: aliases, tags: tags))
        }
        self.entries = entries
    }
}

extension PaymentCryptographyService {
    /// What applying a seed changed.
    public struct SeedSummary: Sendable, Equatable {
        public var created = 0, updated = 0, unchanged = 0, aliases = 0
    }

    /// Loads a seed idempotently: a key missing is created with the seed's id, a key that differs
    /// (material, attributes, flags, tags) is updated, an equal one is left alone; aliases are
    /// created or pointed at their key. The same file gives the same ARNs on every start.
    public func applySeed(_ seed: SeedFile, context: RequestContext) async throws -> SeedSummary {
        var summary = SeedSummary()
        for (i, e) in seed.entries.enumerated() {
            let arn = KeyRecord.arn(region: context.region, account: context.account, keyId: e.keyId)
            let method = e.keyCheckValueAlgorithm.flatMap(KeyCheckValue.Method.init(rawValue:)) ?? e.material.algorithm.defaultKeyCheckValueMethod
            let kcv: String
            do { kcv = try e.material.keyCheckValue(method: method) } catch {
                throw SeedFile.Invalid(description: "Keys[\(i)].KeyCheckValueAlgorithm (KeyId \(e.keyId)): \(method.rawValue) does not apply to \(e.material.algorithm.rawValue)")
            }
            let modes = KeyModes(wire: e.attributes.keyModesOfUse)
            let existing = try await store.key(account: context.account, region: context.region, keyId: e.keyId)
            if let existing, (try? masterKey.open(existing.sealedMaterial, context: arn)) == e.material.bytes,
               existing.keyUsage == e.attributes.keyUsage.rawValue, existing.keyAlgorithm == e.attributes.keyAlgorithm.rawValue,
               existing.modes == modes, existing.exportable == e.exportable, existing.enabled == e.enabled,
               existing.keyCheckValueAlgorithm == method.rawValue, existing.tags == e.tags, existing.state == .CREATE_COMPLETE {
                summary.unchanged += 1
            } else {
                let now = clock()
                let record = KeyRecord(
                    keyId: e.keyId, account: context.account, region: context.region, keyUsage: e.attributes.keyUsage.rawValue,
                    keyClass: e.attributes.keyClass.rawValue, keyAlgorithm: e.attributes.keyAlgorithm.rawValue, modes: modes,
                    keyCheckValue: kcv, keyCheckValueAlgorithm: method.rawValue, enabled: e.enabled, exportable: e.exportable,
                    state: .CREATE_COMPLETE, origin: "EXTERNAL", createTimestamp: existing?.createTimestamp ?? now,
                    usageStartTimestamp: e.enabled ? now : nil, usageStopTimestamp: e.enabled ? nil : now, tags: e.tags,
                    sealedMaterial: try masterKey.seal(e.material.bytes, context: arn))
                if existing == nil {
                    try await store.insertKey(record)
                    summary.created += 1
                } else {
                    try await store.updateKey(record)
                    summary.updated += 1
                }
                cache.invalidate(arn: arn)
            }
            for name in e.aliases {
                let alias = AliasRecord(aliasName: name, account: context.account, region: context.region, keyId: e.keyId)
                if let current = try await store.alias(account: context.account, region: context.region, aliasName: name) {
                    if current.keyId != e.keyId { try await store.updateAlias(alias) }
                } else {
                    try await store.insertAlias(alias)
                }
                cache.invalidateAlias(alias.aliasArn)
                summary.aliases += 1
            }
        }
        return summary
    }
}
