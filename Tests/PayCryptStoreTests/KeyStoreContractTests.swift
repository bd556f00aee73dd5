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
            key.version = 2  // the store counts the commit
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

    @Test("newestImportToken: the latest expiry of the type and algorithm with enough validity left", arguments: StoreKind.allCases)
    func newestImportToken(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            func token(_ name: String, _ validUntil: Double, type: String = "TR34_KEY_BLOCK", algorithm: String = "RSA_2048",
                       account: String = Sample.account) -> ImportTokenRecord {
                var t = Sample.importToken(name, account: account)
                t.keyMaterialType = type
                t.wrappingKeyAlgorithm = algorithm
                t.validUntil = validUntil
                return t
            }
            for t in [token("import-token-old", 1_000), token("import-token-new", 2_000), token("import-token-3072", 3_000, algorithm: "RSA_3072"),
                      token("import-token-crypto", 4_000, type: "KEY_CRYPTOGRAM"), token("import-token-other", 5_000, account: Sample.otherAccount)] {
                try await store.insertImportToken(t)
            }
            func newest(_ validUntil: Double, type: String = "TR34_KEY_BLOCK", algorithm: String = "RSA_2048") async throws -> String? {
                try await store.newestImportToken(account: Sample.account, region: Sample.region, keyMaterialType: type,
                                                  algorithm: algorithm, validUntil: validUntil)?.token
            }
            #expect(try await newest(500) == "import-token-new")
            #expect(try await newest(2_000) == "import-token-new")
            #expect(try await newest(2_001) == nil)
            #expect(try await newest(0, algorithm: "RSA_3072") == "import-token-3072")
            #expect(try await newest(0, type: "KEY_CRYPTOGRAM") == "import-token-crypto")
            #expect(try await newest(0, algorithm: "RSA_4096") == nil)
            #expect(try await store.newestImportToken(account: Sample.account, region: Sample.otherRegion, keyMaterialType: "TR34_KEY_BLOCK",
                                                      algorithm: "RSA_2048", validUntil: 0) == nil)
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

    @Test("updateKey changes in one transaction, counts the version and rethrows a refusal unchanged", arguments: StoreKind.allCases)
    func atomicUpdate(_ kind: StoreKind) async throws {
        struct Refused: Error, Equatable {}
        try await kind.withStore { store in
            let key = Sample.key("abcdefghijklmnop")
            try await store.insertKey(key)
            let changed = try await store.updateKey(account: Sample.account, region: Sample.region, keyId: key.keyId) {
                $0.enabled = false
                $0.keyId = "cannot-change-id"
            }
            #expect(changed.version == 2 && changed.keyId == key.keyId && !changed.enabled)
            await #expect(throws: Refused()) {
                _ = try await store.updateKey(account: Sample.account, region: Sample.region, keyId: key.keyId) { r in
                    r.enabled = true
                    throw Refused()
                }
            }
            #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: key.keyId) == changed)
            await #expect(throws: KeyStoreError.notFound) {
                _ = try await store.updateKey(account: Sample.account, region: Sample.region, keyId: "zzzzzzzzzzzzzzzz") { _ in }
            }
        }
    }

    @Test("Concurrent changes to one key compose: none undoes another", arguments: StoreKind.allCases)
    func concurrentChangesCompose(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var key = Sample.key("abcdefghijklmnop")
            key.tags = []
            try await store.insertKey(key)
            let keyId = key.keyId
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<50 {
                    group.addTask {
                        _ = try await store.updateKey(account: Sample.account, region: Sample.region, keyId: keyId) {
                            $0.tags.append(TagRecord(key: "t\(n)", value: ""))
                        }
                    }
                }
                group.addTask {
                    _ = try await store.updateKey(account: Sample.account, region: Sample.region, keyId: keyId) { $0.enabled = false }
                }
                try await group.waitForAll()
            }
            let stored = try #require(try await store.key(account: Sample.account, region: Sample.region, keyId: keyId))
            #expect(Set(stored.tags.map(\.key)) == Set((0..<50).map { "t\($0)" }))
            #expect(!stored.enabled)
            #expect(stored.version == 52)
        }
    }

    @Test("Limits are counted with the insert, also under concurrency", arguments: StoreKind.allCases)
    func limits(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in 0..<20 {
                    group.addTask {
                        do {
                            try await store.insertKey(Sample.key(String(format: "key%013d", n)), limit: 5)
                            try await store.insertAlias(Sample.alias("alias/a\(n)", keyId: nil), limit: 3)
                            return true
                        } catch KeyStoreError.limitExceeded {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 3)
            #expect(try await store.listKeys(account: Sample.account, region: Sample.region).count == 5)
            #expect(try await store.listAliases(account: Sample.account, region: Sample.region).count == 3)
            // A DELETE_COMPLETE key does not count. (Which five inserts won is up to the store's
            // scheduling: take one that did.)
            let first = try #require(try await store.listKeys(account: Sample.account, region: Sample.region).first?.keyId)
            _ = try await store.updateKey(account: Sample.account, region: Sample.region, keyId: first) { $0.state = .DELETE_COMPLETE }
            try await store.insertKey(Sample.key("another-key-here"), limit: 5)
        }
    }

    @Test("Lists page from an id: every key once, in order; state filter at a time; aliases by key", arguments: StoreKind.allCases)
    func paging(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let ids = (0..<23).map { String(format: "k%015d", ($0 * 7919) % 1000) }
            for (n, id) in ids.enumerated() {
                var key = Sample.key(id)
                if n % 5 == 0 {
                    key.state = .DELETE_PENDING
                    key.deletePendingTimestamp = n % 10 == 0 ? 100 : 10_000
                }
                try await store.insertKey(key)
                try await store.insertAlias(Sample.alias("alias/\(id)", keyId: n % 2 == 0 ? ids[0] : nil))
            }
            var seen: [String] = []
            var from: String?
            repeat {
                let page = try await store.listKeys(account: Sample.account, region: Sample.region, from: from, limit: 4, state: nil, now: 0)
                #expect(page.items.count <= 4)
                seen += page.items.map(\.keyId)
                from = page.next
            } while from != nil
            #expect(seen == ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            let complete = try await store.listKeys(account: Sample.account, region: Sample.region, from: nil, limit: 100,
                                                    state: .DELETE_COMPLETE, now: 1_000)
            #expect(Set(complete.items.map(\.keyId)) == Set(ids.enumerated().filter { $0.offset % 10 == 0 }.map(\.element)))
            let pending = try await store.listKeys(account: Sample.account, region: Sample.region, from: nil, limit: 100,
                                                   state: .DELETE_PENDING, now: 1_000)
            #expect(Set(pending.items.map(\.keyId)) == Set(ids.enumerated().filter { $0.offset % 10 == 5 }.map(\.element)))
            let byKey = try await store.listAliases(account: Sample.account, region: Sample.region, keyId: ids[0], from: nil, limit: 5)
            #expect(byKey.items.count == 5 && byKey.items.allSatisfy { $0.keyId == ids[0] } && byKey.next != nil)
            let rest = try await store.listAliases(account: Sample.account, region: Sample.region, keyId: ids[0], from: byKey.next, limit: 100)
            #expect(byKey.items.count + rest.items.count == 12 && rest.next == nil)
        }
    }

    @Test("Metadata is set once: the first value stays", arguments: StoreKind.allCases)
    func metadata(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.metadata("m") == nil)
            #expect(try await store.setMetadataIfAbsent("m", value: "first") == "first")
            #expect(try await store.setMetadataIfAbsent("m", value: "second") == "first")
            #expect(try await store.metadata("m") == "first")
            #expect(try await store.anyKey() == nil)
            try await store.insertKey(Sample.key("abcdefghijklmnop"))
            #expect(try await store.anyKey()?.keyId == "abcdefghijklmnop")
        }
    }

    @Test("Resource policies: one per key, replaced by put, text byte for byte, scoped by account and region, deleted once",
          arguments: StoreKind.allCases)
    func resourcePolicies(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let keyId = "abcdefghijklmnop"
            #expect(try await store.resourcePolicy(account: Sample.account, region: Sample.region, keyId: keyId) == nil)
            // Spacing, key order, escapes and Latin-1 characters are kept as they are.
            let text = "{ \"Version\":\"2012-10-17\",\n\t\"Statement\" : [ ] , \"Id\": \"caf\u{E9} \\u00e9\" }\r\n"
            let policy = ResourcePolicyRecord(account: Sample.account, region: Sample.region, keyId: keyId, policy: text)
            try await store.putResourcePolicy(policy)
            #expect(try await store.resourcePolicy(account: Sample.account, region: Sample.region, keyId: keyId) == policy)
            #expect(try await store.resourcePolicy(account: Sample.account, region: Sample.region, keyId: keyId)?.policy.utf8.elementsEqual(text.utf8) == true)
            var replaced = policy
            replaced.policy = "{}"
            try await store.putResourcePolicy(replaced)
            #expect(try await store.resourcePolicy(account: Sample.account, region: Sample.region, keyId: keyId)?.policy == "{}")
            // Other accounts and regions see nothing of it.
            #expect(try await store.resourcePolicy(account: "999999999999", region: Sample.region, keyId: keyId) == nil)
            #expect(try await store.resourcePolicy(account: Sample.account, region: "eu-west-1", keyId: keyId) == nil)
            #expect(try await store.deleteResourcePolicy(account: "999999999999", region: Sample.region, keyId: keyId) == false)
            #expect(try await store.deleteResourcePolicy(account: Sample.account, region: Sample.region, keyId: keyId) == true)
            #expect(try await store.deleteResourcePolicy(account: Sample.account, region: Sample.region, keyId: keyId) == false)
            #expect(try await store.resourcePolicy(account: Sample.account, region: Sample.region, keyId: keyId) == nil)
        }
    }

    @Test("Multi-Region fields and the approval read back as written; deleteKey removes a key for good",
          arguments: StoreKind.allCases)
    func multiRegionFields(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var primary = Sample.key("abcdefghijklmnop")
            primary.multiRegionKeyType = "PRIMARY"
            primary.replicationRegions = ["eu-west-1", "ap-southeast-2"]
            primary.usingDefaultReplicationRegions = true
            try await store.insertKey(primary)
            #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: primary.keyId) == primary)

            var replica = Sample.key("abcdefghijklmnop", region: Sample.otherRegion)
            replica.multiRegionKeyType = "REPLICA"
            replica.primaryRegion = Sample.region
            replica.mpaApproval = MpaApprovalRecord(sessionArn: "arn:aws:mpa:us-east-1:111122223333:session/team/44c76e07-8937-4d7d-bb9a-a646322e2a1e",
                                                    status: "APPROVED", initiationDate: 1_700_000_000.25)
            try await store.insertKey(replica)
            #expect(try await store.key(account: Sample.account, region: Sample.otherRegion, keyId: replica.keyId) == replica)

            let single = try await store.updateKey(account: Sample.account, region: Sample.region, keyId: primary.keyId) {
                $0.multiRegionKeyType = nil
                $0.replicationRegions = []
                $0.usingDefaultReplicationRegions = nil
            }
            #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: primary.keyId) == single)
            #expect(single.replicationRegions.isEmpty && single.multiRegionKeyType == nil)

            try await store.deleteKey(account: Sample.account, region: Sample.otherRegion, keyId: replica.keyId)
            #expect(try await store.key(account: Sample.account, region: Sample.otherRegion, keyId: replica.keyId) == nil)
            #expect(try await store.key(account: Sample.account, region: Sample.region, keyId: primary.keyId) != nil)
            await #expect(throws: KeyStoreError.notFound) {
                try await store.deleteKey(account: Sample.account, region: Sample.otherRegion, keyId: replica.keyId)
            }
        }
    }

    @Test("Default replication regions: kept per account and region, in order, changed in one transaction",
          arguments: StoreKind.allCases)
    func defaultReplicationRegions(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.defaultReplicationRegions(account: Sample.account, region: Sample.region) == [])
            let set = try await store.updateDefaultReplicationRegions(account: Sample.account, region: Sample.region) {
                $0 += ["eu-west-1", "ap-southeast-2"]
            }
            #expect(set == ["eu-west-1", "ap-southeast-2"])
            #expect(try await store.defaultReplicationRegions(account: Sample.account, region: Sample.region) == set)
            #expect(try await store.defaultReplicationRegions(account: Sample.otherAccount, region: Sample.region) == [])
            #expect(try await store.defaultReplicationRegions(account: Sample.account, region: Sample.otherRegion) == [])

            struct Refused: Error, Equatable {}
            await #expect(throws: Refused()) {
                _ = try await store.updateDefaultReplicationRegions(account: Sample.account, region: Sample.region) {
                    $0 = []
                    throw Refused()
                }
            }
            #expect(try await store.defaultReplicationRegions(account: Sample.account, region: Sample.region) == set)

            #expect(try await store.updateDefaultReplicationRegions(account: Sample.account, region: Sample.region) { $0.removeFirst() }
                    == ["ap-southeast-2"])
            #expect(try await store.updateDefaultReplicationRegions(account: Sample.account, region: Sample.region) { $0 = [] } == [])
            #expect(try await store.defaultReplicationRegions(account: Sample.account, region: Sample.region) == [])
        }
    }

    @Test("MPA associations: one per account, region and action; put returns the replaced one, delete the removed one",
          arguments: StoreKind.allCases)
    func mpaAssociations(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let protected = "IMPORT_ROOT_PUBLIC_KEY_CERTIFICATE"
            let first = MpaAssociationRecord(account: Sample.account, region: Sample.region, action: protected,
                                             teamArn: "arn:aws:mpa:us-east-1:111122223333:approval-team/first")
            var second = first
            second.teamArn = "arn:aws:mpa:us-east-1:444455556666:approval-team/second"
            func held(_ account: String = Sample.account, _ region: String = Sample.region) async throws -> MpaAssociationRecord? {
                try await store.mpaAssociation(account: account, region: region, action: protected)
            }
            let none = try await held()
            #expect(none == nil)
            let putFirst = try await store.putMpaAssociation(first)
            #expect(putFirst == nil)
            let putSame = try await store.putMpaAssociation(first)
            #expect(putSame == first)
            let putSecond = try await store.putMpaAssociation(second)
            #expect(putSecond == first)
            let current = try await held()
            #expect(current == second)
            let otherRegion = try await held(Sample.account, Sample.otherRegion)
            let otherAccount = try await held(Sample.otherAccount, Sample.region)
            #expect(otherRegion == nil && otherAccount == nil)
            let deleted = try await store.deleteMpaAssociation(account: Sample.account, region: Sample.region, action: protected)
            #expect(deleted == second)
            let deletedAgain = try await store.deleteMpaAssociation(account: Sample.account, region: Sample.region, action: protected)
            #expect(deletedAgain == nil)
            let after = try await held()
            #expect(after == nil)
        }
    }
}
