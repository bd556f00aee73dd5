import ArgumentParser
import PaymentCryptography

struct KCV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kcv",
        abstract: "Print a key's check value (6 hex digits) as AWS computes it."
    )

    @Option(help: "The clear key, hex.")
    var key: String
    @Option(help: "The key's KeyAlgorithm.")
    var keyAlgorithm: String
    @Option(help: "ANSI_X9_24 (TDES default), CMAC (AES default) or HMAC (HMAC default).")
    var kcvAlgorithm: String?

    func run() throws {
        let material = parseKey(key, keyAlgorithm)
        var method: KeyCheckValue.Method?
        if let kcvAlgorithm {
            guard let m = KeyCheckValue.Method(rawValue: kcvAlgorithm) else {
                fail("--kcv-algorithm: must be one of \(KeyCheckValue.Method.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            method = m
        }
        do {
            print(try material.keyCheckValue(method: method))
        } catch PaymentCryptographyError.invalidParameter(let why) {
            fail("--kcv-algorithm: \(why)")
        } catch {
            fail("--key: \(error)")
        }
    }
}
