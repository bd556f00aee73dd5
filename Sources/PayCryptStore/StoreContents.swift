/// Everything a store holds, for `paycrypt store copy` (README "Running several instances"): keys
/// (material sealed, copied as it is), aliases, import tokens, resource policies, the audit trail with its sequence
/// numbers, and the store's metadata (the master-key check).
public struct StoreContents: Sendable {
    /// Every key of every account and region.
    public var keys: [KeyRecord] = []
    /// Every alias.
    public var aliases: [AliasRecord] = []
    /// Every import token.
    public var importTokens: [ImportTokenRecord] = []
    /// Every key's resource policy.
    public var resourcePolicies: [ResourcePolicyRecord] = []
    /// The whole audit trail in sequence order.
    public var audit: [AuditRecord] = []
    /// The store's named values.
    public var metadata: [String: String] = [:]

    /// Creates empty contents.
    public init() {}
}
