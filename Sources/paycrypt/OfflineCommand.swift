import ArgumentParser
import Foundation
import PayCryptModel
import PayCryptServer
import PayCryptService
import PayCryptStore

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
            Errors print the exception name and message on stderr and exit 1.
            """
    )

    @Argument(help: "The AWS operation name, e.g. GenerateMac, VerifyCardValidationData.")
    var operation: String
    @Option(help: "The operation's request JSON.")
    var input: String
    @Option(name: .customLong("key"), help: "NAME=<hex>:<KeyAlgorithm>:<KeyUsage>[:<mode>,<mode>...] (default mode NoRestrictions). Repeatable.")
    var keys: [String] = []
    @Option(help: "Print only this top-level field of the response, bare.")
    var field: String?

    /// Whether a request member names a key: every member whose name ends in `KeyIdentifier`
    /// (`KeyIdentifier`, `Incoming/OutgoingKeyIdentifier`, `WrappingKeyIdentifier`,
    /// `Generation/Encryption/VerificationKeyIdentifier` of the PIN operations, ...) or in
    /// `PekIdentifier` (`NewPinPekIdentifier`, `CurrentPinPekIdentifier` of GenerateMacEmvPinChange).
    static func isIdentifierMember(_ name: String) -> Bool { name.hasSuffix("KeyIdentifier") || name.hasSuffix("PekIdentifier") }

    func run() async throws {
        let account = "111122223333", region = "us-east-1"
        var entries: [JSONValue] = []
        var names: [String: String] = [:]
        for (index, spec) in keys.enumerated() {
            guard let eq = spec.firstIndex(of: "=") else { fail("--key \(spec.prefix(20))…: expected NAME=<hex>:<KeyAlgorithm>:<KeyUsage>[:<modes>]") }
            let name = String(spec[..<eq])
            let parts = spec[spec.index(after: eq)...].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard !name.isEmpty, parts.count == 3 || parts.count == 4 else {
                fail("--key \(name): expected NAME=<hex>:<KeyAlgorithm>:<KeyUsage>[:<modes>]")
            }
            let modes = parts.count == 4 ? parts[3].split(separator: ",").map(String.init) : ["NoRestrictions"]
            let keyId = "offlinekey" + String(format: "%06d", index)
            names[name] = "alias/\(name)"
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
        var request: JSONValue
        do { request = try JSONValue(parsing: Array(input.utf8)) } catch { fail("--input is not valid JSON") }
        request = Self.rename(request, names)
        let responder = PaymentCryptographyResponder(service: service, accountId: account, defaultRegion: region)
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
