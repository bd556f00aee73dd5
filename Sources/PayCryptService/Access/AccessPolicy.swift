/// What one access key may do: an IAM-like allow-list of actions and resources.
///
/// A request is allowed when some pattern in `actions` matches its action and some pattern in
/// `resources` matches its resource. Patterns use IAM's wildcards: `*` matches any run of
/// characters (including none, `:` and `/`), `?` matches exactly one. Actions
/// (`payment-cryptography:GenerateMac`) match case-insensitively, as IAM matches them;
/// resources (key and alias ARNs, or `*` for operations that name no resource) match
/// case-sensitively. Empty lists allow nothing; there are no deny statements.
public struct AccessPolicy: Sendable, Codable, Equatable {
    /// Action patterns, e.g. `payment-cryptography:*`, `payment-cryptography:Get*`, `*`.
    public var actions: [String]
    /// Resource patterns, e.g. `arn:aws:payment-cryptography:us-east-1:111122223333:key/*`, `*`.
    public var resources: [String]

    /// Creates a policy.
    /// - Parameters:
    ///   - actions: Action patterns; `*` and `?` are wildcards, compared case-insensitively.
    ///   - resources: Resource patterns; `*` and `?` are wildcards, compared case-sensitively.
    public init(actions: [String], resources: [String]) {
        self.actions = actions
        self.resources = resources
    }

    /// A policy that allows every action on every resource.
    public static let allowAll = AccessPolicy(actions: ["*"], resources: ["*"])

    /// Whether the policy allows `action` on `resource`.
    /// - Parameters:
    ///   - action: The action, `<service>:<Operation>`, e.g. `payment-cryptography:GenerateMac`.
    ///   - resource: The ARN the operation acts on, or `*` when it names none (e.g. `ListKeys`).
    /// - Returns: True when an action pattern and a resource pattern both match.
    public func allows(action: String, resource: String) -> Bool {
        let loweredAction = Array(action.lowercased().unicodeScalars)
        let resourceScalars = Array(resource.unicodeScalars)
        return actions.contains { Self.wildcardMatch(pattern: Array($0.lowercased().unicodeScalars), loweredAction) }
            && resources.contains { Self.wildcardMatch(pattern: Array($0.unicodeScalars), resourceScalars) }
    }

    /// AWS's AccessDeniedException message for an action the caller's policy does not allow.
    /// - Parameters:
    ///   - principalArn: The caller, e.g. `arn:aws:iam::111122223333:user/alice`.
    ///   - action: The action, e.g. `payment-cryptography:GenerateMac`.
    ///   - resource: The resource ARN, or `*`.
    /// - Returns: `User: <principalArn> is not authorized to perform: <action> on resource: <resource>`.
    public static func deniedMessage(principalArn: String, action: String, resource: String) -> String {
        "User: \(principalArn) is not authorized to perform: \(action) on resource: \(resource)"
    }

    /// Glob match with `*` (any run, possibly empty) and `?` (one scalar). Greedy with a single
    /// backtrack point, so it runs in O(pattern × text) at worst, whatever the pattern.
    static func wildcardMatch(pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
        var p = 0, t = 0
        var starAt: Int? = nil  // index in pattern of the last `*` seen
        var starText = 0  // text index that `*` was last tried to match up to
        while t < text.count {
            if p < pattern.count, pattern[p] == "*" {
                starAt = p
                starText = t
                p += 1
            } else if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let star = starAt {
                // Let the last `*` swallow one more character and retry from there.
                p = star + 1
                starText += 1
                t = starText
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
