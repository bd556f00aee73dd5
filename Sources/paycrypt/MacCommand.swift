import ArgumentParser
import Foundation
import PayCryptModel
import PayCryptService
import PaymentCryptography

struct Mac: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mac",
        abstract: "Generate or verify a MAC offline, exactly as GenerateMac/VerifyMac would.",
        subcommands: [Generate.self, Verify.self]
    )

    /// Options shared by generate and verify.
    struct Common: ParsableArguments {
        @Option(help: "The clear key (for DUKPT the BDK, for EmvMac the issuer master key), hex.")
        var key: String
        @Option(help: "The key's KeyAlgorithm: TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256, HMAC_SHA224/256/384/512.")
        var keyAlgorithm: String
        @Option(help: "AWS GenerationAttributes/VerificationAttributes JSON, e.g. '{\"Algorithm\":\"ISO9797_ALGORITHM3\"}'.")
        var attributes: String
        @Option(help: "MessageData, hex.")
        var message: String
        @Option(help: "MacLength: the number of hex digits (4-32, at most the full MAC).")
        var macLength: Int?
        @Flag(help: "Print a JSON object (Mac, KeyCheckValue) instead of bare hex.")
        var json = false
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the MAC as upper-case hex.")
        @OptionGroup var common: Common

        func run() throws {
            let request = parseMacRequest(common, mac: nil, root: "GenerationAttributes")
            do {
                let mac = try MacOperation.generate(key: request.key, attributes: request.attributes, message: request.message,
                                                    macLength: common.macLength)
                if common.json {
                    printJSON(["Mac": mac, "KeyCheckValue": (try? request.key.keyCheckValue()) ?? ""])
                } else {
                    print(mac)
                }
            } catch {
                fail(render(error))
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Exit 0 when the MAC verifies, 1 when it does not, 2 on bad input.")
        @OptionGroup var common: Common
        @Option(help: "The MAC to verify, hex.")
        var mac: String

        func run() throws {
            let request = parseMacRequest(common, mac: mac, root: "VerificationAttributes")
            do {
                try MacOperation.verify(key: request.key, attributes: request.attributes, message: request.message,
                                        mac: mac, macLength: common.macLength)
                if common.json { printJSON(["KeyCheckValue": (try? request.key.keyCheckValue()) ?? ""]) }
            } catch {
                fail(render(error), code: error.kind == .verificationFailed ? 1 : 2)
            }
        }
    }
}

struct ParsedMacRequest {
    var key: SymmetricKeyMaterial
    var attributes: MacAttributes
    var message: [UInt8]
}

/// Validates the options exactly as the server validates a request body (the same model rules),
/// then translates them. Exits with a one-line message naming the field on any error.
func parseMacRequest(_ c: Mac.Common, mac: String?, root: String) -> ParsedMacRequest {
    let keyAlgorithm = parseKey(c.key, c.keyAlgorithm)
    let attributes: JSONValue
    do {
        attributes = try JSONValue(parsing: Data(c.attributes.utf8))
    } catch {
        fail("--attributes: not valid JSON")
    }
    var body: [String: JSONValue] = [
        "KeyIdentifier": .string("alias/paycrypt-cli"),
        "MessageData": .string(c.message),
        root: attributes,
    ]
    if let l = c.macLength { body["MacLength"] = .integer(l) }
    if let mac { body["Mac"] = .string(mac) }
    do {
        let wire: DataPlane.MacAttributes
        if mac == nil {
            wire = try Wire.decode(DataPlane.GenerateMacInput.self, from: .object(body)).generationAttributes
        } else {
            wire = try Wire.decode(DataPlane.VerifyMacInput.self, from: .object(body)).verificationAttributes
        }
        guard let message = Bytes.fromHex(c.message) else { fail("MessageData: not hex") }
        return ParsedMacRequest(key: keyAlgorithm, attributes: try MacAttributes(wire: wire, root: root), message: message)
    } catch let v as ValidationFailure {
        fail(v.violations.first?.message ?? v.message)
    } catch let u as UnsupportedWireValue {
        fail("\(u.field): \(u.value) is not supported")
    } catch {
        fail("invalid input")
    }
}

/// Parses `--key` and `--key-algorithm`.
func parseKey(_ hex: String, _ algorithm: String) -> SymmetricKeyMaterial {
    guard let alg = KeyAlgorithm(rawValue: algorithm) else {
        fail("--key-algorithm: must be one of \(KeyAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard let bytes = Bytes.fromHex(hex) else { fail("--key: must be hex") }
    do {
        return try SymmetricKeyMaterial(algorithm: alg, bytes: bytes)
    } catch {
        let r = alg.keyByteCounts
        let expected = r.count == 1 ? "\(2 * r.lowerBound)" : "\(2 * r.lowerBound) to \(2 * r.upperBound)"
        fail("--key: a \(alg.rawValue) key has \(expected) hex digits, not \(hex.count)")
    }
}

func render(_ error: any Error) -> String {
    switch error {
    case let e as MacRequestError:
        if e.kind == .keyAlgorithmInvalid { return "--key-algorithm: \(e.message)" }
        return e.description
    case let e as PaymentCryptographyError:
        return "\(e)"
    default:
        return "\(error)"
    }
}

func printJSON(_ object: [String: String]) {
    let keys = object.keys.sorted()
    let body = keys.map { "\"\($0)\":\"\(object[$0] ?? "")\"" }.joined(separator: ",")
    print("{\(body)}")
}
