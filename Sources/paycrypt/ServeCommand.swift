import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PayCryptServer
import PayCryptService
import PayCryptStore

/// `paycrypt serve`: the AWS Payment Cryptography API (both planes) on one port.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the AWS Payment Cryptography API (control and data plane) on one port."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"
    @Option(help: "Port to listen on.")
    var port = 8080
    @Option(help: "Directory of the SQLite key store and the master key file (created on first start). Default: $PAYCRYPT_DATA_DIR or ./paycrypt-data.")
    var dataDir: String?
    @Flag(help: "Keep keys in memory only, under an ephemeral master key (throwaway runs).")
    var inMemory = false
    @Option(help: "The 12-digit account id in key ARNs.")
    var accountId = "111122223333"
    @Option(help: "The region when a request carries no SigV4 credential scope.")
    var defaultRegion = "us-east-1"
    @Option(help: "A seed file of keys with known clear material, fixed ids and aliases, loaded at start (development only).")
    var seed: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard accountId.count == 12, accountId.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ValidationError("--account-id must be 12 digits")
        }
        guard (1...65535).contains(port) || port == 0 else { throw ValidationError("--port must be 0...65535") }
        if inMemory && dataDir != nil { throw ValidationError("--in-memory and --data-dir exclude each other") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "paycrypt")
        let environment = ProcessInfo.processInfo.environment
        let store: any KeyStore
        let directory: String?
        if inMemory {
            directory = nil
            store = InMemoryKeyStore()
        } else {
            let dir = dataDir ?? environment["PAYCRYPT_DATA_DIR"] ?? "paycrypt-data"
            directory = dir
            store = try SQLiteKeyStore(directory: dir)
        }
        let (masterKey, source) = try MasterKey.load(environment: environment, dataDirectory: directory)
        logger.notice("key store", metadata: ["store": "\(directory.map { "SQLite in \($0)" } ?? "in memory")", "masterKey": "\(source)"])
        let service = PaymentCryptographyService(store: store, masterKey: masterKey, logger: Logger(label: "paycrypt.service"))
        if let seed {
            let file: SeedFile
            do {
                file = try SeedFile(data: try Data(contentsOf: URL(fileURLWithPath: seed)))
            } catch let invalid as SeedFile.Invalid {
                throw ValidationError("--seed \(seed): \(invalid.description)")
            } catch {
                throw ValidationError("--seed \(seed): cannot be read")
            }
            let summary = try await service.applySeed(file, context: RequestContext(account: accountId, region: defaultRegion))
            logger.warning("seed file loaded: FOR DEVELOPMENT ONLY, its key material is in clear text", metadata: [
                "seed": "\(seed)", "created": "\(summary.created)", "updated": "\(summary.updated)",
                "unchanged": "\(summary.unchanged)", "aliases": "\(summary.aliases)", "region": "\(defaultRegion)",
            ])
        }
        let responder = PaymentCryptographyResponder(service: service, accountId: accountId, defaultRegion: defaultRegion,
                                                     logger: Logger(label: "paycrypt.http"))
        let host = self.host
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "paycrypt"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                FileHandle.standardOutput.write(Data("paycrypt listening on http://\(host):\(bound)\n".utf8))
            },
            logger: logger
        )
        try await app.runService()
    }
}
