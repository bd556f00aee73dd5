import ArgumentParser
import Foundation
import PayCryptModel
import PayCryptService
import PayCryptStore

/// Measures ListKeys and ListAliases on a SQLite store of many keys, through the service (store
/// read, deletion-window check, wire shapes): the cost of a page must not grow with the store.
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-store",
        abstract: "Benchmark ListKeys/ListAliases pages on a throwaway SQLite store of many keys."
    )

    @Option(help: "Keys (and as many aliases) in the store.")
    var keys: Int = 10_000
    @Option(help: "Pages to read per case.")
    var pages: Int = 200
    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paycrypt-bench-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteKeyStore(directory: directory)
        let masterKey = try MasterKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) })
        let context = RequestContext(account: "111122223333", region: "us-east-1")
        var records: [KeyRecord] = []
        var aliases: [AliasRecord] = []
        for n in 0..<keys {
            let keyId = String(format: "bench%011d", n)
            let arn = KeyRecord.arn(region: context.region, account: context.account, keyId: keyId)
            records.append(KeyRecord(
                keyId: keyId, account: context.account, region: context.region, keyUsage: "TR31_M3_ISO_9797_3_MAC_KEY",
                keyClass: "SYMMETRIC_KEY", keyAlgorithm: "TDES_2KEY", modes: KeyModes(generate: true, verify: true),
                keyCheckValue: "A1B2C3", keyCheckValueAlgorithm: "ANSI_X9_24", enabled: true, exportable: true,
                state: n % 10 == 0 ? .DELETE_PENDING : .CREATE_COMPLETE, origin: "AWS_PAYMENT_CRYPTOGRAPHY",
                createTimestamp: 1_700_000_000, deletePendingTimestamp: n % 10 == 0 ? 4_000_000_000 : nil,
                sealedMaterial: try masterKey.seal([UInt8](repeating: 1, count: 16), context: arn)))
            aliases.append(AliasRecord(aliasName: "alias/bench-\(keyId)", account: context.account, region: context.region,
                                       keyId: n % 100 == 0 ? "bench00000000000" : keyId))
        }
        try await store.insertKeys(records, aliases: aliases)
        let service = PaymentCryptographyService(store: store, masterKey: masterKey)

        if !json {
            print("| \(keys) keys, \(keys) aliases | page | pages/s | ms per page |")
            print("|---|---:|---:|---:|")
        }
        let cases: [(String, @Sendable (String?) async throws -> String?)] = [
            ("ListKeys", { token in try await service.listKeys(.init(nextToken: token, maxResults: 100), context: context).nextToken }),
            ("ListKeys KeyState=DELETE_PENDING", { token in
                try await service.listKeys(.init(keyState: .deletePending, nextToken: token, maxResults: 100), context: context).nextToken }),
            ("ListAliases", { token in try await service.listAliases(.init(nextToken: token, maxResults: 100), context: context).nextToken }),
        ]
        for (name, page) in cases {
            var token: String?
            let start = ContinuousClock.now
            for _ in 0..<pages {
                token = try await page(token)  // walks the whole list, then starts again
            }
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            let milliseconds = seconds * 1000 / Double(pages)
            if json {
                print(#"{"kind":"store","name":"\#(name)","keys":\#(keys),"page":100,"ms":\#(milliseconds)}"#)
            } else {
                print("| \(name) | 100 | \(Int(Double(pages) / seconds)) | \(String(format: "%.3f", milliseconds)) |")
            }
        }
        try store.close()
    }
}

extension Duration {
    fileprivate static func / (lhs: Duration, rhs: Duration) -> Double {
        let l = lhs.components, r = rhs.components
        return (Double(l.seconds) + Double(l.attoseconds) / 1e18) / (Double(r.seconds) + Double(r.attoseconds) / 1e18)
    }
}
