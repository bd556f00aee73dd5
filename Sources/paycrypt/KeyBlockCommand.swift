import ArgumentParser
import Foundation
import PayCryptService
import PaymentCryptography

/// `paycrypt keyblock inspect`: key-block diagnostics beyond AWS, which answers only "invalid".
struct KeyBlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyblock",
        abstract: "Key block diagnostics.",
        subcommands: [Inspect.self]
    )

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a TR-31 block or TR-34 hex and explain every field; with --kek, verify, unwrap and print the key's KCV and the KeyAttributes ImportKey would give it."
        )

        @Argument(help: "A TR-31 block, the hex of a TR-34 block, or a file holding either.")
        var block: String
        @Option(help: "The key block protection key as HEX:ALGORITHM (TDES_2KEY, TDES_3KEY, AES_128, AES_192, AES_256).")
        var kek: String?
        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            var text = block
            if FileManager.default.fileExists(atPath: block), let data = FileManager.default.contents(atPath: block),
               let contents = String(data: data, encoding: .utf8) {
                text = contents
            }
            var material: SymmetricKeyMaterial?
            if let kek {
                let parts = kek.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { fail("--kek: must be HEX:ALGORITHM") }
                material = parseKey(parts[0], parts[1])
            }
            let report = KeyBlockInspection.inspect(text, kek: material)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print("format: \(report.format)")
                for f in report.fields { print("  \(f.name): \(f.value)  (\(f.meaning))") }
                for b in report.optionalBlocks { print("  optional block \(b.name): \(b.value)  (\(b.meaning))") }
                if let v = report.verified { print("verified under the KEK: \(v ? "yes" : "no")") }
                if let kcv = report.keyCheckValue { print("key check value: \(kcv)") }
                if let a = report.keyAttributes {
                    print("ImportKey would give: " + a.keys.sorted().map { "\($0)=\(a[$0] ?? "")" }.joined(separator: " "))
                }
                if let n = report.note { print("note: \(n)") }
                if let p = report.problem { print("problem: \(p)") }
            }
            if report.problem != nil { throw ExitCode(1) }
        }
    }
}
