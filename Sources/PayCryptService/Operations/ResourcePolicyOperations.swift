import PayCryptModel
import PayCryptStore

extension PaymentCryptographyService {
    /// PutResourcePolicy (README, Decisions: Resource policies: storage and answers): attaches or replaces the key's policy, stored and
    /// returned byte for byte. The document is checked by ``ResourcePolicy/parse(_:keyArn:)``
    /// (ValidationException naming `Policy`); a policy allowing `"*"` is PublicPolicyException.
    public func putResourcePolicy(_ input: ControlPlane.PutResourcePolicyInput, context: RequestContext) async throws -> ControlPlane.PutResourcePolicyOutput {
        let record = try await policyKey(input.resourceArn, operation: "PutResourcePolicy", context)
        guard record.state != .DELETE_COMPLETE else {
            throw ServiceError.validation("Key \(record.arn) is deleted.", field: "ResourceArn")
        }
        let policy: ResourcePolicy
        do {
            policy = try ResourcePolicy.parse(input.policy, keyArn: record.arn)
        } catch {
            // `parse` throws only ResourcePolicy.Invalid (typed throws).
            throw ServiceError.validation("Policy: \(error.message)", field: "Policy")
        }
        guard !policy.isPublic else {
            throw ServiceError(.publicPolicy, "The policy grants access to all principals (\"*\"); public access is always blocked.")
        }
        try await store.putResourcePolicy(ResourcePolicyRecord(account: record.account, region: record.region, keyId: record.keyId, policy: input.policy))
        cache.invalidate(arn: record.arn)
        logger.info("resource policy attached", metadata: ["keyArn": "\(record.arn)"])
        return ControlPlane.PutResourcePolicyOutput(resourceArn: record.arn, policy: input.policy)
    }

    /// GetResourcePolicy: the policy text as Put stored it; a key without one is
    /// ResourceNotFoundException (README Decisions, "Resource policies").
    public func getResourcePolicy(_ input: ControlPlane.GetResourcePolicyInput, context: RequestContext) async throws -> ControlPlane.GetResourcePolicyOutput {
        let record = try await policyKey(input.resourceArn, operation: "GetResourcePolicy", context)
        guard record.state != .DELETE_COMPLETE,
              let stored = try await store.resourcePolicy(account: record.account, region: record.region, keyId: record.keyId) else {
            throw ServiceError(.resourceNotFound, "Key \(record.arn) has no resource policy.", resourceId: record.arn)
        }
        return ControlPlane.GetResourcePolicyOutput(resourceArn: record.arn, policy: stored.policy)
    }

    /// DeleteResourcePolicy: removes the key's policy; a key without one succeeds too (the model marks
    /// the operation idempotent).
    public func deleteResourcePolicy(_ input: ControlPlane.DeleteResourcePolicyInput, context: RequestContext) async throws -> ControlPlane.DeleteResourcePolicyOutput {
        let record = try await policyKey(input.resourceArn, operation: "DeleteResourcePolicy", context)
        if try await store.deleteResourcePolicy(account: record.account, region: record.region, keyId: record.keyId) {
            cache.invalidate(arn: record.arn)
            logger.info("resource policy deleted", metadata: ["keyArn": "\(record.arn)"])
        }
        return ControlPlane.DeleteResourcePolicyOutput()
    }

    /// The key a resource-policy operation names (README, "Sharing keys with another account"):
    /// authorized by the caller's identity policy alone, on the key's ARN, first; a key of another
    /// account is AccessDeniedException whatever its policy says; an unknown key of the caller's
    /// account (or a key ARN of another region) is ResourceNotFoundException.
    func policyKey(_ resourceArn: String, operation: String, _ context: RequestContext) async throws -> KeyRecord {
        try authorize(operation, resourceArn, context)
        guard case .key(let region, let account, let keyId) = KeyIdentifiers.parse(resourceArn) else {
            throw ServiceError.validation("ResourceArn must be a key ARN.", field: "ResourceArn")
        }
        guard account == context.account else {
            let principalArn = context.principal?.arn ?? "arn:aws:iam::\(context.account):root"
            throw ServiceError(.accessDenied, AccessPolicy.deniedMessage(
                principalArn: principalArn, action: "payment-cryptography:\(operation)", resource: resourceArn))
        }
        guard region == context.region, let record = try await loadKey(account: account, region: region, keyId: keyId) else {
            throw ServiceError.notFound(resourceArn)
        }
        // A policy is attached to a primary only; a replica is read-only (user guide, "Replicating
        // keys"; README Decisions).
        if record.isReplica {
            throw ServiceError.validation(
                "Key \(record.arn) is a replica of the primary key in \(record.primaryRegion ?? "another region"); a resource policy "
                    + "belongs to the primary key.", field: "ResourceArn")
        }
        return record
    }
}
