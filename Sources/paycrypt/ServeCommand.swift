import ArgumentParser
import Configuration
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import PayCryptServer
import PayCryptService
import PayCryptStore
import PaymentCryptography
import ServiceLifecycle
import SystemPackage

/// `paycrypt serve`: the AWS Payment Cryptography API (both planes) on one port.
///
/// Every setting comes from, in order of precedence: a command-line flag, an environment variable
/// `PAYCRYPT_<NAME>` (e.g. `PAYCRYPT_DATA_DIR`), the JSON file given by `--config` (keys as in
/// the table of the README, e.g. `{"port": 8080, "dataDir": "/var/lib/paycrypt"}`), the default.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the AWS Payment Cryptography API (control and data plane) on one port."
    )

    @Option(help: "A JSON configuration file (lowest precedence after defaults).")
    var config: String?
    @Option(help: "Address to listen on. [host, default 127.0.0.1]")
    var host: String?
    @Option(help: "Port to listen on; 0 picks a free one. [port, default 8080]")
    var port: Int?
    @Option(help: "Directory of the SQLite key store and the master key file. [dataDir, default ./paycrypt-data]")
    var dataDir: String?
    @Option(help: "A PostgreSQL store shared by several instances: postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=MODE]; needs PAYCRYPT_MASTER_KEY. [store, default: SQLite in --data-dir]")
    var store: String?
    @Flag(help: "Keep keys in memory only, under an ephemeral master key. [inMemory]")
    var inMemory = false
    @Option(help: "Account id when authentication is off, and of the default identity. [accountId, default 111122223333]")
    var accountId: String?
    @Option(help: "The region when a request carries no SigV4 credential scope. [defaultRegion, default us-east-1]")
    var defaultRegion: String?
    @Option(help: "An identities file: access keys, their accounts and policies. [identities]")
    var identities: String?
    @Flag(help: "Turn SigV4 verification off (throwaway use only). [noAuth]")
    var noAuth = false
    @Flag(help: "Apply AWS's default request-rate quotas: 500/s data plane, 5/s control plane. [awsQuotas]")
    var awsQuotas = false
    @Option(help: "Data-plane requests per second per account. [dataPlaneRate]")
    var dataPlaneRate: Double?
    @Option(help: "Control-plane requests per second per account. [controlPlaneRate]")
    var controlPlaneRate: Double?
    @Option(help: "Keys per account and region. [maxKeys, default 2000]")
    var maxKeys: Int?
    @Option(help: "Aliases per account and region. [maxAliases, default 2000]")
    var maxAliases: Int?
    @Option(help: "Serve Prometheus metrics on this port (GET /metrics). [metricsPort]")
    var metricsPort: Int?
    @Option(help: "A seed file of keys with known clear material (development only). [seed]")
    var seed: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. [logLevel, default info]")
    var logLevel: String?
    @Flag(help: "Do not serve the web console at /console (nor its /paycrypt/ endpoints). [noConsole]")
    var noConsole = false
    @Option(help: "Seconds a connection may stay idle, or wait for the rest of a request (head or body), before it is closed. [idleTimeout, default 60]")
    var idleTimeout: Double?
    @Option(help: "Open connections at most; more wait until one closes. [maxConnections, default 900 or fewer when the file limit is lower]")
    var maxConnections: Int?
    @Flag(help: "Answer API calls through Hummingbird's generic request path, and decode every body on the tree path (parse, validate, decode), instead of the connection's fast path and the one-pass reader (slower; to compare). [noFastPath]")
    var noFastPath = false
    @Option(help: "Microseconds of CPU the event loops ask Linux's scheduler for at a time (EEVDF, Linux 6.12+; 100...100000): a short slice gets a loop running sooner when a request arrives on busy cores; 0 keeps the kernel's default. [schedulerSlice, default 100]")
    var schedulerSlice: Int?

    /// The resolved settings.
    struct Settings {
        var host = "127.0.0.1", port = 8080, dataDir: String?, inMemory = false, store: PostgresLocation?
        var accountId = "111122223333", defaultRegion = "us-east-1", identities: String?, noAuth = false
        var rateLimits = RateLimits(), maxKeys = 2_000, maxAliases = 2_000, metricsPort: Int?, seed: String?
        var logLevel = Logger.Level.info, console = true
        var idleTimeout = 60.0, maxConnections = ConnectionLimit.defaultMaximum(), fastPath = true
        var schedulerSlice = SchedulerSlice.defaultMicroseconds
    }

    /// Flags, then environment (`PAYCRYPT_*`), then the config file, then defaults.
    func settings() async throws -> Settings {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        func put(_ key: String, _ value: ConfigContent?) { if let value { flags[AbsoluteConfigKey([key])] = ConfigValue(value, isSecret: false) } }
        put("host", host.map { .string($0) })
        put("port", port.map { .int($0) })
        put("dataDir", dataDir.map { .string($0) })
        put("inMemory", inMemory ? .bool(true) : nil)
        put("store", store.map { .string($0) })
        put("accountId", accountId.map { .string($0) })
        put("defaultRegion", defaultRegion.map { .string($0) })
        put("identities", identities.map { .string($0) })
        put("noAuth", noAuth ? .bool(true) : nil)
        put("noConsole", noConsole ? .bool(true) : nil)
        put("awsQuotas", awsQuotas ? .bool(true) : nil)
        put("dataPlaneRate", dataPlaneRate.map { .double($0) })
        put("controlPlaneRate", controlPlaneRate.map { .double($0) })
        put("maxKeys", maxKeys.map { .int($0) })
        put("maxAliases", maxAliases.map { .int($0) })
        put("metricsPort", metricsPort.map { .int($0) })
        put("seed", seed.map { .string($0) })
        put("logLevel", logLevel.map { .string($0) })
        put("idleTimeout", idleTimeout.map { .double($0) })
        put("maxConnections", maxConnections.map { .int($0) })
        put("noFastPath", noFastPath ? .bool(true) : nil)
        put("schedulerSlice", schedulerSlice.map { .int($0) })
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider().prefixKeys(with: "paycrypt"),
        ]
        if let config {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(config)))
            } catch {
                throw ValidationError("--config \(config): cannot be read as a JSON object (\(error))")
            }
        }
        let reader = ConfigReader(providers: providers)
        // A setting that is present but not of its type (PAYCRYPT_MAX_KEYS=abc, "maxKeys": 1.5) stops
        // the server naming it, rather than silently falling back to a default.
        func present(_ key: String) -> Bool {
            reader.string(forKey: ConfigKey(key)) != nil || reader.int(forKey: ConfigKey(key)) != nil
                || reader.double(forKey: ConfigKey(key)) != nil || reader.bool(forKey: ConfigKey(key)) != nil
        }
        func invalid(_ key: String, _ what: String) -> ValidationError {
            ValidationError("setting \(key) (--\(key.flagName), PAYCRYPT_\(key.environmentName)) must be \(what)")
        }
        func int(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard present(key) else { return nil }
            guard let v = try? reader.requiredInt(forKey: ConfigKey(key)), range.contains(v) else {
                throw invalid(key, "a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }
        func double(_ key: String) throws -> Double? {
            guard present(key) else { return nil }
            guard let v = try? reader.requiredDouble(forKey: ConfigKey(key)), v > 0, v.isFinite else { throw invalid(key, "a positive number") }
            return v
        }
        func bool(_ key: String) throws -> Bool {
            guard present(key) else { return false }
            guard let v = try? reader.requiredBool(forKey: ConfigKey(key)) else { throw invalid(key, "true or false") }
            return v
        }
        func string(_ key: String) throws -> String? {
            guard present(key) else { return nil }
            guard let v = try? reader.requiredString(forKey: ConfigKey(key)), !v.isEmpty else { throw invalid(key, "a non-empty string") }
            return v
        }
        var s = Settings()
        s.host = try string("host") ?? s.host
        s.port = try int("port", 0...65535) ?? s.port
        s.dataDir = try string("dataDir")
        s.inMemory = try bool("inMemory")
        if let url = try string("store") {
            do {
                s.store = try PostgresLocation(url: url)
            } catch {
                throw ValidationError(error.description)
            }
            if s.inMemory { throw ValidationError("--store and --in-memory exclude each other") }
            if s.dataDir != nil { throw ValidationError("--store and --data-dir exclude each other (the PostgreSQL store needs no data directory)") }
        }
        s.accountId = try string("accountId") ?? s.accountId
        s.defaultRegion = try string("defaultRegion") ?? s.defaultRegion
        s.identities = try string("identities")
        s.noAuth = try bool("noAuth")
        s.console = !(try bool("noConsole"))
        if try bool("awsQuotas") { s.rateLimits = .aws }
        if let r = try double("dataPlaneRate") { s.rateLimits.dataPlanePerSecond = r }
        if let r = try double("controlPlaneRate") { s.rateLimits.controlPlanePerSecond = r }
        s.maxKeys = try int("maxKeys", 1...1_000_000) ?? s.maxKeys
        s.maxAliases = try int("maxAliases", 1...1_000_000) ?? s.maxAliases
        s.metricsPort = try int("metricsPort", 0...65535)
        s.seed = try string("seed")
        s.idleTimeout = try double("idleTimeout") ?? s.idleTimeout
        s.maxConnections = try int("maxConnections", 1...1_000_000) ?? s.maxConnections
        s.fastPath = !(try bool("noFastPath"))
        s.schedulerSlice = try int("schedulerSlice", 0...100_000) ?? s.schedulerSlice
        if s.schedulerSlice != 0 && s.schedulerSlice < 100 {
            throw invalid("schedulerSlice", "0 or a whole number in 100...100000")
        }
        let level = try string("logLevel") ?? "info"
        guard let parsedLevel = Logger.Level(rawValue: level) else { throw invalid("logLevel", "trace, debug, info, notice, warning, error or critical") }
        s.logLevel = parsedLevel
        guard s.accountId.count == 12, s.accountId.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ValidationError("accountId must be 12 digits")
        }
        guard (0...65535).contains(s.port) else { throw ValidationError("port must be 0...65535") }
        if s.inMemory && s.dataDir != nil && dataDir != nil { throw ValidationError("--in-memory and --data-dir exclude each other") }
        return s
    }

    func run() async throws {
        // Swift concurrency runs on NIO's event loops, so a request's task does not hop between
        // the concurrency pool and the event loop of its connection (swift-nio's
        // `NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`).
        // The store's blocking work runs on GRDB's own queues, never on these threads.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let s: Settings
        do { s = try await settings() } catch let error as ValidationError { fail(error.description) }

        // The ports first, before the store is opened or a seed file read (README "Exit codes"): a
        // second server on a busy port stops here with one line and writes nothing.
        var reservations: [PortReservation] = []
        for (port, flag) in [(s.port, "--port")] + (s.metricsPort.map { [($0, "--metrics-port")] } ?? []) {
            do {
                reservations.append(try PortReservation(host: s.host, port: port))
            } catch {
                Self.cannotListen(error, port: port, flag: flag, host: s.host)
            }
        }
        // The seed file is read and checked before the store is touched, so a bad one writes nothing.
        var seedFile: SeedFile?
        if let seed = s.seed {
            do {
                seedFile = try SeedFile(data: try Data(contentsOf: URL(fileURLWithPath: seed)))
            } catch let invalid as SeedFile.Invalid {
                fail("--seed \(seed): \(invalid.description)")
            } catch {
                fail("--seed \(seed): cannot be read")
            }
        }

        let level = s.logLevel
        LoggingSystem.bootstrap { label in
            var handler = RequestLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "paycrypt")

        // Known-answer self-test of every algorithm: refuse to serve on any failure.
        let failures = SelfTest.run()
        guard failures.isEmpty else {
            logger.critical("self-test failed; refusing to serve", metadata: ["failed": "\(failures.map(\.name).joined(separator: ", "))"])
            throw ExitCode(ExitStatus.selfTestFailed)
        }

        var identities: Identities?
        if s.noAuth {
            logger.warning("SigV4 verification is OFF (--no-auth): every request acts for account \(s.accountId)")
        } else if let path = s.identities {
            do {
                identities = try Identities(data: try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch let invalid as Identities.Invalid {
                fail("--identities \(path): \(invalid.description)")
            } catch {
                fail("--identities \(path): cannot be read")
            }
            logger.notice("SigV4 verification on", metadata: ["identities": "\(path)", "accessKeys": "\(identities?.count ?? 0)"])
        } else {
            identities = .developmentDefault(account: s.accountId)
            logger.notice("SigV4 verification on with the development identity: access key 'test', secret 'test', account \(s.accountId)")
        }

        let store: any KeyStore
        let directory: String? = s.inMemory || s.store != nil ? nil : (s.dataDir ?? "paycrypt-data")
        // One SQLite store, one process: a second server on the same directory would serve from
        // its own cache and miss the first one's changes (README "Running several instances").
        var directoryLock: DataDirectoryLock?
        if let directory {
            do {
                directoryLock = try DataDirectoryLock(directory: directory)
            } catch {
                logger.critical("\(error.description)")
                throw ExitCode(ExitStatus.storeUnavailable)
            }
        }
        defer { withExtendedLifetime(directoryLock) {} }
        var sharedStore: PostgresKeyStore?
        if let location = s.store {
            // Every instance must seal and open with the same key: no key file is made for a
            // shared store (README "Running several instances").
            guard ProcessInfo.processInfo.environment[MasterKey.environmentVariable] != nil else {
                logger.critical("--store \(location.redacted) needs \(MasterKey.environmentVariable): every instance sharing the database must be given the same master key")
                throw ExitCode(ExitStatus.masterKey)
            }
            do {
                let postgres = try await PostgresKeyStore(location: location, logger: Logger(label: "paycrypt.store"))
                sharedStore = postgres
                store = postgres
            } catch {
                logger.critical("cannot open the PostgreSQL store \(location.redacted): \(error)")
                throw ExitCode(ExitStatus.storeUnavailable)
            }
        } else if let directory {
            store = try SQLiteKeyStore(directory: directory)
        } else {
            store = InMemoryKeyStore()
        }
        let masterKey: MasterKey
        let source: String
        do {
            // A store that holds sealed material never gets a new master key, and the key given
            // must open it (README "Master key").
            let sealed = try await MasterKeyCheck.storeIsSealed(store)
            (masterKey, source) = try MasterKey.load(environment: ProcessInfo.processInfo.environment, dataDirectory: directory,
                                                     createIfMissing: !sealed)
            if let sqlite = store as? SQLiteKeyStore {
                try await MasterKeyCheck.verify(masterKey, store: store, source: source, storeName: sqlite.path)
            } else if let sharedStore {
                try await MasterKeyCheck.verify(masterKey, store: store, source: source, storeName: sharedStore.location.redacted)
            }
        } catch let error as MasterKeyError {
            logger.critical("\(error.description)")
            throw ExitCode(ExitStatus.masterKey)
        }
        let storeDescription = s.store.map { "PostgreSQL at \($0.redacted)" } ?? directory.map { "SQLite in \($0)" } ?? "in memory"
        logger.notice("key store", metadata: ["store": "\(storeDescription)", "masterKey": "\(source)"])
        if s.schedulerSlice > 0 {
            switch await SchedulerSlice.apply(microseconds: s.schedulerSlice, to: MultiThreadedEventLoopGroup.singleton) {
            case .applied:
                logger.info("scheduler slice", metadata: ["microseconds": "\(s.schedulerSlice)"])
            case .notSupported:
                logger.notice("scheduler slice not set: this kernel has no per-thread slice (Linux 6.12 and later)")
            case .refused(let error):
                logger.notice("scheduler slice not set: the kernel refused it", metadata: ["errno": "\(error)"])
            }
        }

        // The console shows the request counters, so they are kept whenever it is on.
        let metrics: ServerMetrics? = s.metricsPort == nil && !s.console ? nil : ServerMetrics()
        var cacheObserver: (@Sendable (Bool) -> Void)?
        if let metrics { cacheObserver = { @Sendable hit in metrics.recordCache(hit: hit) } }
        let service = PaymentCryptographyService(
            store: store, masterKey: masterKey, logger: Logger(label: "paycrypt.service"),
            limits: ServiceLimits(maxKeys: s.maxKeys, maxAliases: s.maxAliases), cacheObserver: cacheObserver)

        if let seed = s.seed, let file = seedFile {
            let summary: PaymentCryptographyService.SeedSummary
            do {
                summary = try await service.applySeed(file, context: RequestContext(account: s.accountId, region: s.defaultRegion))
            } catch let invalid as SeedFile.Invalid {
                fail("--seed \(seed): \(invalid.description)")
            }
            logger.warning("seed file loaded: FOR DEVELOPMENT ONLY, its key material is in clear text", metadata: [
                "seed": "\(seed)", "created": "\(summary.created)", "updated": "\(summary.updated)",
                "unchanged": "\(summary.unchanged)", "aliases": "\(summary.aliases)", "region": "\(s.defaultRegion)",
            ])
        }

        var responderOptions = ResponderOptions(accountId: s.accountId, defaultRegion: s.defaultRegion, identities: identities,
                                                rateLimits: s.rateLimits, metrics: metrics)
        if let sharedStore { responderOptions.storeReachable = { sharedStore.isReachable } }
        responderOptions.onePassDecoding = s.fastPath
        let responder = PaymentCryptographyResponder(
            service: service,
            options: responderOptions,
            logger: Logger(label: "paycrypt.http"))
        let host = s.host
        let console = s.console
        let http1 = HTTP1Channel.Configuration(idleTimeout: .milliseconds(Int64(s.idleTimeout * 1000)))
        let api = Application(
            responder: ConsoleResponder(api: responder, enabled: console),
            server: s.fastPath ? .payCrypt(configuration: http1, api: responder, serverName: "paycrypt") : .http1(configuration: http1),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: s.port), serverName: "paycrypt",
                availableConnectionsDelegate: ConnectionLimit(maximum: s.maxConnections, logger: logger)),
            onServerRunning: { @Sendable channel in
                let bound = channel.localAddress?.port ?? 0
                FileHandle.standardOutput.write(Data("paycrypt listening on http://\(host):\(bound)\n".utf8))
                if console { FileHandle.standardOutput.write(Data("paycrypt console on http://\(host):\(bound)/console\n".utf8)) }
            },
            logger: logger)
        var services: [any Service] = [api]
        if let sharedStore {
            services.append(StoreChangeFeed(store: sharedStore, service: service))
        }
        if let metrics, let metricsPort = s.metricsPort {
            let metricsApp = Application(
                responder: MetricsResponder(metrics: metrics),
                configuration: ApplicationConfiguration(address: .hostname(host, port: metricsPort), serverName: "paycrypt-metrics"),
                onServerRunning: { @Sendable channel in
                    let bound = channel.localAddress?.port ?? 0
                    FileHandle.standardOutput.write(Data("paycrypt metrics on http://\(host):\(bound)/metrics\n".utf8))
                },
                logger: logger)
            services.append(metricsApp)
        }
        // SIGTERM/SIGINT: stop accepting, finish the requests in flight, then exit.
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        for reservation in reservations { reservation.release() }
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            // Taken in the instant between the reservation and the server's own bind.
            await sharedStore?.close()
            Self.cannotListen(.inUse, port: s.port, flag: "--port", host: s.host)
        } catch {
            await sharedStore?.close()
            throw error
        }
        await sharedStore?.close()
    }

    /// One line on stderr for a port that cannot be listened on, and the exit status for it.
    static func cannotListen(_ failure: PortReservation.Failure, port: Int, flag: String, host: String) -> Never {
        switch failure {
        case .inUse: fail("port \(port) is in use; pass \(flag) or stop the other server", code: ExitStatus.cannotListen, prefixed: false)
        case .other(let reason): fail("cannot listen on \(host):\(port) (\(flag)): \(reason)", code: ExitStatus.cannotListen)
        }
    }
}

/// Keeps this instance's key cache in step with the changes other instances commit to a shared
/// store (README "Running several instances").
struct StoreChangeFeed: Service {
    let store: any SharedKeyStore
    let service: PaymentCryptographyService

    func run() async throws {
        let store = store, service = service
        await cancelWhenGracefulShutdown {
            await store.watchChanges { service.storeChanged($0) }
        }
    }
}

extension String {
    /// `maxKeys` → `max-keys`.
    fileprivate var flagName: String {
        var out = ""
        for c in self {
            if c.isUppercase { out += "-" + c.lowercased() } else { out.append(c) }
        }
        return out
    }

    /// `maxKeys` → `MAX_KEYS`.
    fileprivate var environmentName: String { flagName.replacingOccurrences(of: "-", with: "_").uppercased() }
}
