import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography
import Synchronization
import Testing
@testable import PayCryptService

/// A clock the tests move by hand.
final class TestClock: Sendable {
    let now = Mutex<Double>(1_800_000_000)
    func advance(days: Double) { now.withLock { $0 += days * 86_400 } }
    var read: @Sendable () -> Double { { [self] in now.withLock { $0 } } }
}

func makeService(store: any KeyStore = InMemoryKeyStore(), clock: TestClock = TestClock()) throws -> PaymentCryptographyService {
    PaymentCryptographyService(store: store, masterKey: try MasterKey(bytes: [UInt8](repeating: 7, count: 32)), clock: clock.read)
}

let east = RequestContext(account: "111122223333", region: "us-east-1")
let west = RequestContext(account: "111122223333", region: "us-west-2")
let otherAccount = RequestContext(account: "444455556666", region: "us-east-1")

func attributes(_ usage: ControlPlane.KeyUsage, _ algorithm: ControlPlane.KeyAlgorithm, _ modes: ControlPlane.KeyModesOfUse) -> ControlPlane.KeyAttributes {
    ControlPlane.KeyAttributes(keyUsage: usage, keyClass: .symmetricKey, keyAlgorithm: algorithm, keyModesOfUse: modes)
}

let macModes = ControlPlane.KeyModesOfUse(generate: true, verify: true)

func createM3(_ s: PaymentCryptographyService, _ ctx: RequestContext = east, enabled: Bool? = nil) async throws -> ControlPlane.Key {
    try await s.createKey(.init(keyAttributes: attributes(.tr31M3Iso9797_3MacKey, .tdes2Key, macModes), exportable: true, enabled: enabled), context: ctx).key
}

func expectError(_ kind: ServiceError.Kind, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
    do {
        try await body()
        Issue.record("expected \(kind.rawValue)", sourceLocation: sourceLocation)
    } catch let e as ServiceError {
        #expect(e.kind == kind, "got \(e)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Service: keys, states, aliases, tags, MACs")
struct ServiceTests {
    @Test("CreateKey: id of 16 base32 characters, ARN with region and account, KCV by algorithm, valid-attributes table enforced")
    func createKey() async throws {
        let s = try makeService()
        let key = try await createM3(s)
        let id = String(key.keyArn.split(separator: "/").last ?? "")
        #expect(id.count == 16 && id.allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) })
        #expect(key.keyArn.hasPrefix("arn:aws:payment-cryptography:us-east-1:111122223333:key/"))
        #expect(key.keyState == .createComplete && key.enabled && key.exportable && key.keyOrigin == .awsPaymentCryptography)
        #expect(key.keyCheckValueAlgorithm == .ansiX9_24 && key.keyCheckValue.count == 6)
        let aes = try await s.createKey(.init(keyAttributes: attributes(.tr31M6Iso9797_5CmacKey, .aes256, macModes), exportable: false), context: east).key
        #expect(aes.keyCheckValueAlgorithm == .cmac)
        let hmac = try await s.createKey(.init(keyAttributes: attributes(.tr31M7HmacKey, .hmacSha384, macModes), exportable: false), context: east).key
        #expect(hmac.keyCheckValueAlgorithm == .hmac)
        await expectError(.validation) {
            _ = try await s.createKey(.init(keyAttributes: attributes(.tr31M3Iso9797_3MacKey, .aes128, macModes), exportable: true), context: east)
        }
        await expectError(.validation) {
            _ = try await s.createKey(.init(keyAttributes: attributes(.tr31M3Iso9797_3MacKey, .tdes2Key, .init(encrypt: true)), exportable: true), context: east)
        }
    }

    @Test("The KCV the service reports is the key's: a MAC from the service verifies with the calculator's KCV rule")
    func macRoundTrip() async throws {
        let s = try makeService()
        let key = try await createM3(s)
        let out = try await s.generateMac(.init(keyIdentifier: key.keyArn, messageData: "00112233", generationAttributes: .algorithm(.iso9797Algorithm3)), context: east)
        #expect(out.mac.count == 8 && out.keyCheckValue == key.keyCheckValue && out.keyArn == key.keyArn)
        _ = try await s.verifyMac(.init(keyIdentifier: key.keyArn, messageData: "00112233", mac: out.mac, verificationAttributes: .algorithm(.iso9797Algorithm3)), context: east)
        await expectError(.verificationFailed) {
            _ = try await s.verifyMac(.init(keyIdentifier: key.keyArn, messageData: "00112234", mac: out.mac, verificationAttributes: .algorithm(.iso9797Algorithm3)), context: east)
        }
    }

    @Test("Usage, algorithm, mode, disabled and deleted keys are refused in the data plane")
    func macKeyRules() async throws {
        let s = try makeService()
        let key = try await createM3(s)
        let gen = { (a: DataPlane.MacAttributes, id: String) in
            _ = try await s.generateMac(.init(keyIdentifier: id, messageData: "0011223344556677", generationAttributes: a), context: east)
        }
        await expectError(.validation) { try await gen(.algorithm(.cmac), key.keyArn) }       // usage M3 vs M6
        let verifyOnly = try await s.createKey(.init(keyAttributes: attributes(.tr31M3Iso9797_3MacKey, .tdes2Key, .init(verify: true)), exportable: true), context: east).key
        await expectError(.validation) { try await gen(.algorithm(.iso9797Algorithm3), verifyOnly.keyArn) }
        let noRestrictions = try await s.createKey(.init(keyAttributes: attributes(.tr31M3Iso9797_3MacKey, .tdes2Key, .init(noRestrictions: true)), exportable: true), context: east).key
        try await gen(.algorithm(.iso9797Algorithm3), noRestrictions.keyArn)
        _ = try await s.stopKeyUsage(.init(keyIdentifier: key.keyArn), context: east)
        await expectError(.validation) { try await gen(.algorithm(.iso9797Algorithm3), key.keyArn) }
        _ = try await s.startKeyUsage(.init(keyIdentifier: key.keyArn), context: east)
        try await gen(.algorithm(.iso9797Algorithm3), key.keyArn)
        _ = try await s.deleteKey(.init(keyIdentifier: key.keyArn), context: east)
        await expectError(.validation) { try await gen(.algorithm(.iso9797Algorithm3), key.keyArn) }
    }

    @Test("DeleteKey: DELETE_PENDING for the window, conflict when repeated; RestoreKey leaves it disabled; the window's end completes it")
    func deletion() async throws {
        let clock = TestClock()
        let s = try makeService(clock: clock)
        let key = try await createM3(s)
        let deleted = try await s.deleteKey(.init(keyIdentifier: key.keyArn, deleteKeyInDays: 3), context: east).key
        #expect(deleted.keyState == .deletePending && !deleted.enabled)
        #expect(deleted.deletePendingTimestamp == key.createTimestamp + 3 * 86_400)
        await expectError(.conflict) { _ = try await s.deleteKey(.init(keyIdentifier: key.keyArn), context: east) }
        let restored = try await s.restoreKey(.init(keyIdentifier: key.keyArn), context: east).key
        #expect(restored.keyState == .createComplete && !restored.enabled && restored.deletePendingTimestamp == nil)
        await expectError(.conflict) { _ = try await s.restoreKey(.init(keyIdentifier: key.keyArn), context: east) }
        _ = try await s.deleteKey(.init(keyIdentifier: key.keyArn), context: east)
        clock.advance(days: 7.001)
        let after = try await s.getKey(.init(keyIdentifier: key.keyArn), context: east).key
        #expect(after.keyState == .deleteComplete && after.deleteTimestamp != nil)
        let pending = try await s.listKeys(.init(keyState: .deleteComplete), context: east).keys
        #expect(pending.map(\.keyArn) == [key.keyArn])
    }

    @Test("ListKeys pages visit every key exactly once, in order, for every page size")
    func pagination() async throws {
        let s = try makeService()
        var arns: [String] = []
        for _ in 0..<7 { arns.append(try await createM3(s).keyArn) }
        arns.sort()
        for size in 1...8 {
            var seen: [String] = []
            var token: String?
            repeat {
                let page = try await s.listKeys(.init(nextToken: token, maxResults: size), context: east)
                #expect(page.keys.count <= size)
                seen += page.keys.map(\.keyArn)
                token = page.nextToken
            } while token != nil
            #expect(seen == arns, "page size \(size)")
        }
        await expectError(.validation) { _ = try await s.listKeys(.init(nextToken: "%%%"), context: east) }
    }

    @Test("Aliases: create, conflict, resolve in the data plane, update, alias without a key, delete")
    func aliases() async throws {
        let s = try makeService()
        let a = try await createM3(s)
        let b = try await createM3(s)
        _ = try await s.createAlias(.init(aliasName: "alias/one", keyArn: a.keyArn), context: east)
        await expectError(.conflict) { _ = try await s.createAlias(.init(aliasName: "alias/one"), context: east) }
        let viaAlias = try await s.generateMac(.init(keyIdentifier: "alias/one", messageData: "00", generationAttributes: .algorithm(.iso9797Algorithm3)), context: east)
        #expect(viaAlias.keyArn == a.keyArn)
        let aliasArn = "arn:aws:payment-cryptography:us-east-1:111122223333:alias/one"
        #expect(try await s.getKey(.init(keyIdentifier: aliasArn), context: east).key.keyArn == a.keyArn)
        _ = try await s.updateAlias(.init(aliasName: "alias/one", keyArn: b.keyArn), context: east)
        #expect(try await s.getKey(.init(keyIdentifier: "alias/one"), context: east).key.keyArn == b.keyArn)
        _ = try await s.createAlias(.init(aliasName: "alias/empty"), context: east)
        #expect(try await s.getAlias(.init(aliasName: "alias/empty"), context: east).alias.keyArn == nil)
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: "alias/empty"), context: east) }
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: "alias/none"), context: east) }
        #expect(try await s.listAliases(.init(), context: east).aliases.count == 2)
        #expect(try await s.listAliases(.init(keyArn: b.keyArn), context: east).aliases.map(\.aliasName) == ["alias/one"])
        _ = try await s.deleteAlias(.init(aliasName: "alias/one"), context: east)
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: "alias/one"), context: east) }
        await expectError(.resourceNotFound) { _ = try await s.deleteAlias(.init(aliasName: "alias/one"), context: east) }
        await expectError(.resourceNotFound) { _ = try await s.createAlias(.init(aliasName: "alias/bad", keyArn: a.keyArn.replacingOccurrences(of: "key/", with: "key/x")), context: east) }
    }

    @Test("Regions and accounts are isolated: another region's key ARN is not found, another account's is AccessDenied without a resource policy")
    func isolation() async throws {
        let s = try makeService()
        let key = try await createM3(s)
        await expectError(.resourceNotFound) { _ = try await s.getKey(.init(keyIdentifier: key.keyArn), context: west) }
        await expectError(.accessDenied) { _ = try await s.getKey(.init(keyIdentifier: key.keyArn), context: otherAccount) }
        let missing = "arn:aws:payment-cryptography:us-east-1:111122223333:key/aaaaaaaaaaaaaaaa"
        await expectError(.accessDenied) { _ = try await s.getKey(.init(keyIdentifier: missing), context: otherAccount) }
        #expect(try await s.listKeys(.init(), context: west).keys.isEmpty)
    }

    @Test("Tags: add, replace, remove, list sorted")
    func tags() async throws {
        let s = try makeService()
        let key = try await createM3(s)
        _ = try await s.tagResource(.init(resourceArn: key.keyArn, tags: [.init(key: "b", value: "1"), .init(key: "a", value: "2")]), context: east)
        _ = try await s.tagResource(.init(resourceArn: key.keyArn, tags: [.init(key: "b", value: "3")]), context: east)
        var tags = try await s.listTagsForResource(.init(resourceArn: key.keyArn), context: east).tags
        #expect(tags == [.init(key: "a", value: "2"), .init(key: "b", value: "3")])
        _ = try await s.untagResource(.init(resourceArn: key.keyArn, tagKeys: ["a"]), context: east)
        tags = try await s.listTagsForResource(.init(resourceArn: key.keyArn), context: east).tags
        #expect(tags == [.init(key: "b", value: "3")])
    }

    @Test("Restart: a new service on the same SQLite directory and master key finds every key, alias and tag, and MACs are unchanged")
    func restart() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paycrypt-svc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try makeService(store: SQLiteKeyStore(directory: dir))
        let key = try await createM3(first)
        _ = try await first.createAlias(.init(aliasName: "alias/kept", keyArn: key.keyArn), context: east)
        _ = try await first.tagResource(.init(resourceArn: key.keyArn, tags: [.init(key: "k", value: "v")]), context: east)
        let mac = try await first.generateMac(.init(keyIdentifier: "alias/kept", messageData: "0011", generationAttributes: .algorithm(.iso9797Algorithm3)), context: east).mac

        let second = try makeService(store: SQLiteKeyStore(directory: dir))
        #expect(try await second.getKey(.init(keyIdentifier: "alias/kept"), context: east).key == key)
        #expect(try await second.listTagsForResource(.init(resourceArn: key.keyArn), context: east).tags == [.init(key: "k", value: "v")])
        let again = try await second.generateMac(.init(keyIdentifier: key.keyArn, messageData: "0011", generationAttributes: .algorithm(.iso9797Algorithm3)), context: east).mac
        #expect(again == mac)
    }

    @Test("A different master key cannot use the stored keys (sealed at rest)")
    func wrongMasterKey() async throws {
        let store = InMemoryKeyStore()
        let key = try await createM3(try makeService(store: store))
        let other = PaymentCryptographyService(store: store, masterKey: try MasterKey(bytes: [UInt8](repeating: 9, count: 32)))
        await expectError(.internalServer) {
            _ = try await other.generateMac(.init(keyIdentifier: key.keyArn, messageData: "00", generationAttributes: .algorithm(.iso9797Algorithm3)), context: east)
        }
    }

    @Test("Model enums map one to one onto the algorithm layer's")
    func enumMapping() {
        for a in DataPlane.MacAlgorithm.allCases { #expect(PaymentCryptography.MacAlgorithm(rawValue: a.rawValue) != nil) }
        for v in DataPlane.DukptKeyVariant.allCases { #expect(DukptKeyVariant(rawValue: v.rawValue) != nil) }
        for t in DataPlane.DukptDerivationType.allCases { #expect(DukptDerivationType(rawValue: t.rawValue) != nil) }
        for m in DataPlane.MajorKeyDerivationMode.allCases { #expect(MajorKeyDerivationMode(rawValue: m.rawValue) != nil) }
        // UNION_PAY arrived with botocore 1.44; until EmvMac supports it, it is refused as unsupported (ValidationException).
        for m in DataPlane.SessionKeyDerivationMode.allCases where m != .unionPay { #expect(SessionKeyDerivationMode(rawValue: m.rawValue) != nil) }
    }
}
