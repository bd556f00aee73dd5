import ArgumentParser
import PaymentCryptography

/// Low-level calculators for what the AWS API cannot express (single-DES keys, padding methods 2
/// and 3, AES CBC-MAC, HMAC keys of any length), so that every published vector can be checked
/// from the command line.
struct ISO9797: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iso9797",
        abstract: "ISO/IEC 9797-1 MAC algorithm 1 or 3 with any padding method (full block, hex)."
    )
    @Option(help: "MAC algorithm: 1 (CBC-MAC) or 3 (retail MAC).")
    var algorithm: Int
    @Option(help: "Key, hex: 8/16/24 bytes (DES/TDES) or, for algorithm 1, 16/24/32 bytes with --aes.")
    var key: String
    @Option(help: "Padding method 1, 2 or 3.")
    var padding: Int = 1
    @Option(help: "Message, hex (may be empty).")
    var message: String = ""
    @Flag(help: "Use AES as the block cipher (algorithm 1 only).")
    var aes = false

    func run() throws {
        guard let k = Bytes.fromHex(key) else { fail("--key: must be hex") }
        guard let m = Bytes.fromHex(message) else { fail("--message: must be hex") }
        guard let p = ISO9797Padding(rawValue: padding) else { fail("--padding: must be 1, 2 or 3") }
        do {
            switch (algorithm, aes) {
            case (1, false): print(Bytes.hex(MACAlgorithm1.mac(key: try TripleDES(key: k), message: m, padding: p)))
            case (1, true): print(Bytes.hex(try MACAlgorithm1.mac(key: AESKey(key: k), message: m, padding: p)))
            case (3, false): print(Bytes.hex(try RetailMAC(tdesKey: k).mac(m, padding: p)))
            default: fail("--algorithm: must be 1, or 3 without --aes")
            }
        } catch {
            fail("--key: \(error)")
        }
    }
}

struct HMACCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hmac",
        abstract: "HMAC with SHA-224/256/384/512 and a key of any length (full output, hex)."
    )
    @Option(help: "sha224, sha256, sha384 or sha512.")
    var hash: String
    @Option(help: "Key, hex.")
    var key: String
    @Option(help: "Message, hex.")
    var message: String = ""

    func run() throws {
        guard let hf = HMACHash(rawValue: hash) else { fail("--hash: must be sha224, sha256, sha384 or sha512") }
        guard let k = Bytes.fromHex(key) else { fail("--key: must be hex") }
        guard let m = Bytes.fromHex(message) else { fail("--message: must be hex") }
        print(Bytes.hex(HMACAlgorithm.authenticationCode(hash: hf, key: k, message: m)))
    }
}
