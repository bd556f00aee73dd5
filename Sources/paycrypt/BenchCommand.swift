import ArgumentParser
import Foundation
import PaymentCryptography

/// Measures MAC throughput and key-derivation latency of the algorithm layer on this machine.
/// `scripts/bench` runs it next to `openssl speed` and prints the comparison table.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark MACs per second for each algorithm and the DUKPT/EMV derivations."
    )

    @Option(help: "Seconds to run each case.")
    var seconds: Double = 0.5
    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    func run() throws {
        let tdes2 = try SymmetricKeyMaterial(algorithm: .TDES_2KEY, bytes: Array(Bytes.fromHex("0123456789ABCDEFFEDCBA9876543210") ?? []))
        let tdes3 = try SymmetricKeyMaterial(algorithm: .TDES_3KEY, bytes: Array(Bytes.fromHex("0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123") ?? []))
        let aes = try SymmetricKeyMaterial(algorithm: .AES_128, bytes: Array(Bytes.fromHex("2B7E151628AED2A6ABF7158809CF4F3C") ?? []))
        let hmac = try SymmetricKeyMaterial(algorithm: .HMAC_SHA256, bytes: [UInt8](repeating: 0x0B, count: 32))
        let aesBDK = try SymmetricKeyMaterial(algorithm: .AES_128, bytes: Array(Bytes.fromHex("FEDCBA9876543210F1F1F1F1F1F1F1F1") ?? []))
        let dukptTDES = DukptMacAttributes(keySerialNumber: "FFFF9876543210FFF800", keyVariant: .REQUEST)
        let dukptAES = DukptMacAttributes(keySerialNumber: "1234567890123456FFFF0000", keyVariant: .REQUEST)
        let emv = EmvMacAttributes(majorKeyDerivationMode: .EMV_OPTION_A, primaryAccountNumber: "1234567890123456", panSequenceNumber: "01",
                                   sessionKeyDerivationMode: .EMV_COMMON_SESSION_KEY, sessionKeyDerivationValue: .applicationCryptogram("ABCDEF1234567890"))

        let macCases: [(String, SymmetricKeyMaterial, MacAttributes)] = [
            ("ISO9797_ALGORITHM1 (TDES-3KEY CBC-MAC)", tdes3, .algorithm(.ISO9797_ALGORITHM1)),
            ("ISO9797_ALGORITHM3 (retail MAC)", tdes2, .algorithm(.ISO9797_ALGORITHM3)),
            ("CMAC (TDES)", tdes3, .algorithm(.CMAC)),
            ("CMAC (AES-128)", aes, .algorithm(.CMAC)),
            ("HMAC (SHA-256)", hmac, .algorithm(.HMAC)),
            ("DukptCmac (TDES BDK, derivation included)", tdes2, .dukptCmac(dukptTDES)),
            ("DukptCmac (AES BDK, derivation included)", aesBDK, .dukptCmac(dukptAES)),
            ("EmvMac (derivation included)", tdes2, .emvMac(emv)),
        ]
        if !json {
            print("| MAC | bytes | MACs/s | MB/s |")
            print("|---|---:|---:|---:|")
        }
        for (name, key, attributes) in macCases {
            for size in [16, 64, 1024, 8192] {
                let message = [UInt8](repeating: 0x5A, count: size)
                let (ops, elapsed) = measure(seconds: seconds) {
                    _ = try? MacOperation.generate(key: key, attributes: attributes, message: message, macLength: nil)
                }
                let rate = Double(ops) / elapsed
                report(kind: "mac", name: name, size: size, rate: rate)
            }
        }

        let ksn = Array(Bytes.fromHex("FFFF9876543210FFF800") ?? [])  // counter 1FF800: 10 bits set
        let aesKSN = Array(Bytes.fromHex("1234567890123456FFFF0000") ?? [])  // 16 bits set
        let mk = Array(Bytes.fromHex("0123456789ABCDEFFEDCBA9876543210") ?? [])
        let derivations: [(String, () -> Void)] = [
            ("TDES DUKPT: IPEK + transaction key (10 counter bits) + MAC variant", {
                _ = try? TDESDUKPT.workingKey(transactionKey: TDESDUKPT.transactionKey(bdk: tdes2.bytes, ksn: ksn), variant: .macRequest)
            }),
            ("AES DUKPT: initial key + derivation key (16 counter bits) + working key", {
                _ = try? AESDUKPT.workingKey(bdk: aesBDK.bytes, ksn: aesKSN, usage: .macGeneration, type: .aes128)
            }),
            ("EMV: ICC MK option A + common session key", {
                _ = try? EMVKeyDerivation.commonSessionKey(
                    masterKey: EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: mk, pan: "1234567890123456", psn: "01"), r: [1, 2, 3, 4, 5, 6, 7, 8])
            }),
            ("EMV: ICC MK option A + EMV2000 tree session key", {
                _ = try? EMVKeyDerivation.emv2000SessionKey(
                    masterKey: EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: mk, pan: "1234567890123456", psn: "01"), atc: [0xFF, 0xFF])
            }),
        ]
        if !json {
            print("\n| derivation | µs each |")
            print("|---|---:|")
        }
        for (name, body) in derivations {
            let (ops, elapsed) = measure(seconds: seconds, body)
            report(kind: "derivation", name: name, size: 0, rate: Double(ops) / elapsed)
        }
    }

    func measure(seconds: Double, _ body: () -> Void) -> (Int, Double) {
        let clock = ContinuousClock()
        for _ in 0..<10 { body() }
        var ops = 0
        let start = clock.now
        var elapsed = 0.0
        repeat {
            for _ in 0..<16 { body() }
            ops += 16
            let d = clock.now - start
            elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        } while elapsed < seconds
        return (ops, elapsed)
    }

    func report(kind: String, name: String, size: Int, rate: Double) {
        if json {
            print("{\"kind\":\"\(kind)\",\"name\":\"\(name)\",\"bytes\":\(size),\"perSecond\":\(Int(rate))}")
        } else if kind == "mac" {
            print("| \(name) | \(size) | \(Int(rate)) | \(String(format: "%.1f", rate * Double(size) / 1e6)) |")
        } else {
            print("| \(name) | \(String(format: "%.2f", 1e6 / rate)) |")
        }
    }
}
