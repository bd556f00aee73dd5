import Crypto
import Foundation
import PayCryptModel
import Testing
@testable import PayCryptService

/// Multi-party approval teams as paycrypt emulates them (README, Decisions: MPA emulation): the association is
/// stored and every approval is granted at once.
@Suite("Service: MPA teams")
struct MpaServiceTests {
    let action = ControlPlane.MpaOperation.importRootPublicKeyCertificate
    let team = "arn:aws:mpa:us-east-1:111122223333:approval-team/payments-team"
    let sharedTeam = "arn:aws:mpa:eu-west-1:444455556666:approval-team/shared.team"

    func importRoot(_ s: PaymentCryptographyService, comment: String?) async throws -> ControlPlane.Key {
        let caKey = P256.Signing.PrivateKey()
        let caCert = try KeyExchangeServiceTests.certificate(subject: "CA", key: caKey.publicKey, issuer: "CA", issuerKey: caKey, ca: true)
        return try await s.importKey(.init(keyMaterial: .rootCertificatePublicKey(.init(
            keyAttributes: .init(keyUsage: .tr31S0AsymmetricKeyForDigitalSignature, keyClass: .publicKey, keyAlgorithm: .eccNistP256,
                                 keyModesOfUse: .init(verify: true)),
            publicKeyCertificate: try KeyExchangeServiceTests.pem(caCert))), requesterComment: comment), context: east).key
    }

    @Test("Associate, the same team again, another team, Get, Disassociate: AWS's shapes, approved at once")
    func lifeCycle() async throws {
        let s = try makeService()
        await expectError(.resourceNotFound) { _ = try await s.getMpaTeamAssociation(.init(action: action), context: east) }
        await expectError(.resourceNotFound) { _ = try await s.disassociateMpaTeam(.init(action: action), context: east) }

        let first = try await s.associateMpaTeam(.init(action: action, mpaTeamArn: team), context: east).mpaTeamAssociation
        #expect(first == ControlPlane.MpaTeamAssociation(action: action, mpaTeamArn: team, associationState: .active))
        #expect(try await s.associateMpaTeam(.init(action: action, mpaTeamArn: team), context: east).mpaTeamAssociation == first)

        let replaced = try await s.associateMpaTeam(.init(action: action, mpaTeamArn: sharedTeam, requesterComment: "rotate"), context: east)
            .mpaTeamAssociation
        #expect(replaced.mpaTeamArn == sharedTeam && replaced.associationState == .active && replaced.mpaStatus?.status == .approved)
        // The approval is the current (replaced) team's session.
        #expect(replaced.mpaStatus?.mpaSessionArn.hasPrefix("arn:aws:mpa:us-east-1:111122223333:session/payments-team/") == true)
        #expect(replaced.mpaStatus?.initiationDate == 1_800_000_000)

        #expect(try await s.getMpaTeamAssociation(.init(action: action), context: east).mpaTeamAssociation
                == ControlPlane.MpaTeamAssociation(action: action, mpaTeamArn: sharedTeam, associationState: .active))
        await expectError(.resourceNotFound) { _ = try await s.getMpaTeamAssociation(.init(action: action), context: west) }
        await expectError(.resourceNotFound) { _ = try await s.getMpaTeamAssociation(.init(action: action), context: otherAccount) }

        let removed = try await s.disassociateMpaTeam(.init(action: action), context: east).mpaTeamAssociation
        #expect(removed.mpaTeamArn == sharedTeam && removed.associationState == .deletePending && removed.mpaStatus?.status == .approved)
        #expect(removed.mpaStatus?.mpaSessionArn.hasPrefix("arn:aws:mpa:eu-west-1:444455556666:session/shared.team/") == true)
        await expectError(.resourceNotFound) { _ = try await s.getMpaTeamAssociation(.init(action: action), context: east) }
    }

    @Test("A root certificate import under a team needs RequesterComment and is approved at once; without a team no MpaStatus")
    func guardedImport() async throws {
        let s = try makeService()
        let free = try await importRoot(s, comment: "ignored")
        #expect(free.mpaStatus == nil)
        _ = try await s.associateMpaTeam(.init(action: action, mpaTeamArn: team), context: east)
        await expectError(.validation) { _ = try await importRoot(s, comment: nil) }
        let guarded = try await importRoot(s, comment: "new root CA")
        #expect(guarded.keyState == .createComplete && guarded.mpaStatus?.status == .approved)
        #expect(guarded.mpaStatus?.mpaSessionArn.hasPrefix("arn:aws:mpa:us-east-1:111122223333:session/payments-team/") == true)
        #expect(try await s.getKey(.init(keyIdentifier: guarded.keyArn), context: east).key.mpaStatus == guarded.mpaStatus)
    }

    @Test("The MPA operations need their action on resource *")
    func permissions() async throws {
        let s = try makeService()
        let policy = AccessPolicy(actions: ["payment-cryptography:GetMpaTeamAssociation"], resources: ["*"])
        let limited = RequestContext(account: east.account, region: east.region,
                                     principal: Principal(accessKeyId: "AKIDLIMITED", name: "limited", account: east.account, policy: policy))
        await expectError(.accessDenied) { _ = try await s.associateMpaTeam(.init(action: action, mpaTeamArn: team), context: limited) }
        await expectError(.accessDenied) { _ = try await s.disassociateMpaTeam(.init(action: action), context: limited) }
        await expectError(.resourceNotFound) { _ = try await s.getMpaTeamAssociation(.init(action: action), context: limited) }
    }
}
