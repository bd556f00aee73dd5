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
    /// The default replication regions of every account and region that has some.
    public var defaultReplicationRegions: [DefaultReplicationRegionsRecord] = []
    /// Every Multi-party approval team association.
    public var mpaAssociations: [MpaAssociationRecord] = []
    /// The store's named values.
    public var metadata: [String: String] = [:]

    /// Creates empty contents.
    public init() {}
}

/// The default replication regions of one account and region (README, Decisions: default replication regions).
public struct DefaultReplicationRegionsRecord: Sendable, Equatable {
    /// The 12-digit account id.
    public var account: String
    /// The region the settings belong to.
    public var region: String
    /// The regions, in the order they were first enabled.
    public var regions: [String]

    /// Creates a record.
    public init(account: String, region: String, regions: [String]) {
        self.account = account
        self.region = region
        self.regions = regions
    }
}
