import PayCryptModel
import PayCryptStore

extension PaymentCryptographyService {
    /// The control-plane operations another account can be granted on a key through its resource
    /// policy (the model's "Cross-account use" lines; AWS Payment Cryptography User Guide, "Resource-based policies"). Every data-plane
    /// operation can be too; alias operations, ListKeys, GetParametersForImport/Export, the
    /// resource-policy operations, GetCertificateSigningRequest and the account-level operations cannot.
    static let crossAccountControlPlaneOperations: Set<String> = [
        "GetKey", "DeleteKey", "RestoreKey", "StartKeyUsage", "StopKeyUsage", "ExportKey", "ImportKey",
        "GetPublicKeyCertificate", "TagResource", "UntagResource", "ListTagsForResource",
        "AddKeyReplicationRegions", "RemoveKeyReplicationRegions",
    ]

    /// Every operation that may act on another account's key: the data plane's and the list above.
    /// paycrypt's own extensions (the console's key audit trail) do not.
    static let crossAccountOperations: Set<String> = Set(DataPlane.Operation.allCases.map(\.rawValue)).union(crossAccountControlPlaneOperations)

    /// Whether `operation` may act on another account's key at all.
    static func mayActAcrossAccounts(_ operation: String) -> Bool { crossAccountOperations.contains(operation) }

    /// Authorizes `operation` on the key `account`/`keyId` of the caller's region (README,
    /// Decisions: Resource policies: who): the caller's identity policy and the key's resource policy together, by
    /// ``ResourcePolicy/decide(identityAllows:policy:request:)``. `keyState` is the state of the key
    /// as loaded from `account` in the caller's region (nil when it does not exist: then only the
    /// identity policy speaks for the caller's own account, and another account is refused, so that a
    /// key's existence is not revealed across accounts). The state, not the record: a cached key is
    /// then read in place, not copied.
    /// - Throws: AccessDeniedException in AWS's wording, naming `shown` (what the caller named) for
    ///   the caller's own account and the key's ARN for another account's key.
    func authorizeKeyUse(_ operation: String, account: String, keyId: String, keyState: KeyState?, _ context: RequestContext,
                         named shown: String, keyArn knownArn: String? = nil) async throws {
        // The strings below are built only when a policy or a denial needs them: this runs on every request.
        let keyArn = knownArn ?? KeyRecord.arn(region: context.region, account: account, keyId: keyId)
        let action = { "payment-cryptography:" + operation }
        let principalArn = { context.principal?.arn ?? "arn:aws:iam::\(context.account):root" }
        let identityAllows = context.principal?.policy?.allows(action: action(), resource: keyArn) ?? true
        let crossAccount = account != context.account
        let denied = { (explicit: Bool) in
            ServiceError(.accessDenied, AccessPolicy.deniedMessage(principalArn: principalArn(), action: action(), resource: crossAccount ? keyArn : shown)
                + (explicit ? " with an explicit deny in a resource-based policy" : ""))
        }
        if crossAccount && !Self.mayActAcrossAccounts(operation) { throw denied(false) }
        var policy: ResourcePolicy?
        if let keyState {
            policy = try await keyResourcePolicy(state: keyState, account: account, region: context.region, keyId: keyId, arn: keyArn)
        }
        if policy == nil && !crossAccount {
            guard identityAllows else { throw denied(false) }
            return
        }
        let request = ResourcePolicy.Request(principalArn: principalArn(), account: context.account, action: action(), keyArn: keyArn, keyAccount: account)
        switch ResourcePolicy.decide(identityAllows: identityAllows, policy: policy, request: request) {
        case .allowed: return
        case .denied: throw denied(false)
        case .explicitlyDenied: throw denied(true)
        }
    }

    /// The parsed resource policy of the key `account`/`region`/`keyId` in state `state`, from the
    /// cache when possible; nil when it has none or is `DELETE_COMPLETE` (a deleted key's policy goes
    /// with it). `arn` is the key's ARN (one key for the cache's reads and writes).
    func keyResourcePolicy(state: KeyState, account: String, region: String, keyId: String, arn: String) async throws -> ResourcePolicy? {
        guard state != .DELETE_COMPLETE else { return nil }
        if let cached = cache.policy(arn) { return cached }
        let ticket = cache.ticket()
        guard let stored = try await store.resourcePolicy(account: account, region: region, keyId: keyId) else {
            cache.storePolicy(arn, nil, ticket: ticket)
            return nil
        }
        let policy: ResourcePolicy
        do {
            policy = try ResourcePolicy.parse(stored.policy, keyArn: arn)
        } catch {
            // It was checked by PutResourcePolicy: a store edited by hand, or rules made stricter since.
            logger.error("a stored resource policy no longer parses", metadata: ["keyArn": "\(arn)"])
            throw ServiceError(.internalServer, "The resource policy of \(arn) cannot be evaluated.")
        }
        cache.storePolicy(arn, policy, ticket: ticket)
        return policy
    }
}
