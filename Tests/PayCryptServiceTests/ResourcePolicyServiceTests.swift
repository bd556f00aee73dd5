import Foundation
import PayCryptModel
import PayCryptStore
import Testing
@testable import PayCryptService

/// Put/Get/DeleteResourcePolicy and cross-account use through the service (README, "Sharing keys with another account").
@Suite("Resource policies through the service")
struct ResourcePolicyServiceTests {
    static func caller(_ account: String, _ name: String, policy: AccessPolicy? = nil) -> RequestContext {
        RequestContext(account: account, region: "us-east-1",
                       principal: Principal(accessKeyId: "AKIA\(name.uppercased())", name: name, account: account, policy: policy))
    }

    static let alice = caller("111122223333", "alice")
    static let bob = caller("444455556666", "bob")
    static let b2 = caller("444455556666", "b2")

    static func allowAccount(_ account: String, _ action: String = "payment-cryptography:*") -> String {
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"\#(account)"},"Action":"\#(action)","Resource":"*"}]}"#
    }

    static func mac(_ s: PaymentCryptographyService, _ identifier: String, _ context: RequestContext) async throws -> DataPlane.GenerateMacOutput {
        try await s.generateMac(.init(keyIdentifier: identifier, messageData: "0011223344556677", generationAttributes: .algorithm(.iso9797Algorithm3)),
                                context: context)
    }

    @Test("Put stores the text byte for byte and Get returns it; Put replaces; Get without one is ResourceNotFound; Delete is idempotent")
    func lifecycle() async throws {
        let s = try makeService()
        let key = try await createM3(s, Self.alice)
        await expectError(.resourceNotFound) { _ = try await s.getResourcePolicy(.init(resourceArn: key.keyArn), context: Self.alice) }
        let text = "{ \"Statement\" :\n [ {\"Effect\":\"Allow\", \"Principal\":{\"AWS\":[\"444455556666\"]},\"Action\":\"payment-cryptography:Generate*\",\"Resource\":\"\(key.keyArn)\"} ] }\t"
        let put = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: text), context: Self.alice)
        #expect(put.resourceArn == key.keyArn && put.policy == text)
        #expect(try await s.getResourcePolicy(.init(resourceArn: key.keyArn), context: Self.alice).policy.utf8.elementsEqual(text.utf8))
        _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: Self.allowAccount("444455556666")), context: Self.alice)
        #expect(try await s.getResourcePolicy(.init(resourceArn: key.keyArn), context: Self.alice).policy == Self.allowAccount("444455556666"))
        _ = try await s.deleteResourcePolicy(.init(resourceArn: key.keyArn), context: Self.alice)
        _ = try await s.deleteResourcePolicy(.init(resourceArn: key.keyArn), context: Self.alice)
        await expectError(.resourceNotFound) { _ = try await s.getResourcePolicy(.init(resourceArn: key.keyArn), context: Self.alice) }
        await expectError(.resourceNotFound) {
            _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn.replacingOccurrences(of: "us-east-1", with: "us-west-2"),
                                                    policy: Self.allowAccount("444455556666")), context: Self.alice)
        }
    }

    @Test("Refusals: invalid document (ValidationException on Policy), public policy, another account, identity policy without the action")
    func refusals() async throws {
        let s = try makeService()
        let key = try await createM3(s, Self.alice)
        do {
            _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: "{\"Statement\":[]}"), context: Self.alice)
            Issue.record("accepted")
        } catch let e as ServiceError {
            #expect(e.kind == .validation && e.fields.first?.path == "Policy")
        }
        let publicPolicy = #"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}}"#
        await expectError(.publicPolicy) { _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: publicPolicy), context: Self.alice) }
        _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: Self.allowAccount("444455556666")), context: Self.alice)
        // Another account, even one the policy allows everything: AccessDenied for all three.
        await expectError(.accessDenied) { _ = try await s.getResourcePolicy(.init(resourceArn: key.keyArn), context: Self.bob) }
        await expectError(.accessDenied) {
            _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: Self.allowAccount("444455556666")), context: Self.bob)
        }
        await expectError(.accessDenied) { _ = try await s.deleteResourcePolicy(.init(resourceArn: key.keyArn), context: Self.bob) }
        // The owner's identity policy must name the action; it is checked first, also for an unknown key.
        let reader = Self.caller("111122223333", "reader", policy: AccessPolicy(actions: ["payment-cryptography:Get*"], resources: ["*"]))
        #expect(try await s.getResourcePolicy(.init(resourceArn: key.keyArn), context: reader).policy == Self.allowAccount("444455556666"))
        await expectError(.accessDenied) { _ = try await s.deleteResourcePolicy(.init(resourceArn: key.keyArn), context: reader) }
        await expectError(.accessDenied) {
            _ = try await s.deleteResourcePolicy(.init(resourceArn: "arn:aws:payment-cryptography:us-east-1:111122223333:key/aaaaaaaaaaaaaaaa"), context: reader)
        }
    }

    @Test("Cross-account GenerateMac: allowed by the policy with the owner's ARN and MAC; refused without one, by a Deny, and across regions")
    func crossAccountUse() async throws {
        let s = try makeService()
        let key = try await createM3(s, Self.alice)
        let own = try await Self.mac(s, key.keyArn, Self.alice)
        await expectError(.accessDenied) { _ = try await Self.mac(s, key.keyArn, Self.bob) }
        let policy = #"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"payment-cryptography:*","Resource":"*"},"#
            + #"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::444455556666:user/b2"},"Action":"payment-cryptography:GenerateMac","Resource":"*"}]}"#
        _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: policy), context: Self.alice)
        let theirs = try await Self.mac(s, key.keyArn, Self.bob)
        #expect(theirs.keyArn == key.keyArn && theirs.mac == own.mac && theirs.keyCheckValue == own.keyCheckValue)
        #expect(try await s.getKey(.init(keyIdentifier: key.keyArn), context: Self.bob).key.keyArn == key.keyArn)
        do {
            _ = try await Self.mac(s, key.keyArn, Self.b2)
            Issue.record("b2 was allowed")
        } catch let e as ServiceError {
            #expect(e.kind == .accessDenied)
            #expect(e.message == "User: arn:aws:iam::444455556666:user/b2 is not authorized to perform: payment-cryptography:GenerateMac on resource: \(key.keyArn) with an explicit deny in a resource-based policy")
        }
        #expect(try await s.getKey(.init(keyIdentifier: key.keyArn), context: Self.b2).key.keyArn == key.keyArn)
        // The caller's own identity policy must allow the action on the key's ARN too.
        let limited = Self.caller("444455556666", "limited", policy: AccessPolicy(actions: ["payment-cryptography:GetKey"], resources: ["*"]))
        await expectError(.accessDenied) { _ = try await Self.mac(s, key.keyArn, limited) }
        #expect(try await s.getKey(.init(keyIdentifier: key.keyArn), context: limited).key.keyArn == key.keyArn)
        // Operations that never act across accounts, and aliases (not shared).
        await expectError(.accessDenied) {
            _ = try await s.getCertificateSigningRequest(.init(keyIdentifier: key.keyArn, signingAlgorithm: .sha256,
                                                               certificateSubject: .init(commonName: "x")), context: Self.bob)
        }
        _ = try await s.createAlias(.init(aliasName: "alias/shared", keyArn: key.keyArn), context: Self.alice)
        await expectError(.resourceNotFound) { _ = try await Self.mac(s, "alias/shared", Self.bob) }
        // The owner removes the policy: refused again (the cached policy was dropped).
        _ = try await s.deleteResourcePolicy(.init(resourceArn: key.keyArn), context: Self.alice)
        await expectError(.accessDenied) { _ = try await Self.mac(s, key.keyArn, Self.bob) }
        // A key ARN of another account that does not exist: AccessDenied, never ResourceNotFound.
        await expectError(.accessDenied) { _ = try await Self.mac(s, "arn:aws:payment-cryptography:us-east-1:111122223333:key/aaaaaaaaaaaaaaaa", Self.bob) }
    }

    @Test("Same account: a Deny binds the owner's principals; an Allow naming a user grants it without an identity policy")
    func sameAccount() async throws {
        let s = try makeService()
        let key = try await createM3(s, Self.alice)
        let deny = #"{"Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"payment-cryptography:StopKeyUsage","Resource":"*"}}"#
        _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: deny), context: Self.alice)
        await expectError(.accessDenied) { _ = try await s.stopKeyUsage(.init(keyIdentifier: key.keyArn), context: Self.alice) }
        #expect(try await s.getKey(.init(keyIdentifier: key.keyArn), context: Self.alice).key.enabled)
        _ = try await Self.mac(s, key.keyArn, Self.alice)
        let nobody = Self.caller("111122223333", "nobody", policy: AccessPolicy(actions: [], resources: []))
        await expectError(.accessDenied) { _ = try await Self.mac(s, key.keyArn, nobody) }
        let grant = #"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/nobody"},"Action":"payment-cryptography:GenerateMac","Resource":"*"}}"#
        _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: grant), context: Self.alice)
        _ = try await Self.mac(s, key.keyArn, nobody)
        await expectError(.accessDenied) { _ = try await s.getKey(.init(keyIdentifier: key.keyArn), context: nobody) }
    }

    @Test("A deleted key's policy goes with it; policies survive a restart on SQLite")
    func deletionAndPersistence() async throws {
        let directory = NSTemporaryDirectory() + "paycrypt-policy-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = TestClock()
        let s = try makeService(store: try SQLiteKeyStore(directory: directory), clock: clock)
        let kept = try await createM3(s, Self.alice)
        let doomed = try await createM3(s, Self.alice)
        for key in [kept, doomed] {
            _ = try await s.putResourcePolicy(.init(resourceArn: key.keyArn, policy: Self.allowAccount("444455556666")), context: Self.alice)
        }
        let restarted = try makeService(store: try SQLiteKeyStore(directory: directory), clock: clock)
        #expect(try await restarted.getResourcePolicy(.init(resourceArn: kept.keyArn), context: Self.alice).policy == Self.allowAccount("444455556666"))
        _ = try await Self.mac(restarted, kept.keyArn, Self.bob)
        _ = try await restarted.deleteKey(.init(keyIdentifier: doomed.keyArn, deleteKeyInDays: 3), context: Self.alice)
        clock.advance(days: 4)
        _ = try await restarted.getKey(.init(keyIdentifier: doomed.keyArn), context: Self.alice)
        #expect(try await restarted.store.resourcePolicy(account: "111122223333", region: "us-east-1", keyId: String(doomed.keyArn.suffix(16))) == nil)
        await expectError(.resourceNotFound) { _ = try await restarted.getResourcePolicy(.init(resourceArn: doomed.keyArn), context: Self.alice) }
        await expectError(.accessDenied) { _ = try await restarted.getKey(.init(keyIdentifier: doomed.keyArn), context: Self.bob) }
    }

    @Test("Put and Delete are audited control-plane changes; Get and GetCertificateSigningRequest are reads")
    func audited() {
        #expect(PaymentCryptographyService.auditedOperations.isSuperset(of: ["PutResourcePolicy", "DeleteResourcePolicy"]))
        #expect(PaymentCryptographyService.auditedOperations.isDisjoint(with: ["GetResourcePolicy", "GetCertificateSigningRequest"]))
    }
}
