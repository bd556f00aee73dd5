import Foundation
import Testing
@testable import PayCryptStore

/// The `KeyStore` protocol's contract, run against every implementation.
@Suite("KeyStore contract")
struct KeyStoreContractTests {
    @Test("A key reads back exactly as inserted, every field included", arguments: StoreKind.allCases)
    func insertAndGet(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let key = Sample.key("abcdefghijklmnop")
            try await store.insertKey(key)
            let read = try await store.key(account: Sample.account, region: Sample.region, keyId: key.keyId)
            #expect(read == key)
            #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: "missingmissing22") == nil)
        }
    }

    @Test("Inserting a taken key id throws alreadyExists and keeps the first key", arguments: StoreKind.allCases)
    func duplicateKey(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let first = Sample.key("abcdefghijklmnop")
            try await store.insertKey(first)
            var second = first
            second.keyCheckValue = "FFFFFF"
            await #expect(throws: KeyStoreError.alreadyExists) { try await store.insertKey(second) }
            #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: first.keyId) == first)
        }
    }

    @Test("updateKey replaces every field; a missing key throws notFound", arguments: StoreKind.allCases)
    func updateKey(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var key = Sample.key("abcdefghijklmnop")
            try await store.insertKey(key)
            key.enabled = false
            key.state = .DELETE_PENDING
            key.deletePendingTimestamp = 1_700_000_100
            key.deleteTimestamp = 1_700_604_900.75
            key.usageStartTimestamp = nil
            key.deriveKeyUsage = nil
            key.modes = KeyModes(noRestrictions: true)
            key.tags = [TagRecord(key: "only", value: "")]
            key.sealedMaterial = [0x01, 0x02]
            try await store.updateKey(key)
            #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: key.keyId) == key)

            await #expect(throws: KeyStoreError.notFound) { try await store.updateKey(Sample.key("zzzzzzzzzzzzzzzz")) }
            #expect(try await store.listKeys(account: Sample.account, region: Sample.region).count == 1)
        }
    }

    @Test("listKeys orders by key id (UTF-8 byte order) and is empty for an unused scope", arguments: StoreKind.allCases)
    func listKeysOrder(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let ids = ["mmmmmmmmmmmmmmmm", "aaaaaaaaaaaaaaaa", "zzzzzzzzzzzzzzzz", "2222222222222222",
                       "Zupper", "éaccent", "aaaaaaaaaaaaaaab"]
            for id in ids { try await store.insertKey(Sample.key(id)) }
            let listed = try await store.listKeys(account: Sample.account, region: Sample.region).map(\.keyId)
            #expect(listed == ["2222222222222222", "Zupper", "aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaab",
                               "mmmmmmmmmmmmmmmm", "zzzzzzzzzzzzzzzz", "éaccent"])
            #expect(try await store.listKeys(account: Sample.otherAccount, region: Sample.region).isEmpty)
        }
    }

    @Test("Aliases with and without a key: insert, get, update, list by name, delete", arguments: StoreKind.allCases)
    func aliases(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let withKey = Sample.alias("alias/payments-mac", keyId: "abcdefghijklmnop")
            let withoutKey = Sample.alias("alias/Unassigned", keyId: nil)
            let third = Sample.alias("alias/a_b-c/d", keyId: "qqqqqqqqqqqqqqqq")
            try await store.insertAlias(withKey)
            try await store.insertAlias(withoutKey)
            try await store.insertAlias(third)

            #expect(try await store.alias(account: Sample.account, region: Sample.region, aliasName: withKey.aliasName) == withKey)
            #expect(try await store.alias(account: Sample.account, region: Sample.region, aliasName: withoutKey.aliasName) == withoutKey)
            #expect(try await store.alias(account: Sample.account, region: Sample.region, aliasName: "alias/none") == nil)
            #expect(try await store.listAliases(account: Sample.account, region: Sample.region).map(\.aliasName)
                    == ["alias/Unassigned", "alias/a_b-c/d", "alias/payments-mac"])

            await #expect(throws: KeyStoreError.alreadyExists) {
                try await store.insertAlias(Sample.alias("alias/payments-mac", keyId: nil))
            }

            var moved = withoutKey
            moved.keyId = "kkkkkkkkkkkkkkkk"
            try await store.updateAlias(moved)
            #expect(try await store.alias(account: Sample.account, region: Sample.region, aliasName: moved.aliasName) == moved)
            var detached = withKey
            detached.keyId = nil
            try await store.updateAlias(detached)
            #expect(try await store.alias(account: Sample.account, region: Sample.region, aliasName: detached.aliasName) == detached)
            await #expect(throws: KeyStoreError.notFound) {
                try await store.updateAlias(Sample.alias("alias/none", keyId: nil))
            }

            try await store.deleteAlias(account: Sample.account, region: Sample.region, aliasName: third.aliasName)
            #expect(try await store.alias(account: Sample.account, region: Sample.region, aliasName: third.aliasName) == nil)
            await #expect(throws: KeyStoreError.notFound) {
                try await store.deleteAlias(account: Sample.account, region: Sample.region, aliasName: third.aliasName)
            }
            #expect(try await store.listAliases(account: Sample.account, region: Sample.region) == [moved, detached])

            // A deleted name can be taken again.
            try await store.insertAlias(third)
            #expect(try await store.alias(account: Sample.account, region: Sample.region, aliasName: third.aliasName) == third)
        }
    }

    @Test("Import tokens: insert, get, duplicate, missing", arguments: StoreKind.allCases)
    func importTokens(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let token = Sample.importToken("import-token-abcdefghijklmnop")
            try await store.insertImportToken(token)
            #expect(try await store.importToken(account: Sample.account, region: Sample.region, token: token.token) == token)
            #expect(try await store.importToken(account: Sample.account, region: Sample.region, token: "import-token-missing") == nil)
            await #expect(throws: KeyStoreError.alreadyExists) { try await store.insertImportToken(token) }
        }
    }

    @Test("Accounts and regions are isolated: same ids coexist, nothing leaks or is touched across scopes",
          arguments: StoreKind.allCases)
    func isolation(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let id = "abcdefghijklmnop"
            let home = Sample.key(id)
            var otherAccount = Sample.key(id, account: Sample.otherAccount)
            otherAccount.keyCheckValue = "111111"
            var otherRegion = Sample.key(id, region: Sample.otherRegion)
            otherRegion.keyCheckValue = "222222"
            try await store.insertKey(home)
            try await store.insertKey(otherAccount)
            try await store.insertKey(otherRegion)
            #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: id) == home)
            #expect(try await store.key(account: Sample.otherAccount, region: Sample.region, keyId: id) == otherAccount)
            #expect(try await store.key(account: Sample.account, region: Sample.otherRegion, keyId: id) == otherRegion)
            #expect(try await store.key(account: Sample.otherAccount, region: Sample.otherRegion, keyId: id) == nil)
            #expect(try await store.listKeys(account: Sample.account, region: Sample.region) == [home])

            var changed = otherAccount
            changed.enabled = false
            try await store.updateKey(changed)
            #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: id) == home)
            await #expect(throws: KeyStoreError.notFound) {
                try await store.updateKey(Sample.key(id, account: Sample.otherAccount, region: Sample.otherRegion))
            }

            let name = "alias/shared-name"
            try await store.insertAlias(Sample.alias(name, keyId: id))
            try await store.insertAlias(Sample.alias(name, keyId: nil, account: Sample.otherAccount))
            try await store.insertAlias(Sample.alias(name, keyId: nil, region: Sample.otherRegion))
            #expect(try await store.alias(account: Sample.account, region: Sample.region, aliasName: name)?.keyId == id)
            #expect(try await store.listAliases(account: Sample.otherAccount, region: Sample.otherRegion).isEmpty)
            await #expect(throws: KeyStoreError.notFound) {
                try await store.deleteAlias(account: Sample.otherAccount, region: Sample.otherRegion, aliasName: name)
            }
            await #expect(throws: KeyStoreError.notFound) {
                try await store.updateAlias(Sample.alias(name, keyId: nil, account: Sample.otherAccount, region: Sample.otherRegion))
            }
            try await store.deleteAlias(account: Sample.otherAccount, region: Sample.region, aliasName: name)
            #expect(try await store.alias(account: Sample.account, region: Sample.region, aliasName: name) != nil)
            #expect(try await store.alias(account: Sample.account, region: Sample.otherRegion, aliasName: name) != nil)

            let token = Sample.importToken("import-token-shared")
            try await store.insertImportToken(token)
            try await store.insertImportToken(Sample.importToken("import-token-shared", account: Sample.otherAccount))
            #expect(try await store.importToken(account: Sample.account, region: Sample.region, token: token.token) == token)
            #expect(try await store.importToken(account: Sample.account, region: Sample.otherRegion, token: token.token) == nil)
        }
    }

    @Test("Concurrent inserts all land", arguments: StoreKind.allCases)
    func concurrentInserts(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let ids = (0..<40).map { String(format: "key%013d", $0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids {
                    group.addTask { try await store.insertKey(Sample.key(id)) }
                    group.addTask { try await store.insertAlias(Sample.alias("alias/\(id)", keyId: id)) }
                }
                try await group.waitForAll()
            }
            #expect(try await store.listKeys(account: Sample.account, region: Sample.region).map(\.keyId) == ids)
            #expect(try await store.listAliases(account: Sample.account, region: Sample.region).count == ids.count)
        }
    }
}
