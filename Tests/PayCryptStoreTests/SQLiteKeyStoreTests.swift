import Foundation
import GRDB
import Testing
@testable import PayCryptStore

/// What only the SQLite store promises: persistence across restarts, no clear material on disk,
/// durability settings, file permissions and error mapping.
@Suite("SQLiteKeyStore")
struct SQLiteKeyStoreTests {
    @Test("A store reopened from the same directory finds every key, alias and import token")
    func restartPersistence() async throws {
        let directory = temporaryPath()
        defer { removeTree(directory) }
        let keys = [Sample.key("bbbbbbbbbbbbbbbb"), Sample.key("aaaaaaaaaaaaaaaa"),
                    Sample.key("cccccccccccccccc", region: Sample.otherRegion)]
        let aliases = [Sample.alias("alias/one", keyId: "aaaaaaaaaaaaaaaa"), Sample.alias("alias/two", keyId: nil)]
        let token = Sample.importToken("import-token-persisted")
        var updated = keys[0]
        updated.enabled = false
        updated.version = 2

        do {
            let store = try SQLiteKeyStore(directory: directory)
            for key in keys { try await store.insertKey(key) }
            try await store.updateKey(updated)
            for alias in aliases { try await store.insertAlias(alias) }
            try await store.insertImportToken(token)
            try store.close()
        }
        do {
            // Second run: not closed explicitly, dropped at the end of the scope.
            let store = try SQLiteKeyStore(directory: directory)
            #expect(try await store.listKeys(account: Sample.account, region: Sample.region) == [keys[1], updated])
            #expect(try await store.listKeys(account: Sample.account, region: Sample.otherRegion) == [keys[2]])
            #expect(try await store.listAliases(account: Sample.account, region: Sample.region) == aliases)
            #expect(try await store.importToken(account: Sample.account, region: Sample.region, token: token.token) == token)
            try await store.deleteAlias(account: Sample.account, region: Sample.region, aliasName: "alias/two")
        }
        let store = try SQLiteKeyStore(directory: directory)
        #expect(try await store.listAliases(account: Sample.account, region: Sample.region) == [aliases[0]])
        #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: "bbbbbbbbbbbbbbbb") == updated)
        try store.close()
    }

    @Test("The database files hold the sealed material, never the clear key bytes")
    func noClearMaterialOnDisk() async throws {
        let directory = temporaryPath()
        defer { removeTree(directory) }
        let (master, _) = try MasterKey.load(environment: [:], dataDirectory: nil)
        let clear: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let keyId = "secretsecretsecr"
        let arn = KeyRecord.arn(region: Sample.region, account: Sample.account, keyId: keyId)
        let sealed = try master.seal(clear, context: arn)
        #expect(!contains(sealed, clear))

        let store = try SQLiteKeyStore(directory: directory)
        try await store.insertKey(Sample.key(keyId, sealed: sealed))
        let onDisk = try bytesOfFiles(in: directory, prefix: SQLiteKeyStore.fileName)
        #expect(contains(onDisk, sealed), "positive control: the sealed blob is in the files scanned")
        #expect(!contains(onDisk, clear))
        #expect(!contains(onDisk, Array(clear.prefix(16))))

        let read = try #require(try await store.key(account: Sample.account, region: Sample.region, keyId: keyId))
        #expect(try master.open(read.sealedMaterial, context: read.arn) == clear)
        try store.close()
        #expect(!contains(try bytesOfFiles(in: directory, prefix: SQLiteKeyStore.fileName), clear))
    }

    @Test("Reopening applies no migration twice and keeps the data")
    func migrationsIdempotent() async throws {
        let directory = temporaryPath()
        defer { removeTree(directory) }
        let first = try SQLiteKeyStore(directory: directory)
        #expect(try await first.appliedMigrations() == ["v1", "v2", "v3-key-exportability", "v4-consistency", "v5-resource-policies", "v6-replication", "v7-mpa"])
        try await first.insertKey(Sample.key("abcdefghijklmnop"))
        try first.close()
        for _ in 0..<3 {
            let again = try SQLiteKeyStore(directory: directory)
            #expect(try await again.appliedMigrations() == ["v1", "v2", "v3-key-exportability", "v4-consistency", "v5-resource-policies", "v6-replication", "v7-mpa"])
            #expect(try await again.listKeys(account: Sample.account, region: Sample.region).count == 1)
            try again.close()
        }
    }

    @Test("WAL journal with synchronous = FULL on the writer, so acknowledged writes are on disk")
    func durabilitySettings() async throws {
        let directory = temporaryPath()
        defer { removeTree(directory) }
        let store = try SQLiteKeyStore(directory: directory)
        #expect(try await store.journalMode() == "wal")
        #expect(try await store.writerSynchronousSetting() == 2)
        try store.close()
    }

    @Test("A missing data directory is created 0700 and the database file 0600")
    func filePermissions() async throws {
        let root = temporaryPath()
        defer { removeTree(root) }
        let directory = root + "/nested/data"
        let store = try SQLiteKeyStore(directory: directory)
        try await store.insertKey(Sample.key("abcdefghijklmnop"))
        #expect(permissions(of: directory) == 0o700)
        #expect(store.path == directory + "/paycrypt.sqlite")
        #expect(permissions(of: store.path) == 0o600)
        if let walMode = permissions(of: store.path + "-wal") { #expect(walMode == 0o600) }
        try store.close()
    }

    @Test("A data directory that cannot be created is a backend error")
    func unusableDirectory() throws {
        let root = temporaryPath()
        defer { removeTree(root) }
        try SecureFiles.makeDirectory(root)
        #expect(FileManager.default.createFile(atPath: root + "/file", contents: Data()))
        #expect {
            _ = try SQLiteKeyStore(directory: root + "/file/data")
        } throws: { error in
            guard case KeyStoreError.backend(let message) = error else { return false }
            return message.contains("file/data") || message.contains("/file")
        }
    }

    @Test("Constraint violations map to alreadyExists; other SQLite errors to backend without SQL or values")
    func errorMapping() {
        #expect(SQLiteKeyStore.storeError(DatabaseError(resultCode: .SQLITE_CONSTRAINT_PRIMARYKEY)) as? KeyStoreError
                == .alreadyExists)
        #expect(SQLiteKeyStore.storeError(DatabaseError(resultCode: .SQLITE_CONSTRAINT_UNIQUE)) as? KeyStoreError
                == .alreadyExists)
        let failure = DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error",
                                    sql: "INSERT INTO key VALUES ('0123456789ABCDEF')", arguments: ["0123456789ABCDEF"])
        guard case .backend(let message)? = SQLiteKeyStore.storeError(failure) as? KeyStoreError else {
            Issue.record("expected a backend error")
            return
        }
        #expect(message.contains("disk I/O error"))
        #expect(!message.contains("0123456789ABCDEF"))
        #expect(SQLiteKeyStore.storeError(DatabaseError(resultCode: .SQLITE_CONSTRAINT_NOTNULL)) as? KeyStoreError
                != .alreadyExists)
        #expect(SQLiteKeyStore.storeError(CancellationError()) is CancellationError)
        #expect(SQLiteKeyStore.storeError(KeyStoreError.notFound) as? KeyStoreError == .notFound)
    }
}
