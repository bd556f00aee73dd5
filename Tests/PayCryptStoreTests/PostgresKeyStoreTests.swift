import Foundation
import Synchronization
import Testing
@testable import PayCryptStore

/// What the PostgreSQL store adds to the contract (README "Running several instances"): URLs whose
/// password never shows, migrations that several instances apply at once, the change feed, and a
/// database that cannot be reached.
@Suite("PostgreSQL store")
struct PostgresKeyStoreTests {
    @Test("A store URL parses; the password never appears in its printed form or in its errors")
    func urlRedaction() throws {
        let location = try PostgresLocation(url: "postgres://app:s3cr%40t@db.example:6543/keys?sslmode=require")
        #expect(location.host == "db.example" && location.port == 6543 && location.username == "app" && location.database == "keys")
        #expect(location.password == "s3cr@t" && location.sslMode == "require")
        #expect(location.redacted == "postgres://app:***@db.example:6543/keys?sslmode=require")
        #expect(!"\(location)".contains("s3cr"))
        let defaults = try PostgresLocation(url: "postgresql://app@localhost")
        #expect(defaults.port == 5432 && defaults.database == "app" && defaults.redacted == "postgres://app@localhost:5432/app")
        for bad in ["postgres://app:hunter2@db/keys?sslmode=maybe", "postgres://app:hunter2@db/keys?password=x",
                    "postgres://:hunter2@db/keys", "mysql://app:hunter2@db/keys"] {
            #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: bad) }
            do {
                _ = try PostgresLocation(url: bad)
            } catch {
                #expect(!error.description.contains("hunter2"), "\(error.description)")
            }
        }
    }

    @Test("A database nobody listens for is unavailable, without the password in the error")
    func unreachable() async throws {
        let port = 1  // nothing listens on port 1 of the loopback address
        let location = try PostgresLocation(url: "postgres://app:hunter2@127.0.0.1:\(port)/keys?sslmode=disable")
        // No bound on the time here: the CPU-bound suites that run beside this one can hold the
        // two cooperative threads for tens of seconds. The acceptance test of an outage pins the
        // time (503 within seconds) in a server process of its own.
        do {
            _ = try await PostgresKeyStore(location: location)
            Issue.record("a store opened on a port nobody listens on")
        } catch let error as KeyStoreError {
            guard case .unavailable(let text) = error else {
                Issue.record("expected unavailable, got \(error)")
                return
            }
            #expect(!text.contains("hunter2") && text.contains("***"))
        }
    }

    @Test("Several instances starting at once apply each migration once", .enabled(if: testPostgresURL != nil))
    func concurrentMigrations() async throws {
        let url = try #require(testPostgresURL)
        let schema = "pct_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let stores = try await withThrowingTaskGroup(of: PostgresKeyStore.self) { group in
            for _ in 0..<5 {
                group.addTask { try await PostgresKeyStore(location: try PostgresLocation(url: url), schema: schema) }
            }
            return try await group.reduce(into: [PostgresKeyStore]()) { $0.append($1) }
        }
        #expect(try await stores[0].appliedMigrations() == PostgresKeyStore.migrations.map(\.id))
        try await stores[1].insertKey(Sample.key("abcdefghijklmnop"))
        #expect(try await stores[4].key(account: Sample.account, region: Sample.region, keyId: "abcdefghijklmnop") != nil)
        try await stores[0].dropSchema()
        for store in stores { await store.close() }
    }

    @Test("A change committed through one instance reaches another's change feed",
          .enabled(if: testPostgresURL != nil))
    func changeFeed() async throws {
        let url = try #require(testPostgresURL)
        try await withPostgresStore { writer in
            let reader = try await PostgresKeyStore(location: try PostgresLocation(url: url), schema: writer.schema)
            let seen = Mutex<[StoreChange]>([])
            let watcher = Task { await reader.watchChanges(interval: .seconds(60)) { change in seen.withLock { $0.append(change) } } }
            defer { watcher.cancel() }
            // The feed reports `everything` once it listens.
            try await waitFor(.seconds(10)) { seen.withLock { $0.contains(.everything) } }

            let key = Sample.key("abcdefghijklmnop")
            try await writer.insertKey(key)
            _ = try await writer.updateKey(account: key.account, region: key.region, keyId: key.keyId) { $0.enabled = false }
            // Generous bounds: this process shares two cooperative threads with CPU-bound suites;
            // the acceptance test pins "within 1 s" between real server processes.
            try await waitFor(.seconds(10)) { seen.withLock { $0.contains(.key(arn: key.arn)) } }
            let alias = Sample.alias("alias/feed", keyId: key.keyId)
            try await writer.insertAlias(alias)
            try await writer.deleteAlias(account: alias.account, region: alias.region, aliasName: alias.aliasName)
            try await waitFor(.seconds(10)) { seen.withLock { $0.filter { $0 == .alias(aliasArn: alias.aliasArn) }.count == 2 } }
            // A refused change announces nothing.
            let before = seen.withLock { $0.count }
            struct Refused: Error {}
            _ = try? await writer.updateKey(account: key.account, region: key.region, keyId: key.keyId) { _ in throw Refused() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(seen.withLock { $0.count } == before)
            watcher.cancel()
            await watcher.value
            await reader.close()
        }
    }

    @Test("The periodic check reports a commit whose notification was missed", .enabled(if: testPostgresURL != nil))
    func counterSafetyNet() async throws {
        let url = try #require(testPostgresURL)
        try await withPostgresStore { writer in
            let reader = try await PostgresKeyStore(location: try PostgresLocation(url: url), schema: writer.schema)
            let flushes = Mutex(0)
            // Only the counter check runs: no LISTEN.
            let watcher = Task {
                await reader.watchChanges(interval: .milliseconds(100), listening: false) { change in
                    if change == .everything { flushes.withLock { $0 += 1 } }
                }
            }
            try await Task.sleep(for: .milliseconds(350))
            #expect(flushes.withLock { $0 } == 0)
            let key = Sample.key("abcdefghijklmnop")
            try await writer.insertKey(key)
            _ = try await writer.updateKey(account: key.account, region: key.region, keyId: key.keyId) { $0.enabled = false }
            try await waitFor(.seconds(10)) { flushes.withLock { $0 } > 0 }
            watcher.cancel()
            await watcher.value
            await reader.close()
        }
    }
}

/// Waits until `condition` holds, checking every 20 ms; records an issue after `limit`.
func waitFor(_ limit: Duration, _ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("not within \(limit)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
