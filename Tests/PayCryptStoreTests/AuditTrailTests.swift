import Foundation
import GRDB
import Testing
@testable import PayCryptStore

extension Sample {
    /// An audit entry with every field set; `resource` may be nil.
    static func audit(_ operation: String, account: String = account, resource: String? = "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop",
                      result: String = AuditRecord.success, time: Double = 1_700_000_000.25) -> AuditRecord {
        AuditRecord(sequence: 999, time: time, account: account, region: region, principal: "AKIAIOSFODNN7EXAMPLE",
                    operation: operation, resource: resource, result: result, requestId: UUID().uuidString.lowercased())
    }
}

/// The audit trail's contract (both stores) and what only the SQLite store promises: the trail
/// survives a restart, the `v2` migration upgrades a `v1` store, and the read-only view.
@Suite("Audit trail")
struct AuditTrailTests {
    @Test("Appends are numbered 1, 2, 3 by the store and read back in order, every field kept", arguments: StoreKind.allCases)
    func appendAndList(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let entries = [
                Sample.audit("CreateKey"),
                Sample.audit("ListKeys", resource: nil),
                Sample.audit("GetKey", result: "ResourceNotFoundException", time: 1_700_000_001.5),
            ]
            for entry in entries { try await store.appendAudit(entry) }
            let listed = try await store.listAudit(account: nil, after: nil, limit: 100)
            #expect(listed.map(\.sequence) == [1, 2, 3])
            var expected = entries
            for i in expected.indices { expected[i].sequence = Int64(i + 1) }
            #expect(listed == expected)
            #expect(listed[1].resource == nil)
        }
    }

    @Test("An empty trail lists nothing; a limit of 0 or less lists nothing", arguments: StoreKind.allCases)
    func emptyAndLimits(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.listAudit(account: nil, after: nil, limit: 10).isEmpty)
            try await store.appendAudit(Sample.audit("CreateKey"))
            #expect(try await store.listAudit(account: nil, after: nil, limit: 0).isEmpty)
            #expect(try await store.listAudit(account: nil, after: nil, limit: -1).isEmpty)
            #expect(try await store.listAudit(account: nil, after: nil, limit: 1).count == 1)
        }
    }

    @Test("The account filter keeps one account's entries, still in sequence order", arguments: StoreKind.allCases)
    func accountFilter(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.appendAudit(Sample.audit("CreateKey"))
            try await store.appendAudit(Sample.audit("CreateKey", account: Sample.otherAccount))
            try await store.appendAudit(Sample.audit("GetKey"))
            try await store.appendAudit(Sample.audit("DeleteKey", account: Sample.otherAccount))
            let mine = try await store.listAudit(account: Sample.account, after: nil, limit: 100)
            #expect(mine.map(\.sequence) == [1, 3])
            #expect(mine.map(\.operation) == ["CreateKey", "GetKey"])
            let theirs = try await store.listAudit(account: Sample.otherAccount, after: nil, limit: 100)
            #expect(theirs.map(\.sequence) == [2, 4])
            #expect(try await store.listAudit(account: "999999999999", after: nil, limit: 100).isEmpty)
            #expect(try await store.listAudit(account: nil, after: nil, limit: 100).count == 4)
        }
    }

    @Test("Paging with after: each page starts past the last sequence of the one before", arguments: StoreKind.allCases)
    func paging(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            for i in 0..<7 {
                try await store.appendAudit(Sample.audit("Op\(i)", account: i % 3 == 2 ? Sample.otherAccount : Sample.account))
            }
            // Every account: pages of 3.
            var seen: [Int64] = []
            var after: Int64?
            while true {
                let page = try await store.listAudit(account: nil, after: after, limit: 3)
                if page.isEmpty { break }
                #expect(page.count <= 3)
                seen += page.map(\.sequence)
                after = page.last?.sequence
            }
            #expect(seen == [1, 2, 3, 4, 5, 6, 7])
            // One account (sequences 1, 2, 4, 5, 7): pages of 2, with the filter applied before the limit.
            let first = try await store.listAudit(account: Sample.account, after: nil, limit: 2)
            #expect(first.map(\.sequence) == [1, 2])
            let second = try await store.listAudit(account: Sample.account, after: 2, limit: 2)
            #expect(second.map(\.sequence) == [4, 5])
            let third = try await store.listAudit(account: Sample.account, after: 5, limit: 2)
            #expect(third.map(\.sequence) == [7])
            #expect(try await store.listAudit(account: Sample.account, after: 7, limit: 2).isEmpty)
            #expect(try await store.listAudit(account: nil, after: 0, limit: 1).map(\.sequence) == [1])
            #expect(try await store.listAudit(account: nil, after: 100, limit: 10).isEmpty)
        }
    }

    @Test("SQLite: a reopened store keeps the trail and numbers on from where it was")
    func reopenKeepsTrail() async throws {
        let directory = temporaryPath()
        defer { removeTree(directory) }
        let entries = [Sample.audit("CreateKey"), Sample.audit("CreateAlias", resource: "alias/payments")]
        do {
            let store = try SQLiteKeyStore(directory: directory)
            for entry in entries { try await store.appendAudit(entry) }
            try store.close()
        }
        do {
            // Dropped without close, as a killed process would.
            let store = try SQLiteKeyStore(directory: directory)
            #expect(try await store.listAudit(account: nil, after: nil, limit: 10).map(\.operation) == ["CreateKey", "CreateAlias"])
            try await store.appendAudit(Sample.audit("DeleteAlias"))
        }
        let store = try SQLiteKeyStore(directory: directory)
        let trail = try await store.listAudit(account: nil, after: nil, limit: 10)
        #expect(trail.map(\.sequence) == [1, 2, 3])
        #expect(trail.map(\.operation) == ["CreateKey", "CreateAlias", "DeleteAlias"])
        #expect(trail[1].resource == "alias/payments")
        #expect(trail[0].requestId == entries[0].requestId)
        try store.close()
    }

    @Test("SQLite: a sequence number is never reused, even after the last entry was removed")
    func sequenceNeverReused() async throws {
        let directory = temporaryPath()
        defer { removeTree(directory) }
        let store = try SQLiteKeyStore(directory: directory)
        try await store.appendAudit(Sample.audit("CreateKey"))
        try await store.appendAudit(Sample.audit("GetKey"))
        try store.close()
        // Tampering outside paycrypt: remove the last row.
        let queue = try DatabaseQueue(path: directory + "/" + SQLiteKeyStore.fileName)
        try await queue.write { db in try db.execute(sql: "DELETE FROM audit WHERE sequence = 2") }
        try queue.close()
        let reopened = try SQLiteKeyStore(directory: directory)
        try await reopened.appendAudit(Sample.audit("ListKeys"))
        #expect(try await reopened.listAudit(account: nil, after: nil, limit: 10).map(\.sequence) == [1, 3])
        try reopened.close()
    }

    @Test("SQLite: a store made before v2 is upgraded on open: keys kept, audit table added")
    func upgradeFromV1() async throws {
        let directory = temporaryPath()
        defer { removeTree(directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + SQLiteKeyStore.fileName
        let key = Sample.key("abcdefghijklmnop")
        // A v1-only store, as a paycrypt from before the audit trail left it.
        do {
            let pool = try DatabasePool(path: path)
            try SQLiteKeyStore.migrator.migrate(pool, upTo: "v1")
            let applied = try await pool.read { db in try SQLiteKeyStore.migrator.appliedIdentifiers(db) }
            #expect(applied == ["v1"])
            try pool.close()
        }
        do {
            let store = try SQLiteKeyStore(directory: directory)
            #expect(try await store.appliedMigrations() == ["v1", "v2", "v3-key-exportability", "v4-consistency", "v5-resource-policies", "v6-replication", "v7-mpa"])
            try await store.insertKey(key)
            try await store.appendAudit(Sample.audit("CreateKey"))
            try store.close()
        }
        let store = try SQLiteKeyStore(directory: directory)
        #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: key.keyId) == key)
        #expect(try await store.listAudit(account: nil, after: nil, limit: 10).map(\.sequence) == [1])
        try store.close()
    }

    @Test("SQLite read-only view: reads the trail beside an open writer, refuses writes, creates nothing")
    func readOnlyView() async throws {
        let directory = temporaryPath()
        defer { removeTree(directory) }
        #expect(throws: KeyStoreError.self) { try SQLiteKeyStore(readOnlyDirectory: directory) }
        #expect(!FileManager.default.fileExists(atPath: directory))

        let writer = try SQLiteKeyStore(directory: directory)
        try await writer.appendAudit(Sample.audit("CreateKey"))
        let reader = try SQLiteKeyStore(readOnlyDirectory: directory)
        #expect(try await reader.listAudit(account: nil, after: nil, limit: 10).map(\.operation) == ["CreateKey"])
        // The writer goes on; the reader sees the new entry.
        try await writer.appendAudit(Sample.audit("GetKey"))
        #expect(try await reader.listAudit(account: nil, after: nil, limit: 10).map(\.operation) == ["CreateKey", "GetKey"])
        await #expect(throws: KeyStoreError.self) { try await reader.appendAudit(Sample.audit("DeleteKey")) }
        try reader.close()
        try writer.close()

        // With no server running (WAL files checkpointed away), the read-only view still opens.
        let idle = try SQLiteKeyStore(readOnlyDirectory: directory)
        #expect(try await idle.listAudit(account: nil, after: nil, limit: 10).count == 2)
        try idle.close()
    }
}
