import Foundation
import PayCryptModel
import PayCryptStore

// Multi-party approval teams: README, "Multi-Region keys and MPA teams" (AssociateMpaTeam, DisassociateMpaTeam,
// GetMpaTeamAssociation) and AWS user guide "Multi-party approval". Emulation (decision, README
// "Decisions"): paycrypt stores the association and approves every approval session at once, as an
// emulator has no approvers and no MPA service; the answers keep AWS's shapes.

extension PaymentCryptographyService {
    /// AssociateMpaTeam: stores the team of the action (one per account, region and action). A
    /// first association answers `ACTIVE` without `MpaStatus`; replacing another team answers the
    /// new team with the current team's approval, granted at once.
    public func associateMpaTeam(_ input: ControlPlane.AssociateMpaTeamInput,
                                 context: RequestContext) async throws -> ControlPlane.AssociateMpaTeamOutput {
        try authorize("AssociateMpaTeam", "*", context)
        let association = MpaAssociationRecord(account: context.account, region: context.region, action: input.action.rawValue,
                                               teamArn: input.mpaTeamArn)
        let previous = try await store.putMpaAssociation(association)
        var answer = ControlPlane.MpaTeamAssociation(action: input.action, mpaTeamArn: input.mpaTeamArn, associationState: .active)
        if let previous, previous.teamArn != input.mpaTeamArn {
            answer.mpaStatus = try wireMpaStatus(approvedBy: previous.teamArn)
        }
        logger.info("MPA team associated", metadata: ["action": "\(input.action.rawValue)", "mpaTeamArn": "\(input.mpaTeamArn)"])
        return ControlPlane.AssociateMpaTeamOutput(mpaTeamAssociation: answer)
    }

    /// DisassociateMpaTeam: removes the association at once, approved by the removed team;
    /// answers `DELETE_PENDING` (AWS's state while the approval runs). None: ResourceNotFoundException.
    public func disassociateMpaTeam(_ input: ControlPlane.DisassociateMpaTeamInput,
                                    context: RequestContext) async throws -> ControlPlane.DisassociateMpaTeamOutput {
        try authorize("DisassociateMpaTeam", "*", context)
        guard let removed = try await store.deleteMpaAssociation(account: context.account, region: context.region,
                                                                 action: input.action.rawValue) else {
            throw Self.noMpaAssociation(input.action)
        }
        logger.info("MPA team disassociated", metadata: ["action": "\(input.action.rawValue)", "mpaTeamArn": "\(removed.teamArn)"])
        return ControlPlane.DisassociateMpaTeamOutput(mpaTeamAssociation: ControlPlane.MpaTeamAssociation(
            action: input.action, mpaTeamArn: removed.teamArn, associationState: .deletePending,
            mpaStatus: try wireMpaStatus(approvedBy: removed.teamArn)))
    }

    /// GetMpaTeamAssociation: the team of the action, `ACTIVE`. None: ResourceNotFoundException.
    public func getMpaTeamAssociation(_ input: ControlPlane.GetMpaTeamAssociationInput,
                                      context: RequestContext) async throws -> ControlPlane.GetMpaTeamAssociationOutput {
        try authorize("GetMpaTeamAssociation", "*", context)
        guard let association = try await store.mpaAssociation(account: context.account, region: context.region,
                                                                action: input.action.rawValue) else {
            throw Self.noMpaAssociation(input.action)
        }
        return ControlPlane.GetMpaTeamAssociationOutput(mpaTeamAssociation: ControlPlane.MpaTeamAssociation(
            action: input.action, mpaTeamArn: association.teamArn, associationState: .active))
    }

    /// The approval of an ImportKey with `RootCertificatePublicKey` (the one protected operation,
    /// model enum `IMPORT_ROOT_PUBLIC_KEY_CERTIFICATE`) while a team is associated: `RequesterComment`
    /// is then mandatory (user guide; ValidationException, code decision), and the session is
    /// approved at once. Nil when the import is not protected or no team is associated (a comment
    /// is then accepted and ignored).
    func rootImportApproval(_ input: ControlPlane.ImportKeyInput, _ context: RequestContext) async throws -> MpaApprovalRecord? {
        guard case .rootCertificatePublicKey = input.keyMaterial,
              let team = try await store.mpaAssociation(account: context.account, region: context.region,
                                                        action: ControlPlane.MpaOperation.importRootPublicKeyCertificate.rawValue) else {
            return nil
        }
        guard input.requesterComment != nil else {
            throw ServiceError.validation(
                "RequesterComment is required: importing a root certificate needs the approval of the Multi-party approval team \(team.teamArn).",
                field: "RequesterComment")
        }
        return try mpaApproval(approvedBy: team.teamArn)
    }

    /// An approval session of a team, approved now: `MpaSessionArn` =
    /// `arn:<partition>:mpa:<team region>:<team account>:session/<team name>/<UUID>` (user guide's
    /// CloudTrail example, model pattern).
    func mpaApproval(approvedBy teamArn: String) throws -> MpaApprovalRecord {
        let parts = teamArn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[5].hasPrefix("approval-team/") else {
            throw ServiceError(.internalServer, "A stored MPA team ARN is not valid.")
        }
        let name = parts[5].dropFirst("approval-team/".count)
        let session = "\(parts[0]):\(parts[1]):mpa:\(parts[3]):\(parts[4]):session/\(name)/\(UUID().uuidString.lowercased())"
        return MpaApprovalRecord(sessionArn: session, status: ControlPlane.SessionStatus.approved.rawValue, initiationDate: clock())
    }

    func wireMpaStatus(approvedBy teamArn: String) throws -> ControlPlane.MpaStatus {
        let approval = try mpaApproval(approvedBy: teamArn)
        return ControlPlane.MpaStatus(mpaSessionArn: approval.sessionArn, status: .approved, initiationDate: approval.initiationDate)
    }

    static func noMpaAssociation(_ action: ControlPlane.MpaOperation) -> ServiceError {
        ServiceError(.resourceNotFound, "No Multi-party approval team is associated with \(action.rawValue).", resourceId: action.rawValue)
    }
}
