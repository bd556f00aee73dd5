import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The ``KeyStore`` that several paycrypt instances share: one PostgreSQL database, through
/// PostgresNIO's pooled, async `PostgresClient` (no call blocks a thread; README "Running several
/// instances").
///
/// - Same semantics as ``SQLiteKeyStore``: every change is one transaction; ``updateKey(account:region:keyId:_:)``
///   reads the row `FOR UPDATE`, so concurrent changes to one key queue on the row lock and
///   compose; limits are counted after a transaction-scoped advisory lock on the account, region
///   and kind, so two instances cannot both take the last slot; names are primary keys, so two
///   instances racing for one alias give one insert and one ``KeyStoreError/alreadyExists``.
/// - Ordering: ids and names are `COLLATE "C"` (byte order: UTF-8 byte order in a UTF-8 database),
///   and lists page on the primary key (keyset paging, one index range read per page).
/// - Key material is stored only sealed (`bytea`), exactly as in SQLite.
/// - Schema: versioned migrations in ``migrations``, applied at start inside one transaction that
///   first takes a database-wide advisory lock, so instances starting together apply each
///   migration once (PostgreSQL "Advisory Locks").
/// - Change feed: every committed change to a key or alias sends `NOTIFY paycrypt_changes` (sent
///   by PostgreSQL only when the transaction commits) and moves the `paycrypt_change_counter`
///   sequence; ``watchChanges(_:)`` listens, and checks the counter periodically as a safety net.
/// - Errors: a unique violation (SQLSTATE 23505) is ``KeyStoreError/alreadyExists``; a database
///   that cannot be reached is ``KeyStoreError/unavailable(_:)``; anything else
///   ``KeyStoreError/backend(_:)`` with the SQLSTATE and PostgreSQL's message (never bound values,
///   never the password).
public final class PostgresKeyStore: SharedKeyStore {
    /// Where the database is (print ``PostgresLocation/redacted`` only).
    public let location: PostgresLocation
    /// The schema the tables live in when one was given (tests), else the connection's default.
    public let schema: String?
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    private let reachable = Atomic<Bool>(true)

    /// The notification channel of the change feed: `paycrypt_changes`, or
    /// `paycrypt_changes_<schema>` for a store in a schema of its own (channels are per database).
    let channel: String
    /// The key of the advisory lock that serializes migrations (the bytes of "paycrypt").
    static let migrationLock: Int64 = 0x7061_7963_7279_7074

    /// Connects to the database and brings its schema up to date.
    ///
    /// - Parameters:
    ///   - location: the parsed `postgres://` URL.
    ///   - schema: a schema to create (when missing) and use instead of the default one; for tests
    ///     and for several paycrypt deployments in one database.
    ///   - logger: where PostgresNIO's background messages go (at warning level and above: no
    ///     query text or bound value is ever logged).
    /// - Throws: ``KeyStoreError/unavailable(_:)`` when the database cannot be reached within a
    ///   few seconds, ``KeyStoreError/backend(_:)`` when a migration fails.
    public init(location: PostgresLocation, schema: String? = nil, logger: Logger = Logger(label: "paycrypt.store")) async throws {
        self.location = location
        self.schema = schema
        channel = schema.map { "paycrypt_changes_" + $0 } ?? "paycrypt_changes"
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        self.logger = quiet
        var configuration = location.clientConfiguration()
        if let schema {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        // PostgresNIO's own background messages at error level only (it warns, harmlessly, when a
        // lease races the start of `run()`).
        var background = quiet
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        runner = Task { await client.run() }
        do {
            try await migrate()
        } catch {
            runner.cancel()
            throw error
        }
    }

    /// Closes every connection. Calls made afterwards fail.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    /// False while the last attempt to reach the database failed.
    public var isReachable: Bool { reachable.load(ordering: .relaxed) }

    // MARK: Schema

    /// The schema's migrations, in order: `(id, statements)`. Applied ones are recorded in
    /// `paycrypt_schema_migrations`; add new ones at the end and never edit a shipped one.
    static let migrations: [(id: String, statements: [String])] = [
        ("v1", [
            """
            CREATE TABLE paycrypt_keys (
                account text NOT NULL,
                region text NOT NULL,
                key_id text COLLATE "C" NOT NULL,
                key_usage text NOT NULL,
                key_class text NOT NULL,
                key_algorithm text NOT NULL,
                mode_encrypt boolean NOT NULL,
                mode_decrypt boolean NOT NULL,
                mode_wrap boolean NOT NULL,
                mode_unwrap boolean NOT NULL,
                mode_generate boolean NOT NULL,
                mode_sign boolean NOT NULL,
                mode_verify boolean NOT NULL,
                mode_derive_key boolean NOT NULL,
                mode_no_restrictions boolean NOT NULL,
                key_check_value text NOT NULL,
                key_check_value_algorithm text NOT NULL,
                enabled boolean NOT NULL,
                exportable boolean NOT NULL,
                state text NOT NULL,
                origin text NOT NULL,
                derive_key_usage text,
                create_timestamp double precision NOT NULL,
                usage_start_timestamp double precision,
                usage_stop_timestamp double precision,
                delete_pending_timestamp double precision,
                delete_timestamp double precision,
                tags text NOT NULL,
                sealed_material bytea NOT NULL,
                exportability text,
                version bigint NOT NULL,
                PRIMARY KEY (account, region, key_id)
            )
            """,
            """
            CREATE TABLE paycrypt_aliases (
                account text NOT NULL,
                region text NOT NULL,
                alias_name text COLLATE "C" NOT NULL,
                key_id text COLLATE "C",
                PRIMARY KEY (account, region, alias_name)
            )
            """,
            "CREATE INDEX paycrypt_aliases_by_key ON paycrypt_aliases (account, region, key_id, alias_name)",
            """
            CREATE TABLE paycrypt_import_tokens (
                account text NOT NULL,
                region text NOT NULL,
                token text NOT NULL,
                key_material_type text NOT NULL,
                wrapping_key_algorithm text NOT NULL,
                sealed_private_key bytea NOT NULL,
                certificate_pem text NOT NULL,
                certificate_chain_pem text NOT NULL,
                valid_until double precision NOT NULL,
                PRIMARY KEY (account, region, token)
            )
            """,
            """
            CREATE TABLE paycrypt_audit (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                time double precision NOT NULL,
                account text NOT NULL,
                region text NOT NULL,
                principal text NOT NULL,
                operation text NOT NULL,
                resource text,
                result text NOT NULL,
                request_id text NOT NULL
            )
            """,
            "CREATE INDEX paycrypt_audit_by_account ON paycrypt_audit (account, sequence)",
            "CREATE TABLE paycrypt_metadata (name text PRIMARY KEY, value text NOT NULL)",
            "CREATE SEQUENCE paycrypt_change_counter",
        ]),
        ("v5-resource-policies", [
            // One resource policy per key (README, Decisions: Resource policies: storage and answers), its text as received; the same
            // id as SQLite's migration, so both stores name the change alike.
            """
            CREATE TABLE paycrypt_resource_policies (
                account text NOT NULL,
                region text NOT NULL,
                key_id text COLLATE "C" NOT NULL,
                policy text NOT NULL,
                PRIMARY KEY (account, region, key_id)
            )
            """,
        ]),
        // Multi-Region keys (README, "Multi-Region keys and MPA teams") and the default replication regions (README, Decisions: default replication regions).
        ("v6-replication", [
            "ALTER TABLE paycrypt_keys ADD COLUMN multi_region_key_type text",
            "ALTER TABLE paycrypt_keys ADD COLUMN primary_region text",
            "ALTER TABLE paycrypt_keys ADD COLUMN replication_regions text NOT NULL DEFAULT '[]'",
            "ALTER TABLE paycrypt_keys ADD COLUMN using_default_replication_regions boolean",
            """
            CREATE TABLE paycrypt_default_replication_regions (
                account text NOT NULL,
                region text NOT NULL,
                regions text NOT NULL,
                PRIMARY KEY (account, region)
            )
            """,
        ]),
        // Multi-party approval (README, Decisions: MPA emulation).
        ("v7-mpa", [
            "ALTER TABLE paycrypt_keys ADD COLUMN mpa_status text",
            """
            CREATE TABLE paycrypt_mpa_associations (
                account text NOT NULL,
                region text NOT NULL,
                action text NOT NULL,
                team_arn text NOT NULL,
                PRIMARY KEY (account, region, action)
            )
            """,
        ]),
    ]

    /// Applies the migrations not yet recorded, in one transaction under the migration lock.
    private func migrate() async throws {
        let schema = schema
        try await transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: self.logger)
            if let schema {
                try await conn.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(Self.quoted(schema))"), logger: self.logger)
            }
            try await conn.query("""
                CREATE TABLE IF NOT EXISTS paycrypt_schema_migrations (id text PRIMARY KEY, applied_at double precision NOT NULL)
                """, logger: self.logger)
            var applied = Set<String>()
            for row in try await conn.query("SELECT id FROM paycrypt_schema_migrations", logger: self.logger).collect() {
                applied.insert(try Self.decode(row.makeRandomAccess(), "id", table: "paycrypt_schema_migrations"))
            }
            for migration in Self.migrations where !applied.contains(migration.id) {
                for statement in migration.statements {
                    try await conn.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await conn.query("""
                    INSERT INTO paycrypt_schema_migrations (id, applied_at) VALUES (\(migration.id), \(Date().timeIntervalSince1970))
                    """, logger: self.logger)
            }
        }
    }

    /// The identifiers of the applied migrations (tests).
    func appliedMigrations() async throws -> [String] {
        try await read { conn in
            try await conn.query("SELECT id FROM paycrypt_schema_migrations ORDER BY id", logger: self.logger).collect()
                .map { try Self.decode($0.makeRandomAccess(), "id", table: "paycrypt_schema_migrations") }
        }
    }

    /// Drops the schema given at ``init(location:schema:logger:)`` with everything in it (tests).
    func dropSchema() async throws {
        guard let schema else { return }
        try await read { conn in
            try await conn.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(Self.quoted(schema)) CASCADE"), logger: self.logger)
        }
    }

    private static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: Rows

    /// The columns of `paycrypt_keys` in the order of ``keyBinds(_:)``; the first three are the
    /// primary key.
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
        INSERT INTO paycrypt_keys (\(keyColumns.joined(separator: ", "))) \
        VALUES (\((1...keyColumns.count).map { "$\($0)" }.joined(separator: ", ")))
        """
    private static let updateKeySQL = """
        UPDATE paycrypt_keys SET \(keyColumns.enumerated().dropFirst(3).map { "\($1) = $\($0 + 1)" }.joined(separator: ", ")) \
        WHERE account = $1 AND region = $2 AND key_id = $3
        """
    private static let keySelect = "SELECT \(keyColumns.joined(separator: ", ")) FROM paycrypt_keys"

    private static func keyBinds(_ key: KeyRecord) throws -> PostgresBindings {
        let tags: String
        do {
            tags = String(decoding: try JSONEncoder().encode(key.tags), as: UTF8.self)
        } catch {
            throw KeyStoreError.backend("cannot encode the tags of key \(key.keyId) as JSON")
        }
        var b = PostgresBindings(capacity: keyColumns.count)
        b.append(key.account)
        b.append(key.region)
        b.append(key.keyId)
        b.append(key.keyUsage)
        b.append(key.keyClass)
        b.append(key.keyAlgorithm)
        for mode in [key.modes.encrypt, key.modes.decrypt, key.modes.wrap, key.modes.unwrap, key.modes.generate,
                     key.modes.sign, key.modes.verify, key.modes.deriveKey, key.modes.noRestrictions] {
            b.append(mode)
        }
        b.append(key.keyCheckValue)
        b.append(key.keyCheckValueAlgorithm)
        b.append(key.enabled)
        b.append(key.exportable)
        b.append(key.state.rawValue)
        b.append(key.origin)
        b.append(key.deriveKeyUsage)
        b.append(key.createTimestamp)
        b.append(key.usageStartTimestamp)
        b.append(key.usageStopTimestamp)
        b.append(key.deletePendingTimestamp)
        b.append(key.deleteTimestamp)
        b.append(tags)
        b.append(ByteBuffer(bytes: key.sealedMaterial))
        b.append(key.exportability)
        b.append(key.version)
        b.append(key.multiRegionKeyType)
        b.append(key.primaryRegion)
        b.append(try KeyRecordColumns.regionsText(key.replicationRegions, keyId: key.keyId))
        b.append(key.usingDefaultReplicationRegions)
        b.append(try KeyRecordColumns.approvalText(key.mpaApproval, keyId: key.keyId))
        return b
    }

    /// Decodes one column by name; the error names only the table and column (never the value).
    private static func decode<T: PostgresDecodable>(_ row: PostgresRandomAccessRow, _ name: String, table: String) throws -> T {
        guard row.contains(name) else { throw KeyStoreError.backend("column \(table).\(name) is missing") }
        do {
            return try row[name].decode(T.self)
        } catch {
            throw KeyStoreError.backend("column \(table).\(name) holds a value of an unexpected type")
        }
    }

    private static func bytes(_ row: PostgresRandomAccessRow, _ name: String, table: String) throws -> [UInt8] {
        let buffer: ByteBuffer = try decode(row, name, table: table)
        return Array(buffer.readableBytesView)
    }

    private static func keyRecord(_ row: PostgresRow) throws -> KeyRecord {
        let r = row.makeRandomAccess()
        func c<T: PostgresDecodable>(_ name: String) throws -> T { try decode(r, name, table: "paycrypt_keys") }
        let keyId: String = try c("key_id")
        let stateText: String = try c("state")
        guard let state = KeyState(rawValue: stateText) else { throw KeyStoreError.backend("key \(keyId) has an unknown state") }
        let tagsText: String = try c("tags")
        var tags: [TagRecord] = []
        if tagsText != "[]" {
            do {
                tags = try JSONDecoder().decode([TagRecord].self, from: Data(tagsText.utf8))
            } catch {
                throw KeyStoreError.backend("the tags of key \(keyId) are not a JSON array of tags")
            }
        }
        var record = KeyRecord(
            keyId: keyId, account: try c("account"), region: try c("region"),
            keyUsage: try c("key_usage"), keyClass: try c("key_class"), keyAlgorithm: try c("key_algorithm"),
            modes: KeyModes(encrypt: try c("mode_encrypt"), decrypt: try c("mode_decrypt"), wrap: try c("mode_wrap"),
                            unwrap: try c("mode_unwrap"), generate: try c("mode_generate"), sign: try c("mode_sign"),
                            verify: try c("mode_verify"), deriveKey: try c("mode_derive_key"),
                            noRestrictions: try c("mode_no_restrictions")),
            keyCheckValue: try c("key_check_value"), keyCheckValueAlgorithm: try c("key_check_value_algorithm"),
            enabled: try c("enabled"), exportable: try c("exportable"), state: state, origin: try c("origin"),
            deriveKeyUsage: try c("derive_key_usage"), createTimestamp: try c("create_timestamp"),
            usageStartTimestamp: try c("usage_start_timestamp"), usageStopTimestamp: try c("usage_stop_timestamp"),
            deletePendingTimestamp: try c("delete_pending_timestamp"), deleteTimestamp: try c("delete_timestamp"),
            tags: tags, sealedMaterial: try bytes(r, "sealed_material", table: "paycrypt_keys"),
            exportability: try c("exportability"))
        record.version = try c("version")
        record.multiRegionKeyType = try c("multi_region_key_type")
        record.primaryRegion = try c("primary_region")
        record.replicationRegions = try KeyRecordColumns.regions(try c("replication_regions"), keyId: keyId)
        record.usingDefaultReplicationRegions = try c("using_default_replication_regions")
        record.mpaApproval = try KeyRecordColumns.approval(try c("mpa_status"), keyId: keyId)
        return record
    }

    private static func aliasRecord(_ row: PostgresRow) throws -> AliasRecord {
        let r = row.makeRandomAccess()
        func c<T: PostgresDecodable>(_ name: String) throws -> T { try decode(r, name, table: "paycrypt_aliases") }
        return AliasRecord(aliasName: try c("alias_name"), account: try c("account"), region: try c("region"), keyId: try c("key_id"))
    }

    private static func importTokenRecord(_ row: PostgresRow) throws -> ImportTokenRecord {
        let r = row.makeRandomAccess()
        func c<T: PostgresDecodable>(_ name: String) throws -> T { try decode(r, name, table: "paycrypt_import_tokens") }
        return ImportTokenRecord(
            token: try c("token"), account: try c("account"), region: try c("region"),
            keyMaterialType: try c("key_material_type"), wrappingKeyAlgorithm: try c("wrapping_key_algorithm"),
            sealedPrivateKey: try bytes(r, "sealed_private_key", table: "paycrypt_import_tokens"),
            certificatePEM: try c("certificate_pem"), certificateChainPEM: try c("certificate_chain_pem"),
            validUntil: try c("valid_until"))
    }

    private static func auditRecord(_ row: PostgresRow) throws -> AuditRecord {
        let r = row.makeRandomAccess()
        func c<T: PostgresDecodable>(_ name: String) throws -> T { try decode(r, name, table: "paycrypt_audit") }
        return AuditRecord(
            sequence: try c("sequence"), time: try c("time"), account: try c("account"), region: try c("region"),
            principal: try c("principal"), operation: try c("operation"), resource: try c("resource"),
            result: try c("result"), requestId: try c("request_id"))
    }

    // MARK: Keys

    /// Inserts a new key with version 1; with a `limit`, counts the scope's keys that are not
    /// `DELETE_COMPLETE` under the scope's advisory lock, in the insert's transaction.
    public func insertKey(_ key: KeyRecord, limit: Int?) async throws {
        var stored = key
        stored.version = 1
        let binds = try Self.keyBinds(stored)
        try await transaction { conn in
            if let limit {
                try await self.lockScope(conn, "key", account: key.account, region: key.region)
                let count = try await self.count(conn, """
                    SELECT count(*) FROM paycrypt_keys WHERE account = \(key.account) AND region = \(key.region) \
                    AND state <> 'DELETE_COMPLETE'
                    """)
                if count >= limit { throw KeyStoreError.limitExceeded }
            }
            try await conn.query(PostgresQuery(unsafeSQL: Self.insertKeySQL, binds: binds), logger: self.logger)
        }
    }

    /// Reads the key `FOR UPDATE`, changes it and writes it back in one transaction; the version
    /// counts up and the change is announced on commit.
    public func updateKey(account: String, region: String, keyId: String,
                          _ change: @escaping @Sendable (inout KeyRecord) throws -> Void) async throws -> KeyRecord {
        try await transaction { conn in
            let rows = try await conn.query(PostgresQuery(unsafeSQL: Self.keySelect + " WHERE account = $1 AND region = $2 AND key_id = $3 FOR UPDATE",
                                                          binds: Self.binds(account, region, keyId)), logger: self.logger).collect()
            guard let row = rows.first else { throw KeyStoreError.notFound }
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
            try await conn.query(PostgresQuery(unsafeSQL: Self.updateKeySQL, binds: try Self.keyBinds(record)), logger: self.logger)
            try await self.announce(conn, .key(arn: record.arn))
            return record
        }
    }

    /// The key with this id, or nil.
    public func key(account: String, region: String, keyId: String) async throws -> KeyRecord? {
        try await read { conn in
            try await conn.query(PostgresQuery(unsafeSQL: Self.keySelect + " WHERE account = $1 AND region = $2 AND key_id = $3",
                                               binds: Self.binds(account, region, keyId)), logger: self.logger)
                .collect().first.map(Self.keyRecord)
        }
    }

    /// One page of keys: a range read on the primary key, one row more than the page to know
    /// whether another follows.
    public func listKeys(account: String, region: String, from: String?, limit: Int, state: KeyState?,
                         now: Double) async throws -> StorePage<KeyRecord> {
        let limit = max(0, limit)
        var sql = Self.keySelect + " WHERE account = $1 AND region = $2 AND key_id >= $3"
        var binds = Self.binds(account, region, from ?? "")
        if let state {
            sql += " AND (CASE WHEN state = 'DELETE_PENDING' AND delete_pending_timestamp <= $4 THEN 'DELETE_COMPLETE' ELSE state END) = $5"
            binds.append(now)
            binds.append(state.rawValue)
        }
        binds.append(limit + 1)
        sql += " ORDER BY key_id LIMIT $\(state == nil ? 4 : 6)"
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        let records = try await read { conn in
            try await conn.query(query, logger: self.logger).collect().map(Self.keyRecord)
        }
        guard records.count > limit else { return StorePage(items: records, next: nil) }
        return StorePage(items: Array(records.prefix(limit)), next: records[limit].keyId)
    }

    /// Some key of any account, or nil.
    public func anyKey() async throws -> KeyRecord? {
        try await read { conn in
            try await conn.query(PostgresQuery(unsafeSQL: Self.keySelect + " LIMIT 1"), logger: self.logger).collect().first.map(Self.keyRecord)
        }
    }

    /// Removes a key for good in one transaction; the change is announced on commit.
    public func deleteKey(account: String, region: String, keyId: String) async throws {
        try await transaction { conn in
            let rows = try await conn.query("""
                DELETE FROM paycrypt_keys WHERE account = \(account) AND region = \(region) AND key_id = \(keyId) RETURNING key_id
                """, logger: self.logger).collect()
            guard !rows.isEmpty else { throw KeyStoreError.notFound }
            try await self.announce(conn, .key(arn: KeyRecord.arn(region: region, account: account, keyId: keyId)))
        }
    }

    // MARK: Default replication regions

    /// The default replication regions of the account and region.
    public func defaultReplicationRegions(account: String, region: String) async throws -> [String] {
        try await read { conn in
            let text: String? = try await conn.query("""
                SELECT regions FROM paycrypt_default_replication_regions WHERE account = \(account) AND region = \(region)
                """, logger: self.logger).collect().first
                .map { try Self.decode($0.makeRandomAccess(), "regions", table: "paycrypt_default_replication_regions") }
            return try text.map { try KeyRecordColumns.regions($0, keyId: "defaults") } ?? []
        }
    }

    /// Reads the default replication regions `FOR UPDATE` (under the scope's advisory lock, so that
    /// the first enabling composes too), changes and writes them in one transaction.
    public func updateDefaultReplicationRegions(account: String, region: String,
                                                _ change: @escaping @Sendable (inout [String]) throws -> Void) async throws -> [String] {
        try await transaction { conn in
            try await self.lockScope(conn, "default-replication-regions", account: account, region: region)
            let text: String? = try await conn.query("""
                SELECT regions FROM paycrypt_default_replication_regions WHERE account = \(account) AND region = \(region) FOR UPDATE
                """, logger: self.logger).collect().first
                .map { try Self.decode($0.makeRandomAccess(), "regions", table: "paycrypt_default_replication_regions") }
            var regions = try text.map { try KeyRecordColumns.regions($0, keyId: "defaults") } ?? []
            do {
                try change(&regions)
            } catch {
                throw Refusal(error: error)
            }
            if regions.isEmpty {
                try await conn.query("""
                    DELETE FROM paycrypt_default_replication_regions WHERE account = \(account) AND region = \(region)
                    """, logger: self.logger)
            } else {
                let stored = try KeyRecordColumns.regionsText(regions, keyId: "defaults")
                try await conn.query("""
                    INSERT INTO paycrypt_default_replication_regions (account, region, regions) VALUES (\(account), \(region), \(stored))
                    ON CONFLICT (account, region) DO UPDATE SET regions = EXCLUDED.regions
                    """, logger: self.logger)
            }
            return regions
        }
    }

    // MARK: Multi-party approval

    /// The team associated with an action, or nil.
    public func mpaAssociation(account: String, region: String, action: String) async throws -> MpaAssociationRecord? {
        try await read { conn in
            try await self.teamArn(conn, account: account, region: region, action: action, forUpdate: false)
                .map { MpaAssociationRecord(account: account, region: region, action: action, teamArn: $0) }
        }
    }

    /// Associates a team with its action in one transaction; returns the association replaced.
    public func putMpaAssociation(_ association: MpaAssociationRecord) async throws -> MpaAssociationRecord? {
        let a = association
        return try await transaction { conn in
            try await self.lockScope(conn, "mpa", account: a.account, region: a.region)
            let previous = try await self.teamArn(conn, account: a.account, region: a.region, action: a.action, forUpdate: true)
            try await conn.query("""
                INSERT INTO paycrypt_mpa_associations (account, region, action, team_arn) VALUES (\(a.account), \(a.region), \(a.action), \(a.teamArn))
                ON CONFLICT (account, region, action) DO UPDATE SET team_arn = EXCLUDED.team_arn
                """, logger: self.logger)
            return previous.map { MpaAssociationRecord(account: a.account, region: a.region, action: a.action, teamArn: $0) }
        }
    }

    /// Removes the association of an action in one transaction; returns it.
    public func deleteMpaAssociation(account: String, region: String, action: String) async throws -> MpaAssociationRecord? {
        try await transaction { conn in
            let rows = try await conn.query("""
                DELETE FROM paycrypt_mpa_associations WHERE account = \(account) AND region = \(region) AND action = \(action)
                RETURNING team_arn
                """, logger: self.logger).collect()
            return try rows.first.map {
                MpaAssociationRecord(account: account, region: region, action: action,
                                     teamArn: try Self.decode($0.makeRandomAccess(), "team_arn", table: "paycrypt_mpa_associations"))
            }
        }
    }

    private func teamArn(_ conn: PostgresConnection, account: String, region: String, action: String, forUpdate: Bool) async throws -> String? {
        let sql = "SELECT team_arn FROM paycrypt_mpa_associations WHERE account = $1 AND region = $2 AND action = $3" + (forUpdate ? " FOR UPDATE" : "")
        return try await conn.query(PostgresQuery(unsafeSQL: sql, binds: Self.binds(account, region, action)), logger: logger).collect().first
            .map { try Self.decode($0.makeRandomAccess(), "team_arn", table: "paycrypt_mpa_associations") }
    }

    // MARK: Aliases

    /// Inserts an alias; with a `limit`, counts the scope's aliases under the scope's advisory
    /// lock in the same transaction. The primary key makes a taken name ``KeyStoreError/alreadyExists``.
    public func insertAlias(_ alias: AliasRecord, limit: Int?) async throws {
        try await transaction { conn in
            if let limit {
                try await self.lockScope(conn, "alias", account: alias.account, region: alias.region)
                let count = try await self.count(conn, """
                    SELECT count(*) FROM paycrypt_aliases WHERE account = \(alias.account) AND region = \(alias.region)
                    """)
                if count >= limit { throw KeyStoreError.limitExceeded }
            }
            try await conn.query("""
                INSERT INTO paycrypt_aliases (account, region, alias_name, key_id)
                VALUES (\(alias.account), \(alias.region), \(alias.aliasName), \(alias.keyId))
                """, logger: self.logger)
            try await self.announce(conn, .alias(aliasArn: alias.aliasArn))
        }
    }

    /// Reads the alias `FOR UPDATE`, changes it and writes it back in one transaction.
    public func updateAlias(account: String, region: String, aliasName: String,
                            _ change: @escaping @Sendable (inout AliasRecord) throws -> Void) async throws -> AliasRecord {
        try await transaction { conn in
            let rows = try await conn.query("""
                SELECT account, region, alias_name, key_id FROM paycrypt_aliases
                WHERE account = \(account) AND region = \(region) AND alias_name = \(aliasName) FOR UPDATE
                """, logger: self.logger).collect()
            guard let row = rows.first else { throw KeyStoreError.notFound }
            var alias = try Self.aliasRecord(row)
            do {
                try change(&alias)
            } catch {
                throw Refusal(error: error)
            }
            alias.account = account
            alias.region = region
            alias.aliasName = aliasName
            try await conn.query("""
                UPDATE paycrypt_aliases SET key_id = \(alias.keyId)
                WHERE account = \(account) AND region = \(region) AND alias_name = \(aliasName)
                """, logger: self.logger)
            try await self.announce(conn, .alias(aliasArn: alias.aliasArn))
            return alias
        }
    }

    /// Deletes an alias once `check` has accepted it, in one transaction.
    public func deleteAlias(account: String, region: String, aliasName: String,
                            check: @escaping @Sendable (AliasRecord) throws -> Void) async throws {
        try await transaction { conn in
            let rows = try await conn.query("""
                SELECT account, region, alias_name, key_id FROM paycrypt_aliases
                WHERE account = \(account) AND region = \(region) AND alias_name = \(aliasName) FOR UPDATE
                """, logger: self.logger).collect()
            guard let row = rows.first else { throw KeyStoreError.notFound }
            let alias = try Self.aliasRecord(row)
            do {
                try check(alias)
            } catch {
                throw Refusal(error: error)
            }
            try await conn.query("""
                DELETE FROM paycrypt_aliases WHERE account = \(account) AND region = \(region) AND alias_name = \(aliasName)
                """, logger: self.logger)
            try await self.announce(conn, .alias(aliasArn: alias.aliasArn))
        }
    }

    /// The alias with this name, or nil.
    public func alias(account: String, region: String, aliasName: String) async throws -> AliasRecord? {
        try await read { conn in
            try await conn.query("""
                SELECT account, region, alias_name, key_id FROM paycrypt_aliases
                WHERE account = \(account) AND region = \(region) AND alias_name = \(aliasName)
                """, logger: self.logger).collect().first.map(Self.aliasRecord)
        }
    }

    /// One page of aliases: a range read on the primary key, or on `paycrypt_aliases_by_key`.
    public func listAliases(account: String, region: String, keyId: String?, from: String?,
                            limit: Int) async throws -> StorePage<AliasRecord> {
        let limit = max(0, limit)
        var sql = "SELECT account, region, alias_name, key_id FROM paycrypt_aliases WHERE account = $1 AND region = $2"
        var binds = Self.binds(account, region)
        if let keyId {
            binds.append(keyId)
            sql += " AND key_id = $3"
        }
        binds.append(from ?? "")
        binds.append(limit + 1)
        let next = keyId == nil ? 3 : 4
        sql += " AND alias_name >= $\(next) ORDER BY alias_name LIMIT $\(next + 1)"
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        let aliases = try await read { conn in
            try await conn.query(query, logger: self.logger).collect().map(Self.aliasRecord)
        }
        guard aliases.count > limit else { return StorePage(items: aliases, next: nil) }
        return StorePage(items: Array(aliases.prefix(limit)), next: aliases[limit].aliasName)
    }

    // MARK: Metadata

    /// A named value of the store, or nil.
    public func metadata(_ name: String) async throws -> String? {
        try await read { conn in
            try await conn.query("SELECT value FROM paycrypt_metadata WHERE name = \(name)", logger: self.logger).collect().first
                .map { try Self.decode($0.makeRandomAccess(), "value", table: "paycrypt_metadata") }
        }
    }

    /// Sets a named value unless one is set (the first instance to commit wins); returns the value held.
    public func setMetadataIfAbsent(_ name: String, value: String) async throws -> String {
        try await transaction { conn in
            try await conn.query("INSERT INTO paycrypt_metadata (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO NOTHING",
                                 logger: self.logger)
            let held: String? = try await conn.query("SELECT value FROM paycrypt_metadata WHERE name = \(name)", logger: self.logger)
                .collect().first.map { try Self.decode($0.makeRandomAccess(), "value", table: "paycrypt_metadata") }
            return held ?? value
        }
    }

    // MARK: Import tokens

    /// Stores the parameters of one GetParametersForImport call.
    public func insertImportToken(_ token: ImportTokenRecord) async throws {
        try await transaction { conn in
            try await conn.query("""
                INSERT INTO paycrypt_import_tokens (account, region, token, key_material_type, wrapping_key_algorithm,
                    sealed_private_key, certificate_pem, certificate_chain_pem, valid_until)
                VALUES (\(token.account), \(token.region), \(token.token), \(token.keyMaterialType), \(token.wrappingKeyAlgorithm),
                    \(ByteBuffer(bytes: token.sealedPrivateKey)), \(token.certificatePEM), \(token.certificateChainPEM), \(token.validUntil))
                """, logger: self.logger)
        }
    }

    /// The import parameters of a token, or nil.
    public func importToken(account: String, region: String, token: String) async throws -> ImportTokenRecord? {
        try await read { conn in
            try await conn.query("""
                SELECT account, region, token, key_material_type, wrapping_key_algorithm, sealed_private_key,
                    certificate_pem, certificate_chain_pem, valid_until
                FROM paycrypt_import_tokens WHERE account = \(account) AND region = \(region) AND token = \(token)
                """, logger: self.logger).collect().first.map(Self.importTokenRecord)
        }
    }

    /// The newest token of this key material type and algorithm valid until at least `validUntil`
    /// (latest `valid_until`, then the greatest token id).
    public func newestImportToken(account: String, region: String, keyMaterialType: String, algorithm: String,
                                  validUntil: Double) async throws -> ImportTokenRecord? {
        try await read { conn in
            try await conn.query("""
                SELECT account, region, token, key_material_type, wrapping_key_algorithm, sealed_private_key,
                    certificate_pem, certificate_chain_pem, valid_until
                FROM paycrypt_import_tokens
                WHERE account = \(account) AND region = \(region) AND key_material_type = \(keyMaterialType)
                    AND wrapping_key_algorithm = \(algorithm) AND valid_until >= \(validUntil)
                ORDER BY valid_until DESC, token DESC LIMIT 1
                """, logger: self.logger).collect().first.map(Self.importTokenRecord)
        }
    }

    // MARK: Resource policies

    /// Attaches or replaces a key's resource policy, in one transaction; announces the key as
    /// changed so that every instance drops what it cached of the key's access.
    public func putResourcePolicy(_ policy: ResourcePolicyRecord) async throws {
        try await transaction { conn in
            try await conn.query("""
                INSERT INTO paycrypt_resource_policies (account, region, key_id, policy)
                VALUES (\(policy.account), \(policy.region), \(policy.keyId), \(policy.policy))
                ON CONFLICT (account, region, key_id) DO UPDATE SET policy = EXCLUDED.policy
                """, logger: self.logger)
            try await self.announce(conn, .key(arn: policy.keyArn))
        }
    }

    /// The resource policy of a key, or nil.
    public func resourcePolicy(account: String, region: String, keyId: String) async throws -> ResourcePolicyRecord? {
        try await read { conn in
            try await conn.query("""
                SELECT policy FROM paycrypt_resource_policies WHERE account = \(account) AND region = \(region) AND key_id = \(keyId)
                """, logger: self.logger).collect().first
                .map { ResourcePolicyRecord(account: account, region: region, keyId: keyId,
                                            policy: try Self.decode($0.makeRandomAccess(), "policy", table: "paycrypt_resource_policies")) }
        }
    }

    /// Removes a key's resource policy, announcing the key as changed; whether it had one.
    @discardableResult
    public func deleteResourcePolicy(account: String, region: String, keyId: String) async throws -> Bool {
        try await transaction { conn in
            let rows = try await conn.query("""
                DELETE FROM paycrypt_resource_policies WHERE account = \(account) AND region = \(region) AND key_id = \(keyId)
                RETURNING key_id
                """, logger: self.logger).collect()
            if !rows.isEmpty {
                try await self.announce(conn, .key(arn: KeyRecord.arn(region: region, account: account, keyId: keyId)))
            }
            return !rows.isEmpty
        }
    }

    // MARK: Audit trail

    /// Appends an entry; PostgreSQL's identity column numbers it (numbers are never reused).
    public func appendAudit(_ record: AuditRecord) async throws {
        try await transaction { conn in
            try await conn.query("""
                INSERT INTO paycrypt_audit (time, account, region, principal, operation, resource, result, request_id)
                VALUES (\(record.time), \(record.account), \(record.region), \(record.principal), \(record.operation),
                    \(record.resource), \(record.result), \(record.requestId))
                """, logger: self.logger)
        }
    }

    /// Entries of `account` (every account when nil) after sequence `after`, in sequence order, at most `limit`.
    public func listAudit(account: String?, after: Int64?, limit: Int) async throws -> [AuditRecord] {
        guard limit > 0 else { return [] }
        let after = after ?? Int64.min
        let columns = "sequence, time, account, region, principal, operation, resource, result, request_id"
        return try await read { conn in
            let rows: [PostgresRow]
            if let account {
                rows = try await conn.query(PostgresQuery(unsafeSQL: """
                    SELECT \(columns) FROM paycrypt_audit WHERE account = $1 AND sequence > $2 ORDER BY sequence LIMIT $3
                    """, binds: Self.binds(account, after, limit)), logger: self.logger).collect()
            } else {
                rows = try await conn.query(PostgresQuery(unsafeSQL: """
                    SELECT \(columns) FROM paycrypt_audit WHERE sequence > $1 ORDER BY sequence LIMIT $2
                    """, binds: Self.binds(after, limit)), logger: self.logger).collect()
            }
            return try rows.map(Self.auditRecord)
        }
    }

    // MARK: Copy

    /// Why ``load(_:)`` refused.
    public struct NotEmpty: Error, Sendable, CustomStringConvertible {
        /// The table that holds rows.
        public var table: String
        /// One line for the operator.
        public var description: String { "the target store is not empty (\(table) has rows); copy only into an empty database" }
    }

    /// Writes `contents` into this store in one transaction, keeping versions and audit sequence
    /// numbers, after checking (under the migration lock, so two copies cannot interleave) that
    /// every table is empty.
    ///
    /// - Throws: ``NotEmpty`` when any table holds a row; nothing is written then.
    public func load(_ contents: StoreContents) async throws {
        let tables = ["paycrypt_keys", "paycrypt_aliases", "paycrypt_import_tokens", "paycrypt_audit", "paycrypt_metadata",
                      "paycrypt_resource_policies", "paycrypt_default_replication_regions", "paycrypt_mpa_associations"]
        try await transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: self.logger)
            for table in tables {
                let rows = try await conn.query(PostgresQuery(unsafeSQL: "SELECT 1 AS one FROM \(table) LIMIT 1"), logger: self.logger).collect()
                if !rows.isEmpty { throw Refusal(error: NotEmpty(table: table)) }
            }
            for key in contents.keys {
                try await conn.query(PostgresQuery(unsafeSQL: Self.insertKeySQL, binds: try Self.keyBinds(key)), logger: self.logger)
            }
            for alias in contents.aliases {
                try await conn.query("""
                    INSERT INTO paycrypt_aliases (account, region, alias_name, key_id)
                    VALUES (\(alias.account), \(alias.region), \(alias.aliasName), \(alias.keyId))
                    """, logger: self.logger)
            }
            for token in contents.importTokens {
                try await conn.query("""
                    INSERT INTO paycrypt_import_tokens (account, region, token, key_material_type, wrapping_key_algorithm,
                        sealed_private_key, certificate_pem, certificate_chain_pem, valid_until)
                    VALUES (\(token.account), \(token.region), \(token.token), \(token.keyMaterialType), \(token.wrappingKeyAlgorithm),
                        \(ByteBuffer(bytes: token.sealedPrivateKey)), \(token.certificatePEM), \(token.certificateChainPEM), \(token.validUntil))
                    """, logger: self.logger)
            }
            for policy in contents.resourcePolicies {
                try await conn.query("""
                    INSERT INTO paycrypt_resource_policies (account, region, key_id, policy)
                    VALUES (\(policy.account), \(policy.region), \(policy.keyId), \(policy.policy))
                    """, logger: self.logger)
            }
            for record in contents.audit {
                try await conn.query("""
                    INSERT INTO paycrypt_audit (sequence, time, account, region, principal, operation, resource, result, request_id)
                    OVERRIDING SYSTEM VALUE
                    VALUES (\(record.sequence), \(record.time), \(record.account), \(record.region), \(record.principal),
                        \(record.operation), \(record.resource), \(record.result), \(record.requestId))
                    """, logger: self.logger)
            }
            if let last = contents.audit.map(\.sequence).max() {
                // New entries number on after the copied ones.
                try await conn.query("SELECT setval(pg_get_serial_sequence('paycrypt_audit', 'sequence'), \(last))", logger: self.logger)
            }
            for defaults in contents.defaultReplicationRegions {
                let stored = try KeyRecordColumns.regionsText(defaults.regions, keyId: "defaults")
                try await conn.query("""
                    INSERT INTO paycrypt_default_replication_regions (account, region, regions)
                    VALUES (\(defaults.account), \(defaults.region), \(stored))
                    """, logger: self.logger)
            }
            for a in contents.mpaAssociations {
                try await conn.query("""
                    INSERT INTO paycrypt_mpa_associations (account, region, action, team_arn)
                    VALUES (\(a.account), \(a.region), \(a.action), \(a.teamArn))
                    """, logger: self.logger)
            }
            for (name, value) in contents.metadata {
                try await conn.query("INSERT INTO paycrypt_metadata (name, value) VALUES (\(name), \(value))", logger: self.logger)
            }
            try await self.announce(conn, .everything)
        }
    }

    // MARK: Change feed

    /// Listens on the change channel and checks the commit counter every `interval`, calling
    /// `handler` as ``SharedKeyStore/watchChanges(_:)`` describes, until the task is cancelled.
    public func watchChanges(_ handler: @escaping @Sendable (StoreChange) -> Void) async {
        await watchChanges(interval: .milliseconds(500), handler)
    }

    /// ``watchChanges(_:)`` with the period of the counter check; without `listening`, only the
    /// counter check runs (tests of the safety net).
    public func watchChanges(interval: Duration, listening: Bool = true, _ handler: @escaping @Sendable (StoreChange) -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            if listening { group.addTask { await self.listen(handler) } }
            group.addTask { await self.checkCounter(every: interval, handler) }
        }
    }

    /// One pooled connection kept in `LISTEN paycrypt_changes`; on any failure, waits a moment
    /// and listens again, reporting ``StoreChange/everything`` first (notifications sent while
    /// nobody listened are lost).
    private func listen(_ handler: @escaping @Sendable (StoreChange) -> Void) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { conn in
                    try await conn.listen(on: self.channel) { notifications in
                        handler(.everything)
                        for try await notification in notifications {
                            handler(StoreChange(payload: notification.payload))
                        }
                    }
                }
            } catch {
                if !Task.isCancelled {
                    logger.warning("lost the change feed of the PostgreSQL store; listening again",
                                   metadata: ["store": "\(location.redacted)"])
                }
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// The safety net under LISTEN: reads the commit counter every `interval`; when it differs
    /// from the value read two checks before (a commit may land just after a check), or when
    /// the database comes back after being unreachable, reports ``StoreChange/everything``.
    private func checkCounter(every interval: Duration, _ handler: @escaping @Sendable (StoreChange) -> Void) async {
        var history: [Int64] = []
        var wasDown = false
        while !Task.isCancelled {
            do {
                let value = try await read { conn in
                    let rows = try await conn.query(
                        "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS value FROM paycrypt_change_counter",
                        logger: self.logger).collect()
                    return try rows.first.map { try Self.decode($0.makeRandomAccess(), "value", table: "paycrypt_change_counter") as Int64 } ?? 0
                }
                if wasDown || (history.first.map { $0 != value } ?? false) { handler(.everything) }
                wasDown = false
                history.append(value)
                if history.count > 2 { history.removeFirst() }
            } catch {
                wasDown = true
                history.removeAll()
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Announces a change: delivered to every listener when the transaction commits, and counted.
    private func announce(_ conn: PostgresConnection, _ change: StoreChange) async throws {
        try await conn.query("SELECT pg_notify(\(channel), \(change.payload)), nextval('paycrypt_change_counter')",
                             logger: logger)
    }

    // MARK: Access

    /// Serializes the limit checks of one account, region and kind across instances until the
    /// transaction ends.
    private func lockScope(_ conn: PostgresConnection, _ kind: String, account: String, region: String) async throws {
        let scope = "\(kind) \(account) \(region)"
        try await conn.query("SELECT pg_advisory_xact_lock(hashtextextended(\(scope), 0))", logger: logger)
    }

    private func count(_ conn: PostgresConnection, _ query: PostgresQuery) async throws -> Int {
        let rows = try await conn.query(query, logger: logger).collect()
        guard let row = rows.first else { return 0 }
        let value: Int64 = try Self.decode(row.makeRandomAccess(), "count", table: "count")
        return Int(value)
    }

    private static func binds(_ values: any PostgresDynamicTypeEncodable...) -> PostgresBindings {
        var b = PostgresBindings(capacity: values.count)
        for value in values { b.append(value) }
        return b
    }

    /// How long a call may wait for a pooled connection before the store is reported unavailable:
    /// PostgresNIO's pool queues requests while it cannot connect (for up to a minute), and a
    /// request must never hang. Shorter while the store is already known to be unreachable.
    static let leaseDeadline: Duration = .seconds(5)
    /// ``leaseDeadline`` while the last call found the database unreachable.
    static let unreachableLeaseDeadline: Duration = .seconds(1)

    /// Set once a call holds a connection: from then on its work runs to its end (a query on a
    /// connection that died fails by itself), so a commit is never abandoned half-way by a timer.
    private final class Lease: Sendable {
        let held = Atomic<Bool>(false)
    }

    /// Runs `operation` with a connection, or throws ``KeyStoreError/unavailable(_:)`` when no
    /// connection could be had within the lease deadline (the waiting request leaves the pool's
    /// queue).
    private func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = client, location = location, lease = Lease()
        let deadline = isReachable ? Self.leaseDeadline : Self.unreachableLeaseDeadline
        return try await withThrowingTaskGroup(of: LeaseOutcome<T>.self) { group in
            group.addTask {
                .value(try await client.withConnection { conn in
                    lease.held.store(true, ordering: .sequentiallyConsistent)
                    return try await body(conn)
                })
            }
            group.addTask {
                try await Task.sleep(for: deadline)
                return .timer
            }
            defer { group.cancelAll() }
            while let outcome = try await group.next() {
                switch outcome {
                case .value(let value):
                    return value
                case .timer:
                    if !lease.held.load(ordering: .sequentiallyConsistent) {
                        throw KeyStoreError.unavailable(
                            "no connection to \(location.redacted) within \(deadline) (is the server up, and are the host, port, user, password, database and sslmode right?)")
                    }
                }
            }
            throw KeyStoreError.unavailable("the PostgreSQL store \(location.redacted) gave no answer")
        }
    }

    /// One statement or a few reads on one pooled connection, without an explicit transaction.
    @discardableResult
    private func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            let value = try await withConnection { conn in try await body(conn) }
            reachable.store(true, ordering: .relaxed)
            return value
        } catch {
            throw mapped(error)
        }
    }

    /// `BEGIN`, `body`, `COMMIT` on one pooled connection; `ROLLBACK` when `body` throws.
    @discardableResult
    private func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = logger
        do {
            let value = try await withConnection { conn in
                try await conn.query("BEGIN", logger: logger)
                do {
                    let value = try await body(conn)
                    try await conn.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await conn.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
            reachable.store(true, ordering: .relaxed)
            return value
        } catch {
            throw mapped(error)
        }
    }

    /// An error thrown by a caller's `change` or `check` closure, rethrown unchanged after rollback.
    struct Refusal: Error {
        let error: any Error
    }

    /// Maps an error to the ``KeyStore`` vocabulary, keeping values and the password out.
    private func mapped(_ error: any Error) -> any Error {
        switch error {
        case let refusal as Refusal:
            return refusal.error
        case let error as KeyStoreError:
            if case .unavailable = error { reachable.store(false, ordering: .relaxed) }
            return error
        case let error as CancellationError:
            return error
        case let error as PSQLError:
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? "?????"
                if state == "23505" { return KeyStoreError.alreadyExists }
                // Class 08 (connection exception) and 57P (operator intervention: shutdown).
                if state.hasPrefix("08") || state.hasPrefix("57P") {
                    reachable.store(false, ordering: .relaxed)
                    return KeyStoreError.unavailable("the PostgreSQL store \(location.redacted) is unavailable (SQLSTATE \(state))")
                }
                return KeyStoreError.backend("PostgreSQL error \(state): \(error.serverInfo?[.message] ?? "no message")")
            }
            reachable.store(false, ordering: .relaxed)
            return KeyStoreError.unavailable("the PostgreSQL store \(location.redacted) cannot be reached (\(error.code))")
        default:
            reachable.store(false, ordering: .relaxed)
            return KeyStoreError.unavailable("the PostgreSQL store \(location.redacted) cannot be reached (\(type(of: error)))")
        }
    }
}

/// What finished first in a call with a lease deadline: the call, or the timer.
private enum LeaseOutcome<T: Sendable>: Sendable {
    case value(T)
    case timer
}
