import Foundation
import PayCryptModel
import PayCryptStore
import Testing
@testable import PayCryptService

/// Multi-Region key replication and the default replication regions (README, "Multi-Region keys and MPA teams").
@Suite("Service: multi-Region key replication")
struct ReplicationServiceTests {
    let euWest = RequestContext(account: "111122223333", region: "eu-west-1")

    func createMac(_ s: PaymentCryptographyService, regions: [String]?, exportable: Bool = true,
                   _ ctx: RequestContext = east) async throws -> ControlPlane.Key {
        try await s.createKey(.init(keyAttributes: attributes(.tr31M3Iso9797_3MacKey, .tdes2Key, macModes), exportable: exportable,
                                    replicationRegions: regions), context: ctx).key
    }

    func arn(_ key: ControlPlane.Key, in region: String) -> String {
        key.keyArn.replacingOccurrences(of: ":us-east-1:", with: ":\(region):")
    }

    func mac(_ s: PaymentCryptographyService, _ keyArn: String, _ ctx: RequestContext) async throws -> String {
        try await s.generateMac(.init(keyIdentifier: keyArn, messageData: "00112233445566778899",
                                      generationAttributes: .algorithm(.iso9797Algorithm3)), context: ctx).mac
    }

    @Test("CreateKey with ReplicationRegions: a PRIMARY, SYNCHRONIZED replicas with the same id, KCV and MACs")
    func createPrimary() async throws {
        let s = try makeService()
        let key = try await createMac(s, regions: ["us-west-2", "eu-west-1", "us-west-2"])
        #expect(key.multiRegionKeyType == .primary && key.primaryRegion == nil && key.usingDefaultReplicationRegions == false)
        #expect(key.replicationStatus == ["us-west-2": .init(status: .synchronized), "eu-west-1": .init(status: .synchronized)])

        let replica = try await s.getKey(.init(keyIdentifier: arn(key, in: "us-west-2")), context: west).key
        #expect(replica.multiRegionKeyType == .replica && replica.primaryRegion == "us-east-1")
        #expect(replica.replicationStatus == nil && replica.usingDefaultReplicationRegions == nil)
        #expect(replica.keyCheckValue == key.keyCheckValue && replica.keyAttributes == key.keyAttributes)
        #expect(replica.exportable == key.exportable && replica.keyOrigin == key.keyOrigin)
        #expect(try await mac(s, key.keyArn, east) == mac(s, replica.keyArn, west))

        let listed = try await s.listKeys(.init(), context: euWest).keys
        #expect(listed.count == 1 && listed[0].multiRegionKeyType == .replica && listed[0].primaryRegion == "us-east-1")
        let primaries = try await s.listKeys(.init(), context: east).keys
        #expect(primaries.count == 1 && primaries[0].multiRegionKeyType == .primary && primaries[0].primaryRegion == nil)
    }

    @Test("A single-region key has none of the four fields; an empty ReplicationRegions skips the defaults")
    func singleRegion() async throws {
        let s = try makeService()
        _ = try await s.enableDefaultKeyReplicationRegions(.init(replicationRegions: ["us-west-2"]), context: east)
        let key = try await createMac(s, regions: [])
        #expect(key.multiRegionKeyType == nil && key.primaryRegion == nil && key.replicationStatus == nil
                && key.usingDefaultReplicationRegions == nil)
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: arn(key, in: "us-west-2")), context: west) }
    }

    @Test("Region defaults: enabled per account and region in order; new exportable symmetric keys use them, others stay single-region")
    func defaults() async throws {
        let s = try makeService()
        #expect(try await s.getDefaultKeyReplicationRegions(.init(), context: east).enabledReplicationRegions == [])
        #expect(try await s.enableDefaultKeyReplicationRegions(.init(replicationRegions: ["us-west-2", "eu-west-1"]), context: east)
                .enabledReplicationRegions == ["us-west-2", "eu-west-1"])
        #expect(try await s.enableDefaultKeyReplicationRegions(.init(replicationRegions: ["eu-west-1", "ap-south-1"]), context: east)
                .enabledReplicationRegions == ["us-west-2", "eu-west-1", "ap-south-1"])
        #expect(try await s.getDefaultKeyReplicationRegions(.init(), context: west).enabledReplicationRegions == [])
        #expect(try await s.getDefaultKeyReplicationRegions(.init(), context: otherAccount).enabledReplicationRegions == [])
        await expectError(.validation) {
            _ = try await s.enableDefaultKeyReplicationRegions(.init(replicationRegions: ["us-east-1"]), context: east)
        }
        #expect(try await s.disableDefaultKeyReplicationRegions(.init(replicationRegions: ["eu-west-1", "sa-east-1"]), context: east)
                .enabledReplicationRegions == ["us-west-2", "ap-south-1"])

        let key = try await createMac(s, regions: nil)
        #expect(key.multiRegionKeyType == .primary && key.usingDefaultReplicationRegions == true)
        #expect(Set(key.replicationStatus?.keys.map { $0 } ?? []) == ["us-west-2", "ap-south-1"])
        let explicit = try await createMac(s, regions: ["eu-west-1"])
        #expect(explicit.usingDefaultReplicationRegions == false && explicit.replicationStatus?.keys.map { $0 } == ["eu-west-1"])
        let fixed = try await createMac(s, regions: nil, exportable: false)
        #expect(fixed.multiRegionKeyType == nil && fixed.replicationStatus == nil)
    }

    @Test("What cannot be replicated: non-exportable, own region, a replica, a key pending deletion; Remove of a region not replicated")
    func refusals() async throws {
        let s = try makeService()
        await expectError(.validation) { _ = try await createMac(s, regions: ["us-west-2"], exportable: false) }
        await expectError(.validation) { _ = try await createMac(s, regions: ["us-east-1"]) }
        #expect(try await s.listKeys(.init(), context: east).keys.isEmpty)
        #expect(try await s.listKeys(.init(), context: west).keys.isEmpty)

        let single = try await createMac(s, regions: nil, exportable: false)
        await expectError(.validation) {
            _ = try await s.addKeyReplicationRegions(.init(keyIdentifier: single.keyArn, replicationRegions: ["us-west-2"]), context: east)
        }
        let key = try await createMac(s, regions: ["us-west-2"])
        await expectError(.validation) {
            _ = try await s.removeKeyReplicationRegions(.init(keyIdentifier: key.keyArn, replicationRegions: ["eu-west-1"]), context: east)
        }
        let replicaArn = arn(key, in: "us-west-2")
        await expectError(.validation) {
            _ = try await s.addKeyReplicationRegions(.init(keyIdentifier: replicaArn, replicationRegions: ["eu-west-1"]), context: west)
        }
        await expectError(.validation) { _ = try await s.deleteKey(.init(keyIdentifier: replicaArn), context: west) }
        await expectError(.validation) { _ = try await s.stopKeyUsage(.init(keyIdentifier: replicaArn), context: west) }
        await expectError(.validation) { _ = try await s.startKeyUsage(.init(keyIdentifier: replicaArn), context: west) }
        await expectError(.validation) { _ = try await s.restoreKey(.init(keyIdentifier: replicaArn), context: west) }
        await expectError(.validation) {
            _ = try await s.removeKeyReplicationRegions(.init(keyIdentifier: replicaArn, replicationRegions: ["us-east-1"]), context: west)
        }
        #expect(try await s.getKey(.init(keyIdentifier: replicaArn), context: west).key.enabled)
    }

    @Test("Add and Remove: regions added once; removed replicas are gone; the last removal makes the key single-region")
    func addAndRemove() async throws {
        let s = try makeService()
        let key = try await createMac(s, regions: nil)
        let added = try await s.addKeyReplicationRegions(.init(keyIdentifier: key.keyArn, replicationRegions: ["us-west-2", "eu-west-1"]),
                                                         context: east).key
        #expect(added.multiRegionKeyType == .primary && added.usingDefaultReplicationRegions == false)
        let again = try await s.addKeyReplicationRegions(.init(keyIdentifier: key.keyArn, replicationRegions: ["us-west-2"]), context: east).key
        #expect(again.replicationStatus?.count == 2)
        let removed = try await s.removeKeyReplicationRegions(.init(keyIdentifier: key.keyArn, replicationRegions: ["us-west-2"]),
                                                              context: east).key
        #expect(removed.replicationStatus?.keys.map { $0 } == ["eu-west-1"])
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: arn(key, in: "us-west-2")), context: west) }
        await expectError(.resourceNotFound) { _ = try await mac(s, arn(key, in: "us-west-2"), west) }
        let last = try await s.removeKeyReplicationRegions(.init(keyIdentifier: key.keyArn, replicationRegions: ["eu-west-1"]), context: east).key
        #expect(last.multiRegionKeyType == nil && last.replicationStatus == nil && last.usingDefaultReplicationRegions == nil)
    }

    @Test("The primary drives its replicas: Stop/Start set Enabled; DeleteKey deletes them; RestoreKey is single-region")
    func primaryDrivesReplicas() async throws {
        let s = try makeService()
        let key = try await createMac(s, regions: ["us-west-2"])
        let replicaArn = arn(key, in: "us-west-2")
        _ = try await s.stopKeyUsage(.init(keyIdentifier: key.keyArn), context: east)
        #expect(try await s.getKey(.init(keyIdentifier: replicaArn), context: west).key.enabled == false)
        await expectError(.validation) { _ = try await mac(s, replicaArn, west) }
        _ = try await s.startKeyUsage(.init(keyIdentifier: key.keyArn), context: east)
        #expect(try await s.getKey(.init(keyIdentifier: replicaArn), context: west).key.enabled == true)
        _ = try await mac(s, replicaArn, west)

        let deleted = try await s.deleteKey(.init(keyIdentifier: key.keyArn), context: east).key
        #expect(deleted.multiRegionKeyType == nil && deleted.replicationStatus == nil)
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: replicaArn), context: west) }
        let restored = try await s.restoreKey(.init(keyIdentifier: key.keyArn), context: east).key
        #expect(restored.multiRegionKeyType == nil && restored.enabled == false)
    }

    @Test("A replica counts toward its region's key quota: ServiceQuotaExceeded, and nothing is replicated")
    func quota() async throws {
        let s = PaymentCryptographyService(store: InMemoryKeyStore(), masterKey: try MasterKey(bytes: [UInt8](repeating: 7, count: 32)),
                                           limits: ServiceLimits(maxKeys: 1))
        _ = try await createMac(s, regions: nil, west)
        await expectError(.serviceQuotaExceeded) { _ = try await createMac(s, regions: ["eu-west-1", "us-west-2"]) }
        #expect(try await s.listKeys(.init(), context: east).keys.isEmpty)
        #expect(try await s.listKeys(.init(), context: euWest).keys.isEmpty)
    }

    @Test("The caller needs CreateKey in the replica region; without it AccessDenied and nothing replicated")
    func createKeyPermissionInReplicaRegion() async throws {
        let s = try makeService()
        let key = try await createMac(s, regions: nil)
        let policy = AccessPolicy(actions: ["payment-cryptography:AddKeyReplicationRegions", "payment-cryptography:CreateKey"],
                                  resources: ["arn:aws:payment-cryptography:us-east-1:111122223333:key/*"])
        let limited = RequestContext(account: east.account, region: east.region,
                                     principal: Principal(accessKeyId: "AKIDLIMITED", name: "limited", account: east.account, policy: policy))
        await expectError(.accessDenied) {
            _ = try await s.addKeyReplicationRegions(.init(keyIdentifier: key.keyArn, replicationRegions: ["us-west-2"]), context: limited)
        }
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: arn(key, in: "us-west-2")), context: west) }
        await expectError(.accessDenied) {
            _ = try await s.enableDefaultKeyReplicationRegions(.init(replicationRegions: ["us-west-2"]), context: limited)
        }
    }

    @Test("Default regions do not need CreateKey there for a key they skip; a replicable key under them does")
    func defaultsAndCreateKeyPermission() async throws {
        let s = try makeService()
        _ = try await s.enableDefaultKeyReplicationRegions(.init(replicationRegions: ["us-west-2"]), context: east)
        let policy = AccessPolicy(actions: ["payment-cryptography:CreateKey"],
                                  resources: ["arn:aws:payment-cryptography:us-east-1:111122223333:key/*"])
        let homeOnly = RequestContext(account: east.account, region: east.region,
                                      principal: Principal(accessKeyId: "AKIDHOME", name: "home", account: east.account, policy: policy))
        // Not exportable: the defaults skip it, so no right in us-west-2 is needed (README, Decisions: CreateKey permission in the replica region).
        let fixed = try await createMac(s, regions: nil, exportable: false, homeOnly)
        #expect(fixed.multiRegionKeyType == nil)
        // Exportable: it would be replicated, and the caller may not create keys in us-west-2.
        await expectError(.accessDenied) { _ = try await createMac(s, regions: nil, homeOnly) }
        await expectError(.accessDenied) { _ = try await createMac(s, regions: ["us-west-2"], homeOnly) }
    }

    @Test("DeleteKey deletes the replicas of the record it changes")
    func deleteKeyDeletesEveryReplica() async throws {
        let s = try makeService()
        let key = try await createMac(s, regions: ["us-west-2"])
        _ = try await s.addKeyReplicationRegions(.init(keyIdentifier: key.keyArn, replicationRegions: ["eu-west-1"]), context: east)
        _ = try await s.deleteKey(.init(keyIdentifier: key.keyArn), context: east)
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: arn(key, in: "us-west-2")), context: west) }
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: arn(key, in: "eu-west-1")), context: euWest) }
    }
}
