import ArgumentParser
import Foundation
import PayCryptModel
import PayCryptServer
import PayCryptService
import PayCryptStore
import PaymentCryptography

/// `paycrypt offline <Operation>`: runs one API operation on keys given on the command line, through
/// the server's own code path (decode and validate, the operation, encode, error rendering), with no
/// store on disk and no server.
struct OfflineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offline",
        abstract: "Run one AWS Payment Cryptography operation offline on keys given here; prints the response JSON.",
        discussion: """
            Example:
              paycrypt offline GenerateMac --key mac=0123456789ABCDEFFEDCBA9876543210:TDES_2KEY:TR31_M3_ISO_9797_3_MAC_KEY \\
                --input '{"KeyIdentifier":"mac","MessageData":"00112233","GenerationAttributes":{"Algorithm":"ISO9797_ALGORITHM3"}}'
            Key identifiers in the JSON that equal a --key NAME name that key (it becomes alias/NAME).
            Key exchange (TranslateKeyMaterial, DiffieHellmanSymmetricKey) also takes
              --key pair=<private scalar hex>:ECC_NIST_P256:TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT
              --key ca=<base64 of a self-signed PEM certificate>:ECC_NIST_P256:TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE
            Errors print the exception name and message on stderr and exit 1.
            """
    )

    @Argument(help: "The AWS operation name, e.g. GenerateMac, VerifyCardValidationData.")
    var operation: String
    @Option(help: "The operation's request JSON.")
    var input: String
    @Option(name: .customLong("key"), help: """
        NAME=<hex>:<KeyAlgorithm>:<KeyUsage>[:<mode>,<mode>...] (default mode NoRestrictions). Repeatable. \
        A TR31_K3 key takes its ECC private scalar in hex (default mode DeriveKey), a TR31_S0 CA its \
        self-signed certificate as base64 of PEM (default mode Verify).
        """)
    var keys: [String] = []
    @Option(help: "Print only this top-level field of the response, bare.")
    var field: String?

    /// Whether a request member names a key: every member whose name ends in `KeyIdentifier`
    /// (`KeyIdentifier`, `Incoming/OutgoingKeyIdentifier`, `WrappingKeyIdentifier`,
    /// `Generation/Encryption/VerificationKeyIdentifier` of the PIN operations, ...) or in
    /// `PekIdentifier` (`NewPinPekIdentifier`, `CurrentPinPekIdentifier` of GenerateMacEmvPinChange).
    static func isIdentifierMember(_ name: String) -> Bool { name.hasSuffix("KeyIdentifier") || name.hasSuffix("PekIdentifier") }

    /// The usages `--key` takes as asymmetric keys: an ECC key agreement key pair by its private
    /// scalar, and a certificate authority by its self-signed certificate (README, "The offline calculator").
    static let keyPairUsage = "TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT"
    static let certificateAuthorityUsage = "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE"

    func run() async throws {
        let account = "111122223333", region = "us-east-1"
        var entries: [JSONValue] = []
        var names: [String: String] = [:]
        // Asymmetric keys go in after the seed: (name, key id, material, algorithm, usage, modes).
        var asymmetric: [(name: String, keyId: String, material: String, algorithm: String, usage: String, modes: [String])] = []
        for (index, spec) in keys.enumerated() {
            guard let eq = spec.firstIndex(of: "=") else { fail("--key \(spec.prefix(20))…: expected NAME=<hex>:<KeyAlgorithm>:<KeyUsage>[:<modes>]") }
            let name = String(spec[..<eq])
            let parts = spec[spec.index(after: eq)...].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard !name.isEmpty, parts.count == 3 || parts.count == 4 else {
                fail("--key \(name): expected NAME=<hex>:<KeyAlgorithm>:<KeyUsage>[:<modes>]")
            }
            let keyId = "offlinekey" + String(format: "%06d", index)
            names[name] = "alias/\(name)"
            if parts[2] == Self.keyPairUsage || parts[2] == Self.certificateAuthorityUsage {
                let defaultMode = parts[2] == Self.keyPairUsage ? "DeriveKey" : "Verify"
                let modes = parts.count == 4 ? parts[3].split(separator: ",").map(String.init) : [defaultMode]
                asymmetric.append((name, keyId, parts[0], parts[1], parts[2], modes))
                continue
            }
            let modes = parts.count == 4 ? parts[3].split(separator: ",").map(String.init) : ["NoRestrictions"]
            entries.append(.object([
                "KeyId": .string(keyId), "KeyMaterial": .string(parts[0]),
                "KeyAttributes": .object([
                    "KeyUsage": .string(parts[2]), "KeyClass": .string("SYMMETRIC_KEY"), "KeyAlgorithm": .string(parts[1]),
                    "KeyModesOfUse": .object(Dictionary(uniqueKeysWithValues: modes.map { ($0, JSONValue.bool(true)) })),
                ]),
                "Exportable": .bool(true), "Enabled": .bool(true), "Aliases": .array([.string("alias/\(name)")]),
            ]))
        }
        let service = PaymentCryptographyService(store: InMemoryKeyStore(), masterKey: try MasterKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) }))
        let context = RequestContext(account: account, region: region)
        do {
            let seed = try SeedFile(data: Data(try JSONValue.object(["Keys": .array(entries)]).jsonBytes()))
            _ = try await service.applySeed(seed, context: context)
        } catch let invalid as SeedFile.Invalid {
            fail("--key: \(invalid.description)")
        }
        let responder = PaymentCryptographyResponder(service: service, accountId: account, defaultRegion: region)
        for key in asymmetric {
            await Self.addAsymmetric(key, service: service, responder: responder, context: context)
        }
        var request: JSONValue
        do { request = try JSONValue(parsing: Array(input.utf8)) } catch { fail("--input is not valid JSON") }
        request = Self.rename(request, names)
        let result = await responder.invoke(operation: operation, body: try request.jsonBytes(), context: context)
        let body = (try? JSONValue(parsing: result.body)) ?? .null
        if let exception = result.exception {
            let message = body["message"]?.stringValue ?? body["Message"]?.stringValue ?? ""
            FileHandle.standardError.write(Data("\(exception): \(message)\n".utf8))
            throw ExitCode(ExitStatus.refused)
        }
        if let field {
            guard let value = body[field] else { fail("--field \(field): the response has no such field") }
            let text = try value.stringValue ?? String(decoding: value.jsonBytes(), as: UTF8.self)
            print(text)
        } else {
            print(String(decoding: result.body, as: UTF8.self))
        }
    }

    /// Adds an asymmetric `--key` under the alias of its name: a K3 key pair of the given private
    /// scalar (the key CreateKey would make), or a CA imported as ImportKey `RootCertificatePublicKey`
    /// does, through the server's own code path. A refusal stops with the rule and never the material.
    static func addAsymmetric(_ key: (name: String, keyId: String, material: String, algorithm: String, usage: String, modes: [String]),
                              service: PaymentCryptographyService, responder: PaymentCryptographyResponder,
                              context: RequestContext) async {
        let alias = "alias/\(key.name)"
        if key.usage == keyPairUsage {
            guard let scalar = Bytes.fromHex(key.material) else { fail("--key \(key.name): the private key must be hex") }
            do {
                _ = try await service.insertKnownECCKeyPair(keyId: key.keyId, keyAlgorithm: key.algorithm, privateKey: scalar,
                                                            modes: key.modes, alias: alias, context: context)
            } catch let e as ServiceError {
                fail("--key \(key.name): \(e.message)")
            } catch {
                fail("--key \(key.name): the key pair cannot be stored")
            }
            return
        }
        let request = JSONValue.object(["KeyMaterial": .object(["RootCertificatePublicKey": .object([
            "KeyAttributes": .object([
                "KeyUsage": .string(key.usage), "KeyClass": .string("PUBLIC_KEY"), "KeyAlgorithm": .string(key.algorithm),
                "KeyModesOfUse": .object(Dictionary(uniqueKeysWithValues: key.modes.map { ($0, JSONValue.bool(true)) })),
            ]),
            "PublicKeyCertificate": .string(key.material),
        ])])])
        guard let body = try? request.jsonBytes() else { fail("--key \(key.name): the certificate cannot be encoded") }
        let imported = await responder.invoke(operation: "ImportKey", body: body, context: context)
        let answer = (try? JSONValue(parsing: imported.body)) ?? .null
        guard imported.exception == nil, let arn = answer["Key"]?["KeyArn"]?.stringValue else {
            fail("--key \(key.name): \(answer["Message"]?.stringValue ?? answer["message"]?.stringValue ?? "the certificate was refused")")
        }
        guard let aliasBody = try? JSONValue.object(["AliasName": .string(alias), "KeyArn": .string(arn)]).jsonBytes(),
              await responder.invoke(operation: "CreateAlias", body: aliasBody, context: context).exception == nil else {
            fail("--key \(key.name): the alias \(alias) cannot be created")
        }
    }

    /// Replaces key-identifier members whose value is a --key NAME by that key's alias, at any depth.
    static func rename(_ value: JSONValue, _ names: [String: String]) -> JSONValue {
        switch value {
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for (k, v) in members {
                if Self.isIdentifierMember(k), let s = v.stringValue, let alias = names[s] { out[k] = .string(alias) } else { out[k] = rename(v, names) }
            }
            return .object(out)
        case .array(let elements): return .array(elements.map { rename($0, names) })
        default: return value
        }
    }
}
