import PayCryptStore

/// The caller of a request, as authentication established it: an access key of an account,
/// with an optional policy limiting what it may do.
public struct Principal: Sendable, Equatable {
    /// The access key id (never the secret).
    public var accessKeyId: String
    /// A name for messages and the audit trail (an IAM-like user name).
    public var name: String
    /// The 12-digit account the access key belongs to.
    public var account: String
    /// What the key may do; nil allows every action on every resource of its account.
    public var policy: AccessPolicy?

    public init(accessKeyId: String, name: String, account: String, policy: AccessPolicy? = nil) {
        self.accessKeyId = accessKeyId
        self.name = name
        self.account = account
        self.policy = policy
    }

    /// The principal's ARN, as AWS names it in AccessDeniedException messages.
    public var arn: String { "arn:aws:iam::\(account):user/\(name)" }
}

/// Limits on resource counts per account and region (AWS: 2,000 keys and 2,000 aliases).
public struct ServiceLimits: Sendable, Equatable {
    public var maxKeys: Int
    public var maxAliases: Int

    public init(maxKeys: Int = 2_000, maxAliases: Int = 2_000) {
        self.maxKeys = maxKeys
        self.maxAliases = maxAliases
    }
}

extension PaymentCryptographyService {
    /// Refuses the action unless the caller's policy allows it on the resource
    /// (AccessDeniedException, 403, in AWS's wording).
    /// - Parameters:
    ///   - resource: The ARN the policy is evaluated on (a key's ARN also when the caller named an alias).
    ///   - shown: The resource the message names, when it differs from `resource`: what the caller
    ///     named (an alias ARN), so that a denial never reveals the key an alias points to.
    func authorize(_ operation: String, _ resource: String, _ context: RequestContext, named shown: String? = nil) throws {
        guard let principal = context.principal, let policy = principal.policy else { return }
        let action = "payment-cryptography:\(operation)"
        guard policy.allows(action: action, resource: resource) else {
            throw ServiceError(.accessDenied, AccessPolicy.deniedMessage(principalArn: principal.arn, action: action, resource: shown ?? resource))
        }
    }

    /// The resource a key operation names before its key is known: the identifier as an ARN.
    func identifierArn(_ identifier: String, _ context: RequestContext) -> String {
        if identifier.hasPrefix("alias/") {
            return AliasRecord(aliasName: identifier, account: context.account, region: context.region, keyId: nil).aliasArn
        }
        return identifier
    }

    /// The resource of operations that act on a new key (CreateKey, ImportKey).
    func newKeyResource(_ context: RequestContext) -> String {
        "arn:aws:payment-cryptography:\(context.region):\(context.account):key/*"
    }
}
