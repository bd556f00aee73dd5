import Foundation
import GRDB

/// The durable ``KeyStore``: one SQLite database, `<directory>/paycrypt.sqlite`, through a GRDB
/// `DatabasePool` in WAL mode.
///
/// - Every call goes through GRDB's async `read` / `write`, which run on GRDB's own dispatch
///   queues; the caller's thread (a Swift concurrency executor) is never blocked on I/O.
/// - Durability: the writer connection runs with `PRAGMA synchronous = FULL`. In WAL mode that
///   fsyncs the WAL on every commit, so a write that returned has reached the disk and survives
///   a power loss or kernel crash. GRDB's default for WAL is `NORMAL`, which is crash-safe for
///   the process but may lose the last commits on power loss until the next checkpoint; a key
///   whose CreateKey was acknowledged may already have been used to protect data, so losing it
///   would lose that data. Control-plane writes are rare, so one fsync each is cheap.
/// - Files: the directory is created with mode 0700 when missing, and the database file with
///   mode 0600 (SQLite gives its `-wal` and `-shm` files the database file's mode). Key material
///   is stored only as sealed blobs (``MasterKey``); this type never sees clear material.
/// - Errors: a taken primary key is ``KeyStoreError/alreadyExists``, a missing row on update or
///   delete ``KeyStoreError/notFound``, anything else ``KeyStoreError/backend(_:)`` with SQLite's
///   code and message (which name tables and columns, never values). `CancellationError` passes
///   through unchanged.
///
/// Schema (see ``SQLiteKeyStore/migrator``): migration `v1` creates tables `key`, `alias` and
/// `import_token`, each keyed by `(account, region, <id>)`; key modes are nine boolean columns,
/// tags a JSON array of `{"key", "value"}` objects in the order they were set, and sealed
/// material a `BLOB`. Migration `v2` adds the append-only `audit` table, numbered by an
/// `AUTOINCREMENT` key so that a sequence number is never reused. `v3-key-exportability` adds the
/// exportability letter; `v4-consistency` adds each key's commit `version`, the `metadata` table
/// (the master-key check) and the index of aliases by key; `v5-resource-policies` adds the
/// `resource_policy` table (one policy text per key); `v6-replication` the Multi-Region
/// fields of keys and the `default_replication_regions` table; `v7-mpa` the `mpa_association`
/// table and the approval of a key.
///
/// Consistency: every change to a key or alias is one write transaction that reads the row,
/// changes it and writes it back (GRDB has one writer connection, so writes are serialized and
/// none is lost); limits are counted inside the insert's transaction.
public final class SQLiteKeyStore: KeyStore {
    /// The database file's name inside the data directory.
    public static let fileName = "paycrypt.sqlite"

    /// The path of the database file.
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating when needed) the database in `directory` and brings its schema up to date.
    ///
    /// This runs once at startup and blocks while it opens the file and migrates.
    ///
    /// - Parameter directory: the data directory; created with mode 0700 when missing.
    /// - Throws: ``KeyStoreError/backend(_:)`` when the directory or database cannot be opened or
    ///   migrated.
    public init(directory: String) throws {
        do {
            try SecureFiles.makeDirectory(directory)
        } catch {
            throw KeyStoreError.backend(error.description)
        }
        path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
        do {
            try SecureFiles.createEmptyIfMissing(path)
        } catch {
            throw KeyStoreError.backend(error.description)
        }
        var configuration = Configuration()
        configuration.label = "paycrypt"
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // DatabasePool sets `synchronous = NORMAL` on its writer when it enables WAL, after
            // `prepareDatabase` has run, so FULL is set here, on the one writer connection.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try Self.migrator.migrate(pool)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Opens an existing store for reading only: no directory or file is created, no migration
    /// runs, and every write fails with ``KeyStoreError/backend(_:)``. Safe to use while a server
    /// has the same store open (WAL readers do not block the writer). `paycrypt audit` reads the
    /// trail this way.
    ///
    /// - Parameter directory: the data directory of an existing store.
    /// - Throws: ``KeyStoreError/backend(_:)`` when the directory holds no store or it cannot be opened.
    public init(readOnlyDirectory directory: String) throws {
        path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw KeyStoreError.backend("no paycrypt store at \(path)")
        }
        var configuration = Configuration()
        configuration.label = "paycrypt-readonly"
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Closes the database connections. Calls made afterwards fail. Blocks until running
    /// accesses finish; meant for orderly shutdown and tests.
    ///
    /// - Throws: ``KeyStoreError/backend(_:)`` when SQLite refuses to close.
    public func close() throws {
        do {
            try pool.close()
        } catch {
            throw Self.storeError(error)
        }
    }

    // MARK: Schema

    /// The schema's migrations. Migrations already applied to a database are skipped, so opening
    /// an existing store is idempotent. Add new migrations at the end; never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE "key" (
                    account TEXT NOT NULL,
                    region TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    key_usage TEXT NOT NULL,
                    key_class TEXT NOT NULL,
                    key_algorithm TEXT NOT NULL,
                    mode_encrypt BOOLEAN NOT NULL,
                    mode_decrypt BOOLEAN NOT NULL,
                    mode_wrap BOOLEAN NOT NULL,
                    mode_unwrap BOOLEAN NOT NULL,
                    mode_generate BOOLEAN NOT NULL,
                    mode_sign BOOLEAN NOT NULL,
                    mode_verify BOOLEAN NOT NULL,
                    mode_derive_key BOOLEAN NOT NULL,
                    mode_no_restrictions BOOLEAN NOT NULL,
                    key_check_value TEXT NOT NULL,
                    key_check_value_algorithm TEXT NOT NULL,
                    enabled BOOLEAN NOT NULL,
                    exportable BOOLEAN NOT NULL,
                    state TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    derive_key_usage TEXT,
                    create_timestamp DOUBLE NOT NULL,
                    usage_start_timestamp DOUBLE,
                    usage_stop_timestamp DOUBLE,
                    delete_pending_timestamp DOUBLE,
                    delete_timestamp DOUBLE,
                    tags TEXT NOT NULL,
                    sealed_material BLOB NOT NULL,
                    PRIMARY KEY (account, region, key_id)
                );
                CREATE TABLE alias (
                    account TEXT NOT NULL,
                    region TEXT NOT NULL,
                    alias_name TEXT NOT NULL,
                    key_id TEXT,
                    PRIMARY KEY (account, region, alias_name)
                );
                CREATE TABLE import_token (
                    account TEXT NOT NULL,
                    region TEXT NOT NULL,
                    token TEXT NOT NULL,
                    key_material_type TEXT NOT NULL,
                    wrapping_key_algorithm TEXT NOT NULL,
                    sealed_private_key BLOB NOT NULL,
                    certificate_pem TEXT NOT NULL,
                    certificate_chain_pem TEXT NOT NULL,
                    valid_until DOUBLE NOT NULL,
                    PRIMARY KEY (account, region, token)
                );
                """)
        }
        migrator.registerMigration("v2") { db in
            // The audit trail. AUTOINCREMENT: a sequence number is never handed out twice, even
            // if rows were ever removed. The index serves the per-account listing in order.
            try db.execute(sql: """
                CREATE TABLE audit (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    time DOUBLE NOT NULL,
                    account TEXT NOT NULL,
                    region TEXT NOT NULL,
                    principal TEXT NOT NULL,
                    operation TEXT NOT NULL,
                    resource TEXT,
                    result TEXT NOT NULL,
                    request_id TEXT NOT NULL
                );
                CREATE INDEX audit_by_account ON audit (account, sequence);
                """)
        }
        migrator.registerMigration("v3-key-exportability") { db in
            // The X9.143 exportability letter of a key imported from a key block (nil otherwise).
            try db.execute(sql: #"ALTER TABLE "key" ADD COLUMN exportability TEXT"#)
        }
        migrator.registerMigration("v4-consistency") { db in
            // `version` counts the commits of a key (caches compare it); `metadata` holds values
            // of the store itself (the master-key check); the alias index serves ListAliases
            // filtered by key, one range read per page.
            try db.execute(sql: """
                ALTER TABLE "key" ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
                CREATE TABLE metadata (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                CREATE INDEX alias_by_key ON alias (account, region, key_id, alias_name);
                """)
        }
        migrator.registerMigration("v5-resource-policies") { db in
            // One resource policy per key (README, Decisions: Resource policies: storage and answers), its text as received. A table of
            // its own rather than a column of `key`: most keys have none.
            try db.execute(sql: """
                CREATE TABLE resource_policy (
                    account TEXT NOT NULL,
                    region TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    PRIMARY KEY (account, region, key_id)
                );
                """)
        }
        migrator.registerMigration("v6-replication") { db in
            // Multi-Region keys (README, "Multi-Region keys and MPA teams"): the role of a key, its primary's region, the
            // regions a primary is replicated to (JSON array), whether they came from the defaults;
            // and the default replication regions of each account and region (README, Decisions: default replication regions).
            try db.execute(sql: """
                ALTER TABLE "key" ADD COLUMN multi_region_key_type TEXT;
                ALTER TABLE "key" ADD COLUMN primary_region TEXT;
                ALTER TABLE "key" ADD COLUMN replication_regions TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE "key" ADD COLUMN using_default_replication_regions BOOLEAN;
                CREATE TABLE default_replication_regions (
                    account TEXT NOT NULL,
                    region TEXT NOT NULL,
                    regions TEXT NOT NULL,
                    PRIMARY KEY (account, region)
                );
                """)
        }
        migrator.registerMigration("v7-mpa") { db in
            // Multi-party approval (README, Decisions: MPA emulation): the team of each protected action, and the
            // approval recorded on a key imported under one (JSON object).
            try db.execute(sql: """
                ALTER TABLE "key" ADD COLUMN mpa_status TEXT;
                CREATE TABLE mpa_association (
                    account TEXT NOT NULL,
                    region TEXT NOT NULL,
                    action TEXT NOT NULL,
                    team_arn TEXT NOT NULL,
                    PRIMARY KEY (account, region, action)
                );
                """)
        }
        return migrator
    }

    /// The columns of `key` that ``insertKey(_:)`` and ``updateKey(_:)`` write, in the order of
    /// ``keyValues(_:)``; the first three are the primary key.
    private static let keyColumns = [
        "account", "region", "key_id", "key_usage", "key_class", "key_algorithm",
        "mode_encrypt", "mode_decrypt", "mode_wrap", "mode_unwrap", "mode_generate", "mode_sign",
        "mode_verify", "mode_derive_key", "mode_no_restrictions",
        "key_check_value", "key_check_value_algorithm", "enabled", "exportable", "state", "origin",
        "derive_key_usage", "create_timestamp", "usage_start_timestamp", "usage_stop_timestamp",
        "delete_pending_timestamp", "delete_timestamp", "tags", "sealed_material", "exportability", "version",
        "multi_region_key_type", "primary_region", "replication_regions", "using_default_replication_regions", "mpa_status",
    ]
    private static let insertKeySQL = """
        INSERT INTO "key" (\(keyColumns.joined(separator: ", "))) \
        VALUES (\(Array(repeating: "?", count: keyColumns.count).joined(separator: ", ")))
        """
    private static let updateKeySQL = """
        UPDATE "key" SET \(keyColumns.dropFirst(3).map { "\($0) = ?" }.joined(separator: ", ")) \
        WHERE account = ? AND region = ? AND key_id = ?
        """

    private static func keyValues(_ key: KeyRecord) throws -> [DatabaseValue] {
        let tags: String
        do {
            tags = String(decoding: try JSONEncoder().encode(key.tags), as: UTF8.self)
        } catch {
            throw KeyStoreError.backend("cannot encode the tags of key \(key.keyId) as JSON")
        }
        let values: [(any DatabaseValueConvertible)?] = [
            key.account, key.region, key.keyId, key.keyUsage, key.keyClass, key.keyAlgorithm,
            key.modes.encrypt, key.modes.decrypt, key.modes.wrap, key.modes.unwrap, key.modes.generate,
            key.modes.sign, key.modes.verify, key.modes.deriveKey, key.modes.noRestrictions,
            key.keyCheckValue, key.keyCheckValueAlgorithm, key.enabled, key.exportable, key.state.rawValue,
            key.origin, key.deriveKeyUsage, key.createTimestamp, key.usageStartTimestamp,
            key.usageStopTimestamp, key.deletePendingTimestamp, key.deleteTimestamp, tags,
            Data(key.sealedMaterial), key.exportability, key.version,
            key.multiRegionKeyType, key.primaryRegion, try KeyRecordColumns.regionsText(key.replicationRegions, keyId: key.keyId),
            key.usingDefaultReplicationRegions, try KeyRecordColumns.approvalText(key.mpaApproval, keyId: key.keyId),
        ]
        return values.map { $0?.databaseValue ?? .null }
    }

    /// The columns of `key` in the order ``keyColumns`` lists them: rows are decoded by index.
    private static let keySelect = #"SELECT \#(keyColumns.joined(separator: ", ")) FROM "key""#
    private static let keyColumnIndex = Dictionary(uniqueKeysWithValues: keyColumns.enumerated().map { ($1, $0) })

    /// Decodes one column of a row read with ``keySelect``, by index (no search by name).
    private static func keyColumn<Value: DatabaseValueConvertible>(_ row: Row, _ name: String) throws -> Value {
        guard let index = keyColumnIndex[name], index < row.count else {
            throw KeyStoreError.backend("column key.\(name) is missing")
        }
        do {
            return try row.decode(Value.self, atIndex: index)
        } catch {
            throw KeyStoreError.backend("column key.\(name) holds a value of an unexpected type")
        }
    }

    /// A key from a row read with ``keySelect``.
    private static func keyRecord(_ row: Row) throws -> KeyRecord {
        let keyId: String = try keyColumn(row, "key_id")
        let stateText: String = try keyColumn(row, "state")
        guard let state = KeyState(rawValue: stateText) else {
            throw KeyStoreError.backend("key \(keyId) has an unknown state")
        }
        let tagsText: String = try keyColumn(row, "tags")
        var tags: [TagRecord] = []
        if tagsText != "[]" {  // most keys have none: no decoder for them
            do {
                tags = try JSONDecoder().decode([TagRecord].self, from: Data(tagsText.utf8))
            } catch {
                throw KeyStoreError.backend("the tags of key \(keyId) are not a JSON array of tags")
            }
        }
        let sealed: Data = try keyColumn(row, "sealed_material")
        var record = KeyRecord(
            keyId: keyId,
            account: try keyColumn(row, "account"),
            region: try keyColumn(row, "region"),
            keyUsage: try keyColumn(row, "key_usage"),
            keyClass: try keyColumn(row, "key_class"),
            keyAlgorithm: try keyColumn(row, "key_algorithm"),
            modes: KeyModes(
                encrypt: try keyColumn(row, "mode_encrypt"),
                decrypt: try keyColumn(row, "mode_decrypt"),
                wrap: try keyColumn(row, "mode_wrap"),
                unwrap: try keyColumn(row, "mode_unwrap"),
                generate: try keyColumn(row, "mode_generate"),
                sign: try keyColumn(row, "mode_sign"),
                verify: try keyColumn(row, "mode_verify"),
                deriveKey: try keyColumn(row, "mode_derive_key"),
                noRestrictions: try keyColumn(row, "mode_no_restrictions")),
            keyCheckValue: try keyColumn(row, "key_check_value"),
            keyCheckValueAlgorithm: try keyColumn(row, "key_check_value_algorithm"),
            enabled: try keyColumn(row, "enabled"),
            exportable: try keyColumn(row, "exportable"),
            state: state,
            origin: try keyColumn(row, "origin"),
            deriveKeyUsage: try keyColumn(row, "derive_key_usage"),
            createTimestamp: try keyColumn(row, "create_timestamp"),
            usageStartTimestamp: try keyColumn(row, "usage_start_timestamp"),
            usageStopTimestamp: try keyColumn(row, "usage_stop_timestamp"),
            deletePendingTimestamp: try keyColumn(row, "delete_pending_timestamp"),
            deleteTimestamp: try keyColumn(row, "delete_timestamp"),
            tags: tags,
            sealedMaterial: Array(sealed),
            exportability: try keyColumn(row, "exportability"))
        record.version = try keyColumn(row, "version")
        record.multiRegionKeyType = try keyColumn(row, "multi_region_key_type")
        record.primaryRegion = try keyColumn(row, "primary_region")
        record.replicationRegions = try KeyRecordColumns.regions(try keyColumn(row, "replication_regions"), keyId: keyId)
        record.usingDefaultReplicationRegions = try keyColumn(row, "using_default_replication_regions")
        record.mpaApproval = try KeyRecordColumns.approval(try keyColumn(row, "mpa_status"), keyId: keyId)
        return record
    }

    private static func aliasRecord(_ row: Row) throws -> AliasRecord {
        AliasRecord(
            aliasName: try column(row, "alias_name", table: "alias"),
            account: try column(row, "account", table: "alias"),
            region: try column(row, "region", table: "alias"),
            keyId: try column(row, "key_id", table: "alias"))
    }

    private static func importTokenRecord(_ row: Row) throws -> ImportTokenRecord {
        let sealed: Data = try column(row, "sealed_private_key", table: "import_token")
        return ImportTokenRecord(
            token: try column(row, "token", table: "import_token"),
            account: try column(row, "account", table: "import_token"),
            region: try column(row, "region", table: "import_token"),
            keyMaterialType: try column(row, "key_material_type", table: "import_token"),
            wrappingKeyAlgorithm: try column(row, "wrapping_key_algorithm", table: "import_token"),
            sealedPrivateKey: Array(sealed),
            certificatePEM: try column(row, "certificate_pem", table: "import_token"),
            certificateChainPEM: try column(row, "certificate_chain_pem", table: "import_token"),
            validUntil: try column(row, "valid_until", table: "import_token"))
    }

    private static func auditRecord(_ row: Row) throws -> AuditRecord {
        AuditRecord(
            sequence: try column(row, "sequence", table: "audit"),
            time: try column(row, "time", table: "audit"),
            account: try column(row, "account", table: "audit"),
            region: try column(row, "region", table: "audit"),
            principal: try column(row, "principal", table: "audit"),
            operation: try column(row, "operation", table: "audit"),
            resource: try column(row, "resource", table: "audit"),
            result: try column(row, "result", table: "audit"),
            requestId: try column(row, "request_id", table: "audit"))
    }

    /// Decodes one column. GRDB's own decoding error describes the whole row (sealed blobs
    /// included), so it is replaced by one that names only the table and column.
    private static func column<Value: DatabaseValueConvertible>(_ row: Row, _ name: String, table: String) throws -> Value {
        do {
            return try row.decode(Value.self, forColumn: name)
        } catch {
            throw KeyStoreError.backend("column \(table).\(name) holds a value of an unexpected type")
        }
    }

    // MARK: Keys

    /// Inserts a new key with version 1; with a `limit`, the keys that are not `DELETE_COMPLETE`
    /// are counted in the same write transaction (one writer at a time: the count cannot go stale).
    public func insertKey(_ key: KeyRecord, limit: Int?) async throws {
        var stored = key
        stored.version = 1
        let arguments = StatementArguments(try Self.keyValues(stored))
        try await write { db in
            if let limit {
                let count = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM "key" WHERE account = ? AND region = ? AND state != 'DELETE_COMPLETE'
                    """, arguments: [key.account, key.region]) ?? 0
                if count >= limit { throw KeyStoreError.limitExceeded }
            }
            try db.execute(sql: Self.insertKeySQL, arguments: arguments)
        }
    }

    /// Reads, changes and writes one key in one write transaction; the version counts up.
    public func updateKey(account: String, region: String, keyId: String,
                          _ change: @escaping @Sendable (inout KeyRecord) throws -> Void) async throws -> KeyRecord {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: Self.keySelect + " WHERE account = ? AND region = ? AND key_id = ?",
                                             arguments: [account, region, keyId]) else {
                throw KeyStoreError.notFound
            }
            let current = try Self.keyRecord(row)
            var record = current
            do {
                try change(&record)
            } catch {
                throw Refusal(error: error)
            }
            record.account = account
            record.region = region
            record.keyId = keyId
            record.version = current.version + 1
            let values = try Self.keyValues(record)
            try db.execute(sql: Self.updateKeySQL, arguments: StatementArguments(Array(values.dropFirst(3)) + Array(values.prefix(3))))
            return record
        }
    }

    /// The key with this id, or nil.
    public func key(account: String, region: String, keyId: String) async throws -> KeyRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: Self.keySelect + " WHERE account = ? AND region = ? AND key_id = ?",
                             arguments: [account, region, keyId]).map(Self.keyRecord)
        }
    }

    /// One page of keys: a range read on the primary key `(account, region, key_id)` (`BINARY`
    /// collation: UTF-8 byte order), one row more than the page to know whether another follows.
    public func listKeys(account: String, region: String, from: String?, limit: Int, state: KeyState?,
                         now: Double) async throws -> StorePage<KeyRecord> {
        let limit = max(0, limit)
        return try await read { db in
            var sql = Self.keySelect + " WHERE account = ? AND region = ? AND key_id >= ?"
            var arguments: StatementArguments = [account, region, from ?? ""]
            if let state {
                sql += " AND (CASE WHEN state = 'DELETE_PENDING' AND delete_pending_timestamp <= ? THEN 'DELETE_COMPLETE' ELSE state END) = ?"
                arguments += [now, state.rawValue]
            }
            sql += " ORDER BY key_id LIMIT ?"
            arguments += [limit + 1]
            let records = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.keyRecord)
            guard records.count > limit else { return StorePage(items: records, next: nil) }
            return StorePage(items: Array(records.prefix(limit)), next: records[limit].keyId)
        }
    }

    /// Some key of any account, or nil.
    public func anyKey() async throws -> KeyRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: Self.keySelect + " LIMIT 1").map(Self.keyRecord)
        }
    }

    /// Removes a key for good, in one write transaction.
    public func deleteKey(account: String, region: String, keyId: String) async throws {
        try await write { db in
            try db.execute(sql: #"DELETE FROM "key" WHERE account = ? AND region = ? AND key_id = ?"#,
                           arguments: [account, region, keyId])
            if db.changesCount == 0 { throw KeyStoreError.notFound }
        }
    }

    // MARK: Default replication regions

    /// The default replication regions of the account and region.
    public func defaultReplicationRegions(account: String, region: String) async throws -> [String] {
        try await read { db in
            let text = try String.fetchOne(db, sql: "SELECT regions FROM default_replication_regions WHERE account = ? AND region = ?",
                                           arguments: [account, region])
            return try text.map { try KeyRecordColumns.regions($0, keyId: "defaults") } ?? []
        }
    }

    /// Reads, changes and writes the default replication regions in one write transaction (no
    /// row when the list is empty).
    public func updateDefaultReplicationRegions(account: String, region: String,
                                                _ change: @escaping @Sendable (inout [String]) throws -> Void) async throws -> [String] {
        try await write { db in
            let text = try String.fetchOne(db, sql: "SELECT regions FROM default_replication_regions WHERE account = ? AND region = ?",
                                           arguments: [account, region])
            var regions = try text.map { try KeyRecordColumns.regions($0, keyId: "defaults") } ?? []
            do {
                try change(&regions)
            } catch {
                throw Refusal(error: error)
            }
            if regions.isEmpty {
                try db.execute(sql: "DELETE FROM default_replication_regions WHERE account = ? AND region = ?", arguments: [account, region])
            } else {
                try db.execute(sql: "INSERT OR REPLACE INTO default_replication_regions (account, region, regions) VALUES (?, ?, ?)",
                               arguments: [account, region, try KeyRecordColumns.regionsText(regions, keyId: "defaults")])
            }
            return regions
        }
    }

    // MARK: Multi-party approval

    /// The team associated with an action, or nil.
    public func mpaAssociation(account: String, region: String, action: String) async throws -> MpaAssociationRecord? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT team_arn FROM mpa_association WHERE account = ? AND region = ? AND action = ?",
                                arguments: [account, region, action])
                .map { MpaAssociationRecord(account: account, region: region, action: action, teamArn: $0) }
        }
    }

    /// Associates a team with its action in one write transaction; returns the association replaced.
    public func putMpaAssociation(_ association: MpaAssociationRecord) async throws -> MpaAssociationRecord? {
        try await write { db in
            let previous = try String.fetchOne(db, sql: "SELECT team_arn FROM mpa_association WHERE account = ? AND region = ? AND action = ?",
                                               arguments: [association.account, association.region, association.action])
            try db.execute(sql: "INSERT OR REPLACE INTO mpa_association (account, region, action, team_arn) VALUES (?, ?, ?, ?)",
                           arguments: [association.account, association.region, association.action, association.teamArn])
            return previous.map { MpaAssociationRecord(account: association.account, region: association.region, action: association.action, teamArn: $0) }
        }
    }

    /// Removes the association of an action in one write transaction; returns it.
    public func deleteMpaAssociation(account: String, region: String, action: String) async throws -> MpaAssociationRecord? {
        try await write { db in
            let previous = try String.fetchOne(db, sql: "SELECT team_arn FROM mpa_association WHERE account = ? AND region = ? AND action = ?",
                                               arguments: [account, region, action])
            try db.execute(sql: "DELETE FROM mpa_association WHERE account = ? AND region = ? AND action = ?", arguments: [account, region, action])
            return previous.map { MpaAssociationRecord(account: account, region: region, action: action, teamArn: $0) }
        }
    }

    /// Inserts many keys and aliases in one transaction, without limits (benchmarks, bulk loads).
    /// Throws ``KeyStoreError/alreadyExists`` and inserts nothing when any id or name is taken.
    public func insertKeys(_ keys: [KeyRecord], aliases: [AliasRecord] = []) async throws {
        let rows = try keys.map { key -> StatementArguments in
            var stored = key
            stored.version = 1
            return StatementArguments(try Self.keyValues(stored))
        }
        try await write { db in
            let insert = try db.cachedStatement(sql: Self.insertKeySQL)
            for row in rows { try insert.execute(arguments: row) }
            for alias in aliases {
                try db.execute(sql: "INSERT INTO alias (account, region, alias_name, key_id) VALUES (?, ?, ?, ?)",
                               arguments: [alias.account, alias.region, alias.aliasName, alias.keyId])
            }
        }
    }

    // MARK: Aliases

    /// Inserts an alias; with a `limit`, counts the scope's aliases in the same transaction.
    public func insertAlias(_ alias: AliasRecord, limit: Int?) async throws {
        try await write { db in
            if let limit {
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alias WHERE account = ? AND region = ?",
                                             arguments: [alias.account, alias.region]) ?? 0
                if count >= limit { throw KeyStoreError.limitExceeded }
            }
            try db.execute(sql: "INSERT INTO alias (account, region, alias_name, key_id) VALUES (?, ?, ?, ?)",
                           arguments: [alias.account, alias.region, alias.aliasName, alias.keyId])
        }
    }

    /// Reads, changes and writes one alias in one write transaction.
    public func updateAlias(account: String, region: String, aliasName: String,
                            _ change: @escaping @Sendable (inout AliasRecord) throws -> Void) async throws -> AliasRecord {
        try await write { db in
            guard var alias = try Row.fetchOne(db, sql: "SELECT * FROM alias WHERE account = ? AND region = ? AND alias_name = ?",
                                               arguments: [account, region, aliasName]).map(Self.aliasRecord) else {
                throw KeyStoreError.notFound
            }
            do {
                try change(&alias)
            } catch {
                throw Refusal(error: error)
            }
            try db.execute(sql: "UPDATE alias SET key_id = ? WHERE account = ? AND region = ? AND alias_name = ?",
                           arguments: [alias.keyId, account, region, aliasName])
            alias.account = account
            alias.region = region
            alias.aliasName = aliasName
            return alias
        }
    }

    /// Deletes an alias once `check` has accepted it, in one write transaction.
    public func deleteAlias(account: String, region: String, aliasName: String,
                            check: @escaping @Sendable (AliasRecord) throws -> Void) async throws {
        try await write { db in
            guard let alias = try Row.fetchOne(db, sql: "SELECT * FROM alias WHERE account = ? AND region = ? AND alias_name = ?",
                                               arguments: [account, region, aliasName]).map(Self.aliasRecord) else {
                throw KeyStoreError.notFound
            }
            do {
                try check(alias)
            } catch {
                throw Refusal(error: error)
            }
            try db.execute(sql: "DELETE FROM alias WHERE account = ? AND region = ? AND alias_name = ?",
                           arguments: [account, region, aliasName])
        }
    }

    /// The alias with this name, or nil.
    public func alias(account: String, region: String, aliasName: String) async throws -> AliasRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alias WHERE account = ? AND region = ? AND alias_name = ?",
                             arguments: [account, region, aliasName]).map(Self.aliasRecord)
        }
    }

    /// One page of aliases: a range read on the primary key, or on `alias_by_key` for one key.
    public func listAliases(account: String, region: String, keyId: String?, from: String?,
                            limit: Int) async throws -> StorePage<AliasRecord> {
        let limit = max(0, limit)
        return try await read { db in
            var sql = "SELECT * FROM alias WHERE account = ? AND region = ?"
            var arguments: StatementArguments = [account, region]
            if let keyId {
                sql += " AND key_id = ?"
                arguments += [keyId]
            }
            sql += " AND alias_name >= ? ORDER BY alias_name LIMIT ?"
            arguments += [from ?? "", limit + 1]
            let aliases = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.aliasRecord)
            guard aliases.count > limit else { return StorePage(items: aliases, next: nil) }
            return StorePage(items: Array(aliases.prefix(limit)), next: aliases[limit].aliasName)
        }
    }

    // MARK: Metadata

    /// A named value of the store, or nil.
    public func metadata(_ name: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE name = ?", arguments: [name])
        }
    }

    /// Sets a named value unless one is set, in one write transaction; returns the value held.
    public func setMetadataIfAbsent(_ name: String, value: String) async throws -> String {
        try await write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO metadata (name, value) VALUES (?, ?)", arguments: [name, value])
            return try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE name = ?", arguments: [name]) ?? value
        }
    }

    // MARK: Import tokens

    /// Stores the parameters of one GetParametersForImport call. Throws
    /// ``KeyStoreError/alreadyExists`` when the token is taken.
    public func insertImportToken(_ token: ImportTokenRecord) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO import_token (account, region, token, key_material_type, wrapping_key_algorithm,
                                          sealed_private_key, certificate_pem, certificate_chain_pem, valid_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [token.account, token.region, token.token, token.keyMaterialType,
                            token.wrappingKeyAlgorithm, Data(token.sealedPrivateKey), token.certificatePEM,
                            token.certificateChainPEM, token.validUntil])
        }
    }

    /// The import parameters of a token, or nil.
    public func importToken(account: String, region: String, token: String) async throws -> ImportTokenRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM import_token WHERE account = ? AND region = ? AND token = ?",
                             arguments: [account, region, token]).map(Self.importTokenRecord)
        }
    }

    /// The newest token of this key material type and algorithm valid until at least `validUntil`
    /// (latest `valid_until`, then the last inserted).
    public func newestImportToken(account: String, region: String, keyMaterialType: String, algorithm: String,
                                  validUntil: Double) async throws -> ImportTokenRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM import_token
                WHERE account = ? AND region = ? AND key_material_type = ? AND wrapping_key_algorithm = ? AND valid_until >= ?
                ORDER BY valid_until DESC, rowid DESC LIMIT 1
                """,
                arguments: [account, region, keyMaterialType, algorithm, validUntil]).map(Self.importTokenRecord)
        }
    }

    // MARK: Resource policies

    /// Attaches or replaces a key's resource policy, in one write transaction.
    public func putResourcePolicy(_ policy: ResourcePolicyRecord) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO resource_policy (account, region, key_id, policy) VALUES (?, ?, ?, ?)
                ON CONFLICT (account, region, key_id) DO UPDATE SET policy = excluded.policy
                """,
                arguments: [policy.account, policy.region, policy.keyId, policy.policy])
        }
    }

    /// The resource policy of a key, or nil.
    public func resourcePolicy(account: String, region: String, keyId: String) async throws -> ResourcePolicyRecord? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT policy FROM resource_policy WHERE account = ? AND region = ? AND key_id = ?",
                                arguments: [account, region, keyId])
                .map { ResourcePolicyRecord(account: account, region: region, keyId: keyId, policy: $0) }
        }
    }

    /// Removes a key's resource policy; whether it had one.
    @discardableResult
    public func deleteResourcePolicy(account: String, region: String, keyId: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM resource_policy WHERE account = ? AND region = ? AND key_id = ?",
                           arguments: [account, region, keyId])
            return db.changesCount > 0
        }
    }

    // MARK: Audit trail

    /// Appends an entry to the audit trail; SQLite assigns the next sequence number. Committed
    /// and fsynced (`synchronous = FULL`) before it returns.
    public func appendAudit(_ record: AuditRecord) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO audit (time, account, region, principal, operation, resource, result, request_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [record.time, record.account, record.region, record.principal, record.operation,
                            record.resource, record.result, record.requestId])
        }
    }

    /// Entries of `account` (every account when nil) after sequence `after`, in sequence order,
    /// at most `limit`.
    public func listAudit(account: String?, after: Int64?, limit: Int) async throws -> [AuditRecord] {
        guard limit > 0 else { return [] }
        let after = after ?? Int64.min
        return try await read { db in
            if let account {
                return try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE account = ? AND sequence > ? ORDER BY sequence LIMIT ?",
                                        arguments: [account, after, limit]).map(Self.auditRecord)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE sequence > ? ORDER BY sequence LIMIT ?",
                                    arguments: [after, limit]).map(Self.auditRecord)
        }
    }

    // MARK: Copy

    /// Everything the store holds, read in one snapshot (`paycrypt store copy`).
    public func contents() async throws -> StoreContents {
        try await read { db in
            var contents = StoreContents()
            contents.keys = try Row.fetchAll(db, sql: Self.keySelect + " ORDER BY account, region, key_id").map(Self.keyRecord)
            contents.aliases = try Row.fetchAll(db, sql: "SELECT * FROM alias ORDER BY account, region, alias_name").map(Self.aliasRecord)
            contents.importTokens = try Row.fetchAll(db, sql: "SELECT * FROM import_token").map(Self.importTokenRecord)
            contents.resourcePolicies = try Row.fetchAll(db, sql: "SELECT * FROM resource_policy ORDER BY account, region, key_id").map { row in
                ResourcePolicyRecord(account: try Self.column(row, "account", table: "resource_policy"),
                                     region: try Self.column(row, "region", table: "resource_policy"),
                                     keyId: try Self.column(row, "key_id", table: "resource_policy"),
                                     policy: try Self.column(row, "policy", table: "resource_policy"))
            }
            contents.audit = try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY sequence").map(Self.auditRecord)
            for row in try Row.fetchAll(db, sql: "SELECT account, region, regions FROM default_replication_regions ORDER BY account, region") {
                contents.defaultReplicationRegions.append(DefaultReplicationRegionsRecord(
                    account: try Self.column(row, "account", table: "default_replication_regions"),
                    region: try Self.column(row, "region", table: "default_replication_regions"),
                    regions: try KeyRecordColumns.regions(try Self.column(row, "regions", table: "default_replication_regions"), keyId: "defaults")))
            }
            for row in try Row.fetchAll(db, sql: "SELECT account, region, action, team_arn FROM mpa_association ORDER BY account, region, action") {
                contents.mpaAssociations.append(MpaAssociationRecord(
                    account: try Self.column(row, "account", table: "mpa_association"),
                    region: try Self.column(row, "region", table: "mpa_association"),
                    action: try Self.column(row, "action", table: "mpa_association"),
                    teamArn: try Self.column(row, "team_arn", table: "mpa_association")))
            }
            for row in try Row.fetchAll(db, sql: "SELECT name, value FROM metadata") {
                let name: String = try Self.column(row, "name", table: "metadata")
                contents.metadata[name] = try Self.column(row, "value", table: "metadata")
            }
            return contents
        }
    }

    // MARK: Access

    /// A write transaction on GRDB's writer queue; committed (and, with `synchronous = FULL`,
    /// fsynced) before it returns.
    private func write<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// A read on one of GRDB's reader connections (a consistent snapshot).
    private func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(value)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// An error thrown by a caller's `change` or `check` closure, carried through GRDB's rollback
    /// and rethrown unchanged.
    struct Refusal: Error {
        let error: any Error
    }

    /// Maps an error to the ``KeyStore`` vocabulary, keeping values out of the message.
    static func storeError(_ error: any Error) -> any Error {
        switch error {
        case let refusal as Refusal:
            return refusal.error
        case let error as KeyStoreError:
            return error
        case let error as CancellationError:
            return error
        case let error as DatabaseError:
            if error.resultCode == .SQLITE_CONSTRAINT,
               error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
                || error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                return KeyStoreError.alreadyExists
            }
            // GRDB's `description` includes the SQL; SQLite's own message names tables and
            // columns but never bound values.
            return KeyStoreError.backend("SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "no message")")
        default:
            return KeyStoreError.backend("unexpected \(type(of: error))")
        }
    }

    // MARK: Inspection (tests)

    /// `PRAGMA synchronous` of the writer connection (2 is FULL).
    func writerSynchronousSetting() async throws -> Int {
        try await pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
    }

    /// `PRAGMA journal_mode` (`wal`).
    func journalMode() async throws -> String {
        try await pool.writeWithoutTransaction { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
        }
    }

    /// The identifiers of the applied migrations.
    func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try Self.migrator.appliedIdentifiers(db).sorted() }
    }
}
