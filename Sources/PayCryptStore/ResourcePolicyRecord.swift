/// The resource policy attached to one key (AWS Payment Cryptography User Guide, "Resource-based policies": at most one per key). The text is
/// kept exactly as PutResourcePolicy received it and returned byte for byte (README Decisions,
/// "Resource policies").
public struct ResourcePolicyRecord: Sendable, Codable, Equatable {
    /// The 12-digit account that owns the key.
    public var account: String
    /// The key's region.
    public var region: String
    /// The key's id.
    public var keyId: String
    /// The policy document as received.
    public var policy: String

    /// Creates a policy record.
    public init(account: String, region: String, keyId: String, policy: String) {
        self.account = account
        self.region = region
        self.keyId = keyId
        self.policy = policy
    }

    /// The ARN of the key the policy is attached to.
    public var keyArn: String { KeyRecord.arn(region: region, account: account, keyId: keyId) }
}
